package cluster

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/hashicorp/memberlist"

	"github.com/ember-node/ember-node/cluster/hclogslog"
)

// membership is this node's memberlist: who is in the cluster, alive,
// and where to reach them; plus the gossip of shard leaders.
type membership struct {
	ml  *memberlist.Memberlist
	bq  *memberlist.TransmitLimitedQueue
	rt  *routing
	log *slog.Logger

	mu   sync.Mutex
	meta NodeMeta

	// onEvicted runs (on its own goroutine) when gossip says an operator
	// removed this node.
	onEvicted func()

	leaveOnce sync.Once
}

// gossipMsg is a broadcast: a leader announcement or an operator's
// removal of a dead node.
type gossipMsg struct {
	Leader  *leaderInfo `json:"L,omitempty"`
	Removed string      `json:"R,omitempty"`
}

// pushPull is the full state exchanged on join and periodically.
type pushPull struct {
	Leaders []leaderInfo `json:"l"`
	Removed []string     `json:"r"`
}

// gossipLogEvery bounds memberlist's warnings and errors: one line per
// kind every interval (junk datagrams cost one error each otherwise).
const gossipLogEvery = 5 * time.Second

func startMembership(bind, advertise string, secret []byte, meta NodeMeta, rt *routing, onEvicted func(), log *slog.Logger) (*membership, error) {
	m := &membership{rt: rt, log: log, meta: meta, onEvicted: onEvicted}
	conf := memberlist.DefaultLANConfig()
	conf.Name = meta.ID
	host, port, err := net.SplitHostPort(bind)
	if err != nil {
		return nil, fmt.Errorf("gossip address %q: %w", bind, err)
	}
	conf.BindAddr = host
	conf.BindPort, _ = strconv.Atoi(port)
	if advertise != "" {
		ah, ap, err := net.SplitHostPort(advertise)
		if err != nil {
			return nil, fmt.Errorf("gossip advertise %q: %w", advertise, err)
		}
		// memberlist wants an IP; a container advertises its name.
		if net.ParseIP(ah) == nil {
			ips, err := net.LookupIP(ah)
			if err != nil || len(ips) == 0 {
				return nil, fmt.Errorf("gossip advertise %q: %v", advertise, err)
			}
			ah = ips[0].String()
		}
		conf.AdvertiseAddr = ah
		conf.AdvertisePort, _ = strconv.Atoi(ap)
	}
	if len(secret) == 0 {
		return nil, errors.New("gossip: no cluster secret")
	}
	// Every gossip packet and stream is encrypted and authenticated
	// (AES-GCM) with a key derived from the secret; memberlist drops
	// anything else, so a stranger's join gets no answer.
	key := sha256.Sum256(secret)
	conf.SecretKey = key[:]
	conf.GossipVerifyIncoming, conf.GossipVerifyOutgoing = true, true
	conf.PushPullInterval = 5 * conf.ProbeInterval
	conf.Delegate = m
	conf.Events = m
	conf.Logger = hclogslog.NewRateLimited(log, "memberlist", gossipLogEvery).StandardLogger(nil)
	m.bq = &memberlist.TransmitLimitedQueue{NumNodes: func() int { return m.ml.NumMembers() }, RetransmitMult: 3}
	ml, err := memberlist.Create(conf)
	if err != nil {
		return nil, fmt.Errorf("gossip: %w", err)
	}
	m.ml = ml
	return m, nil
}

// join contacts seed gossip addresses; one reachable seed is enough.
func (m *membership) join(seeds []string) error {
	if len(seeds) == 0 {
		return nil
	}
	_, err := m.ml.Join(seeds)
	return err
}

func (m *membership) broadcast(msg gossipMsg) {
	b, _ := json.Marshal(msg)
	m.bq.QueueBroadcast(simpleBroadcast(b))
}

// announce spreads a leader of ours; the routing table takes it at once.
func (m *membership) announce(li leaderInfo) {
	if m.rt.observe(li) {
		m.broadcast(gossipMsg{Leader: &li})
	}
}

// forget spreads an operator's removal of a node.
func (m *membership) forget(id string) {
	m.rt.forget(id)
	m.broadcast(gossipMsg{Removed: id})
}

