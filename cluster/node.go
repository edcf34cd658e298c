package cluster

import (
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ember-node/ember-node/cluster/group"
	"github.com/ember-node/ember-node/cluster/journal"
	"github.com/ember-node/ember-node/rpc/transport"
	"github.com/ember-node/ember-node/shard"
	"github.com/ember-node/ember-node/shard/command"
)

// NodeConfig configures a node.
type NodeConfig struct {
	// ID is the node's id; empty means the one kept in DataDir, or a new
	// random one saved there.
	ID string
	// DataDir holds node.json and one folder per shard group.
	DataDir string
	// Shards is the shard count used when bootstrapping; an existing data
	// dir, or the cluster joined, decides otherwise.
	Shards int
	// Replicas is the target replica count of every shard (fewer while
	// the cluster has fewer nodes).
	Replicas int
	// ClusterAddr is the node-to-node listen address (host:port);
	// ClusterAdvertise the address peers dial (default ClusterAddr).
	ClusterAddr, ClusterAdvertise string
	// GossipAddr and GossipAdvertise are memberlist's bind and advertised
	// addresses. Empty GossipAddr disables gossip (tests of one node).
	GossipAddr, GossipAdvertise string
	// ClientAddr is the RESP address clients are told to use.
	ClientAddr string
	// ClientTLSAddr is the RESP address TLS clients are told to use
	// (gossiped, so every node tells TLS clients TLS ports); "" when the
	// node has no TLS port.
	ClientTLSAddr string
	// Join lists client addresses of running nodes to join at start,
	// host:port (cluster port port+10000) or host:port@cport.
	Join []string
	// Secret authenticates peers on the cluster port and encrypts gossip.
	// Empty means the one kept in DataDir (SecretFile), generated there
	// when the node bootstraps; a node that joins must be given it.
	Secret []byte
	// TLS, when set, runs the cluster port over mutual TLS
	// (transport.TLSConfig), under the secret's handshake. Gossip keeps
	// memberlist's own encryption with the secret.
	TLS *tls.Config
	// DeadGrace is how long a dead node keeps its replicas before they
	// are placed elsewhere.
	DeadGrace time.Duration
	// ReconcileEvery is the placement loop's period.
	ReconcileEvery time.Duration
	// Group is the template of every group's settings.
	Group group.Config
}

// DefaultNodeConfig returns defaults for a node keeping data in dir.
func DefaultNodeConfig(dir string) NodeConfig {
	return NodeConfig{
		DataDir: dir, Shards: 16, Replicas: 3, ClusterAddr: "127.0.0.1:16379",
		DeadGrace: 60 * time.Second, ReconcileEvery: 500 * time.Millisecond,
		Group: group.DefaultConfig(0, "", ""),
	}
}

// Validate reports the first bad setting.
func (c NodeConfig) Validate() error {
	if c.DataDir == "" {
		return errors.New("cluster: empty data dir")
	}
	if c.Shards < 1 || c.Shards > shard.NumSlots {
		return fmt.Errorf("cluster: --shards %d out of range 1..%d", c.Shards, shard.NumSlots)
	}
	if c.Replicas < 1 || c.Replicas > 7 {
		return fmt.Errorf("cluster: --replicas %d out of range 1..7", c.Replicas)
	}
	switch c.Group.Fsync {
	case group.FsyncAlways, group.FsyncEverySec, group.FsyncNo:
	default:
		return fmt.Errorf("cluster: --fsync %q: want always, everysec or no", c.Group.Fsync)
	}
	return nil
}

// meta is what a node keeps about itself in DataDir/node.json.
type meta struct {
	ID     string   `json:"id"`
	Shards int      `json:"shards"`
	Peers  []string `json:"peers,omitempty"` // gossip addresses last seen
}