// setLeaving marks this node as draining in its metadata.
func (m *membership) setLeaving() error {
	m.mu.Lock()
	m.meta.Leaving = true
	meta := m.meta
	m.mu.Unlock()
	m.rt.setNode(meta, true)
	return m.ml.UpdateNode(0)
}

// leave says goodbye and stops gossip. It runs once: a node that left
// the cluster (waitLeft) calls it again when it closes, and memberlist
// panics on a Leave after Shutdown.
func (m *membership) leave() {
	m.leaveOnce.Do(func() {
		m.ml.Leave(time.Second)
		m.ml.Shutdown()
	})
}

// NodeMeta implements memberlist.Delegate.
func (m *membership) NodeMeta(limit int) []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, _ := json.Marshal(m.meta)
	if len(b) > limit {
		m.log.Error("node metadata over memberlist's limit", "bytes", len(b), "limit", limit)
		return nil
	}
	return b
}

// NotifyMsg implements memberlist.Delegate. The slice is reused by
// memberlist: decoding copies what it keeps.
func (m *membership) NotifyMsg(b []byte) {
	var msg gossipMsg
	if err := json.Unmarshal(b, &msg); err != nil {
		m.log.Warn("dropped malformed gossip message", "error", err)
		return
	}
	if msg.Leader != nil && m.rt.observe(*msg.Leader) {
		m.broadcast(msg)
	}
	if msg.Removed != "" {
		m.removed(msg.Removed)
	}
}

// GetBroadcasts implements memberlist.Delegate.
func (m *membership) GetBroadcasts(overhead, limit int) [][]byte {
	return m.bq.GetBroadcasts(overhead, limit)
}

// LocalState implements memberlist.Delegate.
func (m *membership) LocalState(bool) []byte {
	b, _ := json.Marshal(pushPull{Leaders: m.rt.snapshotLeaders(), Removed: m.rt.removedIDs()})
	return b
}

// MergeRemoteState implements memberlist.Delegate.
func (m *membership) MergeRemoteState(b []byte, _ bool) {
	var pp pushPull
	if err := json.Unmarshal(b, &pp); err != nil {
		m.log.Warn("dropped malformed gossip state", "error", err)
		return
	}
	for _, li := range pp.Leaders {
		m.rt.observe(li)
	}
	for _, id := range pp.Removed {
		m.removed(id)
	}
}

// removed takes an operator's removal of id from gossip.
func (m *membership) removed(id string) {
	if id != m.rt.self {
		m.rt.forget(id)
	} else if m.onEvicted != nil {
		go m.onEvicted()
	}
}

func (m *membership) nodeEvent(n *memberlist.Node, alive bool) {
	var meta NodeMeta
	if err := json.Unmarshal(n.Meta, &meta); err != nil || meta.ID == "" {
		m.log.Warn("ignored member with unreadable metadata", "member", n.Name, "error", err)
		return
	}
	m.rt.setNode(meta, alive)
}

// NotifyJoin implements memberlist.EventDelegate.
func (m *membership) NotifyJoin(n *memberlist.Node) {
	m.log.Info("member joined", "member", n.Name, "addr", n.Address())
	m.nodeEvent(n, true)
}

// NotifyLeave implements memberlist.EventDelegate.
func (m *membership) NotifyLeave(n *memberlist.Node) {
	m.log.Info("member left or failed", "member", n.Name)
	m.nodeEvent(n, false)
}

// NotifyUpdate implements memberlist.EventDelegate.
func (m *membership) NotifyUpdate(n *memberlist.Node) { m.nodeEvent(n, true) }

type simpleBroadcast []byte

func (b simpleBroadcast) Invalidates(memberlist.Broadcast) bool { return false }
func (b simpleBroadcast) Message() []byte                       { return b }
func (b simpleBroadcast) Finished()                             {}

// setMeta replaces this node's gossiped metadata.
func (m *membership) setMeta(meta NodeMeta) {
	m.mu.Lock()
	m.meta = meta
	m.mu.Unlock()
	m.ml.UpdateNode(0)
}