// Node runs this node's shard groups, its gossip and placement, and serves
// them as a store.Store.
type Node struct {
	cfg   NodeConfig
	id    string
	log   *slog.Logger
	table *command.Table
	mux   *transport.Mux
	// journal takes every group's log entries first (see package journal).
	journal *journal.Journal

	nshards atomic.Int32
	mu      sync.RWMutex
	groups  map[int]*group.Group

	rt       *routing
	ml       *membership // nil without gossip
	peers    []string    // gossip addresses last saved in node.json (reconcile loop and Close only)
	leaving  atomic.Bool
	done     chan struct{} // closed once a leaving node has left
	doneOnce sync.Once
	stop     chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup
	closed   atomic.Bool

	mem  memGuard                  // maxmemory and eviction
	view atomic.Pointer[timedView] // the last ClusterView, see viewTTL
}

// StartNode opens, bootstraps or joins the node's groups and starts gossip
// and placement.
func StartNode(cfg NodeConfig, table *command.Table, log *slog.Logger) (*Node, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	secret, generated, err := resolveSecret(cfg, peekPeers(cfg.DataDir))
	if err != nil {
		return nil, err
	}
	cfg.Secret = secret
	ln, err := net.Listen("tcp", cfg.ClusterAddr)
	if err != nil {
		return nil, fmt.Errorf("cluster: listen %s: %w", cfg.ClusterAddr, err)
	}
	if cfg.ClusterAdvertise == "" {
		cfg.ClusterAdvertise = ln.Addr().String()
	}
	mux, err := transport.NewMux(ln, cfg.Secret, log)
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("cluster: %w", err)
	}
	if cfg.TLS != nil {
		mux.SetTLS(cfg.TLS)
	}
	n := &Node{
		cfg: cfg, log: log, table: table, mux: mux,
		groups: map[int]*group.Group{}, stop: make(chan struct{}), done: make(chan struct{}),
	}
	fresh := !fileExists(filepath.Join(cfg.DataDir, "node.json"))
	var seeds []string
	if fresh && len(cfg.Join) > 0 {
		info, err := n.fetchJoinInfo(cfg.Join)
		if err != nil {
			n.mux.Close()
			return nil, err
		}
		n.cfg.Shards, seeds = info.Shards, info.Gossip
	}
	m, err := loadMeta(n.cfg)
	if err != nil {
		n.mux.Close()
		return nil, err
	}
	n.id, n.log = m.ID, log.With("node", m.ID)
	if generated {
		n.log.Info("generated the cluster secret: nodes that join this cluster need it (ember-node secret prints it)",
			"file", SecretPath(cfg.DataDir), "join_with", "--cluster-secret-file or EMBER_CLUSTER_SECRET")
	}
	n.nshards.Store(int32(m.Shards))
	n.peers = m.Peers
	n.mux.HandleAdmin(n.serveAdmin)
	go n.mux.Serve()
	n.rt = newRouting(n.selfMeta())
	if !fresh {
		time.Sleep(group.LeaseDuration(cfg.Group)) // see LeaseDuration
	}
	if n.journal, err = journal.Open(journal.DefaultOptions(filepath.Join(cfg.DataDir, "journal"), group.JournalSync(cfg.Group.Fsync), n.log)); err != nil {
		n.Close()
		return nil, err
	}
	if err := n.openGroups(fresh && len(cfg.Join) == 0); err != nil {
		n.Close()
		return nil, err
	}
	n.journal.DropRecovered()
	if err := n.startGossip(append(seeds, m.Peers...)); err != nil {
		n.Close()
		return nil, err
	}
	n.wg.Add(1)
	go n.reconcileLoop()
	n.log.Info("node started", "shards", m.Shards, "local_groups", len(n.Groups()), "cluster_addr", cfg.ClusterAdvertise, "data_dir", cfg.DataDir)
	return n, nil
}

func (n *Node) selfMeta() NodeMeta {
	gossip := n.cfg.GossipAdvertise
	if gossip == "" {
		gossip = n.cfg.GossipAddr
	}
	return NodeMeta{ID: n.id, Client: n.cfg.ClientAddr, TLS: n.cfg.ClientTLSAddr, Cluster: n.cfg.ClusterAdvertise, Gossip: gossip, Shards: n.shardCount()}
}

// openGroups opens every group with state on disk; a brand-new node that
// joins nobody bootstraps all shards on itself.
func (n *Node) openGroups(bootstrap bool) error {
	for i := range n.shardCount() {
		dir := n.groupDir(i)
		if !bootstrap && !group.HasState(dir) {
			continue
		}
		g, err := n.openGroup(i)
		if err != nil {
			return err
		}
		if bootstrap {
			if err := g.Bootstrap(map[string]string{n.id: n.cfg.ClusterAdvertise}); err != nil {
				return err
			}
		}
	}
	return nil
}

func (n *Node) groupDir(i int) string {
	return filepath.Join(n.cfg.DataDir, fmt.Sprintf("shard-%05d", i))
}

// openGroup starts this node's member of shard i (no bootstrap).
func (n *Node) openGroup(i int) (*group.Group, error) {
	gc := n.cfg.Group
	gc.ID, gc.NodeID, gc.Dir = i, n.id, n.groupDir(i)
	gc.OnLeader = n.announceGroup
	gc.Journal = n.journal
	g, err := group.Open(gc, n.mux, n.table, n.log)
	if err != nil {
		return nil, err
	}
	n.mu.Lock()
	n.groups[i] = g
	n.mu.Unlock()
	return g, nil
}

// dropGroup closes a group this node no longer belongs to and deletes its
// files.
func (n *Node) dropGroup(i int) {
	n.mu.Lock()
	g := n.groups[i]
	delete(n.groups, i)
	n.mu.Unlock()
	if g == nil {
		return
	}
	g.Close()
	if err := os.RemoveAll(n.groupDir(i)); err != nil {
		n.log.Error("failed to delete group folder", "shard", i, "error", err)
	}
	n.log.Info("left shard group", "shard", i)
}

func (n *Node) startGossip(seeds []string) error {
	if n.cfg.GossipAddr == "" {
		return nil
	}
	ml, err := startMembership(n.cfg.GossipAddr, n.cfg.GossipAdvertise, n.cfg.Secret, n.selfMeta(), n.rt, n.evicted, n.log)
	if err != nil {
		return err
	}
	// Groups opened before gossip may already lead and announce (their
	// leader goroutines read n.ml): publish it under the lock.
	n.mu.Lock()
	n.ml = ml
	n.mu.Unlock()
	seeds = slices.DeleteFunc(slices.Compact(slices.Sorted(slices.Values(seeds))), func(s string) bool { return s == "" })
	if err := ml.join(seeds); err != nil && len(n.cfg.Join) > 0 {
		return fmt.Errorf("cluster: join %v: %w", seeds, err)
	}
	return nil
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func loadMeta(cfg NodeConfig) (meta, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return meta{}, fmt.Errorf("cluster: %w", err)
	}
	path := filepath.Join(cfg.DataDir, "node.json")
	var m meta
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		if err := json.Unmarshal(b, &m); err != nil || m.ID == "" || m.Shards < 1 {
			return m, fmt.Errorf("cluster: %s is damaged (%v); restore it or start with an empty data dir", path, err)
		}
		if cfg.ID != "" && cfg.ID != m.ID {
			return m, fmt.Errorf("cluster: --id %q but %s belongs to node %q", cfg.ID, cfg.DataDir, m.ID)
		}
		return m, nil
	case !errors.Is(err, os.ErrNotExist):
		return m, fmt.Errorf("cluster: %w", err)
	}
	m = meta{ID: cfg.ID, Shards: cfg.Shards}
	if m.ID == "" {
		var b [20]byte
		rand.Read(b[:])
		m.ID = hex.EncodeToString(b[:])
	}
	return m, saveMeta(cfg.DataDir, m)
}

// peekPeers returns the peers node.json lists, if it can be read
// (loadMeta reports a damaged one).
func peekPeers(dir string) []string {
	var m meta
	if b, err := os.ReadFile(filepath.Join(dir, "node.json")); err == nil {
		json.Unmarshal(b, &m)
	}
	return m.Peers
}

func saveMeta(dir string, m meta) error {
	path := filepath.Join(dir, "node.json")
	b, _ := json.Marshal(m)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	return os.Rename(tmp, path)
}

// shardCount returns the cluster's shard count (set once a node joins).
func (n *Node) shardCount() int { return int(n.nshards.Load()) }

// ID returns the node id.
func (n *Node) ID() string { return n.id }

// Groups returns the node's local groups in shard order.
func (n *Node) Groups() []*group.Group {
	n.mu.RLock()
	defer n.mu.RUnlock()
	out := make([]*group.Group, 0, len(n.groups))
	for i := range n.shardCount() {
		if g := n.groups[i]; g != nil {
			out = append(out, g)
		}
	}
	return out
}

func (n *Node) groupByID(i int) *group.Group {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return n.groups[i]
}

// Close stops placement, gossip, every group and the cluster port.
func (n *Node) Close() error {
	if !n.closed.CompareAndSwap(false, true) {
		return nil
	}
	n.stopLoops()
	n.savePeers()
	if n.ml != nil {
		n.ml.leave()
	}
	var errs []error
	for _, g := range n.Groups() {
		errs = append(errs, g.Close())
	}
	if n.journal != nil {
		errs = append(errs, n.journal.Close())
	}
	errs = append(errs, n.mux.Close())
	return errors.Join(errs...)
}

// savePeers remembers the gossip addresses of live members when they
// changed, so a restart (even after a crash) finds the cluster again.
func (n *Node) savePeers() {
	if n.ml == nil {
		return
	}
	var peers []string
	for _, m := range n.ml.ml.Members() {
		if m.Name != n.id {
			peers = append(peers, net.JoinHostPort(m.Addr.String(), strconv.Itoa(int(m.Port))))
		}
	}
	slices.Sort(peers)
	if len(peers) == 0 || slices.Equal(peers, n.peers) {
		return
	}
	if err := saveMeta(n.cfg.DataDir, meta{ID: n.id, Shards: n.shardCount(), Peers: peers}); err != nil {
		n.log.Warn("failed to save peers", "error", err)
		return
	}
	n.peers = peers
}

// gossipUpkeep runs every few placement rounds. A node alone in its
// gossip although it knows peers (node.json) or seeds (--join) keeps
// trying them: a node restarted after a crash, or a whole cluster
// restarted in any order, finds itself again; the others never dial a
// member they saw die. Otherwise it saves the peers it sees.
func (n *Node) gossipUpkeep() {
	if n.ml == nil || n.leaving.Load() {
		return
	}
	if n.ml.ml.NumMembers() > 1 {
		n.savePeers()
		return
	}
	seeds := slices.Clone(n.peers)
	if len(n.cfg.Join) > 0 {
		if info, err := n.tryJoinInfo(n.cfg.Join); err == nil && info.ID != n.id {
			seeds = append(seeds, info.Gossip...)
		}
	}
	seeds = slices.DeleteFunc(seeds, func(s string) bool { return s == n.selfMeta().Gossip })
	if len(seeds) == 0 {
		return
	}
	if err := n.ml.join(seeds); err == nil {
		n.log.Info("found the cluster again", "via", seeds)
	}
}

// ShardOf returns the shard owning slot: shard i owns a contiguous range.
func ShardOf(slot, shards int) int { return slot * shards / shard.NumSlots }

// SlotRange returns the first and last slot of shard i, the slots ShardOf
// maps to it. When the shard count does not divide 16384 the ranges are
// uneven, and a range must start at the first slot that maps to it (the
// ceiling of i*16384/shards): clients that routed by a range one slot off
// were sent MOVED for its first slot for ever.
func SlotRange(i, shards int) (start, end int) {
	first := func(i int) int { return (i*shard.NumSlots + shards - 1) / shards }
	return first(i), first(i+1) - 1
}

// WaitLeaders waits until every local group has a ready leader here or
// knows a leader elsewhere, for start-up and tests.
func (n *Node) WaitLeaders(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for _, g := range n.Groups() {
		for !g.IsReadyLeader() {
			if err := g.FSM().Err(); err != nil {
				return err
			}
			if _, id := g.Raft().LeaderWithID(); id != "" && string(id) != n.id {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("shard %d: no leader after %s", g.ID(), timeout)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	return nil
}
