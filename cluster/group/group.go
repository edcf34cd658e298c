// Package group is one shard's Raft group member on a node: its storage
// (raft-boltdb log, raft's file snapshots), the proposer that batches
// writes into log entries, linearizable reads (read index), and a leader's
// duties (the no-op barrier, active expiry, eviction, handing leadership
// over). It knows nothing of other shards, membership or placement: the
// node (package cluster) decides which groups exist and who is in them.
package group

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb/v2"

	"github.com/ember-node/ember-node/cluster/hclogslog"
	"github.com/ember-node/ember-node/cluster/journal"
	"github.com/ember-node/ember-node/fsm"
	"github.com/ember-node/ember-node/persistence"
	"github.com/ember-node/ember-node/rpc/transport"
	"github.com/ember-node/ember-node/shard"
	"github.com/ember-node/ember-node/shard/command"
	"github.com/ember-node/ember-node/shard/reclaim"
	"github.com/ember-node/ember-node/shard/store"
)

// Fsync policies, as --fsync spells them.
const (
	FsyncAlways   = "always"
	FsyncEverySec = "everysec"
	FsyncNo       = "no"
)

// Config configures one shard's Raft group on this node.
type Config struct {
	// ID is the shard number; it names the group on the cluster port.
	ID int
	// NodeID is this node's Raft server id.
	NodeID string
	// Dir holds the group's bolt log store and snapshots.
	Dir string
	// Fsync is always (the journal syncs every write), everysec (the
	// journal syncs once a second) or no (the OS decides).
	Fsync string
	// SnapshotInterval is how often raft checks whether to snapshot, and
	// SnapshotThreshold how many new entries make it do so.
	SnapshotInterval  time.Duration
	SnapshotThreshold uint64
	// TrailingLogs entries are kept after a snapshot, so a briefly lagging
	// follower catches up from the log rather than a snapshot.
	TrailingLogs uint64
	// HeartbeatTimeout and ElectionTimeout are raft's; tests shorten them.
	HeartbeatTimeout, ElectionTimeout time.Duration
	// ExpiryInterval is the leader's active-expiry tick (Redis's hz=10).
	ExpiryInterval time.Duration
	// Journal is the node's write-ahead file the group's log entries go
	// to first; nil gives the group a journal of its own in Dir.
	Journal *journal.Journal
	// OnLeader, when set, is told each time this member becomes a ready
	// leader (the node announces its new leadership by gossip).
	OnLeader func(*Group)
}

// DefaultConfig returns production settings for shard id.
func DefaultConfig(id int, nodeID, dir string) Config {
	return Config{
		ID: id, NodeID: nodeID, Dir: dir, Fsync: FsyncEverySec,
		SnapshotInterval: 30 * time.Second, SnapshotThreshold: 16384, TrailingLogs: 10240,
		HeartbeatTimeout: time.Second, ElectionTimeout: time.Second,
		ExpiryInterval: reclaim.ExpireInterval,
	}
}

// Group is one shard's Raft group member on this node.
type Group struct {
	cfg   Config
	log   *slog.Logger
	raft  *raft.Raft
	fsm   *fsm.FSM
	store *raftboltdb.BoltStore
	logs  *journal.Store
	// ownJournal is set when the group made its own (Config.Journal nil).
	ownJournal *journal.Journal
	// stable is raft\'s view of store\'s key-value half (see stableStore).
	stable *stableStore
	trans  *raft.NetworkTransport
	reads  readIndex
	mux    *transport.Mux
	prop   *proposer
	ready  atomic.Uint64 // the term in which this leader's barrier applied
	stop   chan struct{}
	wg     sync.WaitGroup
	closed atomic.Bool
}

// Open opens (creating if needed) the group's storage and starts its
// Raft member on the shared cluster port.
func Open(cfg Config, mux *transport.Mux, table *command.Table, log *slog.Logger) (_ *Group, err error) {
	// bbolt meets some damage only when raft first reads the log, and
	// answers it with a panic: at start that is an error naming the file
	// (the node then exits), not a crash.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("shard %d: %s is damaged (bolt: %v); see README, Recovering a shard",
				cfg.ID, filepath.Join(cfg.Dir, "raft.db"), r)
		}
	}()
	log = log.With("shard", cfg.ID)
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("shard %d: %w", cfg.ID, err)
	}
	dbPath := filepath.Join(cfg.Dir, "raft.db")
	store, err := openBolt(dbPath, cfg.Fsync != FsyncAlways)
	if err != nil {
		return nil, fmt.Errorf("shard %d: %w", cfg.ID, err)
	}
	if err := checkOwner(store, cfg); err != nil {
		store.Close()
		return nil, fmt.Errorf("shard %d: %w", cfg.ID, err)
	}
	g := &Group{cfg: cfg, log: log, store: store, stop: make(chan struct{})}
	if err := g.openLogs(); err != nil {
		store.Close()
		return nil, err
	}
	if err := g.start(mux, table); err != nil {
		g.closeLogs()
		store.Close()
		return nil, err
	}
	return g, nil
}

// openLogs attaches the bolt store to the journal (the node's, or one of
// the group's own).
func (g *Group) openLogs() error {
	j := g.cfg.Journal
	if j == nil {
		var err error
		j, err = journal.Open(journal.DefaultOptions(filepath.Join(g.cfg.Dir, "journal"), JournalSync(g.cfg.Fsync), g.log))
		if err != nil {
			return fmt.Errorf("shard %d: %w", g.cfg.ID, err)
		}
		g.ownJournal = j
	}
	logs, err := j.OpenStore(uint32(g.cfg.ID), g.store)
	if err != nil {
		if g.ownJournal != nil {
			g.ownJournal.Close()
		}
		return fmt.Errorf("%w (in %s)", err, filepath.Join(g.cfg.Dir, "raft.db"))
	}
	if g.ownJournal != nil {
		g.ownJournal.DropRecovered()
	}
	g.logs = logs
	return nil
}

func (g *Group) closeLogs() error {
	err := g.logs.Close()
	if g.ownJournal != nil {
		err = errors.Join(err, g.ownJournal.Close())
	}
	return err
}

// JournalSync maps an --fsync policy to the journal's.
func JournalSync(fsync string) journal.Sync {
	switch fsync {
	case FsyncAlways:
		return journal.SyncAlways
	case FsyncNo:
		return journal.SyncNo
	}
	return journal.SyncEverySec
}

func (g *Group) start(mux *transport.Mux, table *command.Table) error {
	cfg := g.cfg
	hl := hclogslog.New(g.log, "raft")
	snaps, err := raft.NewFileSnapshotStoreWithLogger(cfg.Dir, 2, hl)
	if err != nil {
		return fmt.Errorf("shard %d: snapshots in %s: %w", cfg.ID, cfg.Dir, err)
	}
	if err := checkSnapshots(snaps, g.logs, g.store, cfg.Dir); err != nil {
		return fmt.Errorf("shard %d: %w", cfg.ID, err)
	}
	logs, err := raft.NewLogCache(256, g.logs)
	if err != nil {
		return fmt.Errorf("shard %d: %w", cfg.ID, err)
	}
	g.mux = mux
	g.fsm = fsm.New(cfg.ID, table, cfg.Dir, g.log)
	// MaxRPCsInFlight 1 turns raft's pipelined replication off. In raft
	// v1.7.3 a follower's Success=false (log mismatch, stale term) ends the
	// pipeline's decoder while the send loop can still park on the
	// pipeline's unbuffered channel: replication to that follower stops for
	// good while heartbeats go on, and Shutdown waits on it for ever (seen
	// as a node ignoring SIGTERM in scripts/chaos.sh rolling-restart;
	// hashicorp/raft#612). Group commit already batches, which is where
	// pipelining helped.
	g.trans = raft.NewNetworkTransportWithConfig(&raft.NetworkTransportConfig{
		Stream: mux.Group(uint32(cfg.ID)), MaxPool: 3, Timeout: 10 * time.Second, Logger: hl,
		MaxRPCsInFlight: 1,
	})
	rc := raft.DefaultConfig()
	rc.LocalID = raft.ServerID(cfg.NodeID)
	rc.Logger = hl
	rc.SnapshotInterval, rc.SnapshotThreshold, rc.TrailingLogs = cfg.SnapshotInterval, cfg.SnapshotThreshold, cfg.TrailingLogs
	rc.HeartbeatTimeout, rc.ElectionTimeout = cfg.HeartbeatTimeout, cfg.ElectionTimeout
	rc.LeaderLeaseTimeout = min(rc.LeaderLeaseTimeout, cfg.HeartbeatTimeout)
	rc.BatchApplyCh = true
	rc.MaxAppendEntries = 256
	rc.NoLegacyTelemetry = true
	leaderCh := make(chan bool, 8)
	rc.NotifyCh = leaderCh
	g.stable = &stableStore{StableStore: g.store}
	r, err := raft.NewRaft(rc, g.fsm, logs, g.stable, snaps, g.trans)
	if err != nil {
		return fmt.Errorf("shard %d: start raft: %w", cfg.ID, err)
	}
	g.raft = r
	g.reads.g = g
	g.prop = newProposer(g)
	g.wg.Add(2)
	go g.watchLeadership(leaderCh)
	go g.prop.run(g.stop)
	return nil
}

// Bootstrap makes a brand-new group with the given voters. It does nothing
// when the group already has state on disk.
func (g *Group) Bootstrap(voters map[string]string) error {
	var servers []raft.Server
	for id, addr := range voters {
		servers = append(servers, raft.Server{ID: raft.ServerID(id), Address: raft.ServerAddress(addr)})
	}
	err := g.raft.BootstrapCluster(raft.Configuration{Servers: servers}).Error()
	if err != nil && !errors.Is(err, raft.ErrCantBootstrap) {
		return fmt.Errorf("shard %d: bootstrap: %w", g.cfg.ID, err)
	}
	return nil
}

// HasState reports whether the group's folder already held Raft state.
func HasState(dir string) bool {
	for _, p := range []string{"raft.db", "snapshots"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err == nil {
			return true
		}
	}
	return false
}

// ID returns the shard number.
func (g *Group) ID() int { return g.cfg.ID }

// Raft exposes the raft member to the cluster code and tests.
func (g *Group) Raft() *raft.Raft { return g.raft }

// FSM exposes the state machine to tests and status.
func (g *Group) FSM() *fsm.FSM { return g.fsm }

// Close stops the member and releases its files.
func (g *Group) Close() error {
	if !g.closed.CompareAndSwap(false, true) {
		return nil
	}
	close(g.stop)
	f := g.raft.Shutdown()
	// Cut the group's streams before waiting: a replication pipeline
	// blocked on a silent peer would otherwise hold raft's shutdown.
	g.trans.Close()
	g.mux.CloseGroup(uint32(g.cfg.ID))
	err := f.Error()
	g.wg.Wait()
	if g.stable != nil {
		g.stable.close()
	}
	if cerr := g.closeLogs(); err == nil {
		err = cerr
	}
	if cerr := g.store.Close(); err == nil {
		err = cerr
	}
	return err
}

// Write replicates rec and writes the command's reply to w.
func (g *Group) Write(rec *persistence.Record, w command.Writer) error {
	if err := g.fsm.Err(); err != nil {
		return err
	}
	if g.raft.State() != raft.Leader {
		return store.ErrNotLeader
	}
	return g.Propose(rec)(w)
}

// Propose starts replicating rec and returns a function that waits for
// the outcome and writes the reply: a connection's pipelined writes are in
// flight in one Raft batch instead of one round trip each.
func (g *Group) Propose(rec *persistence.Record) func(w command.Writer) error {
	if err := g.fsm.Err(); err != nil {
		return func(command.Writer) error { return err }
	}
	if g.raft.State() != raft.Leader {
		return func(command.Writer) error { return store.ErrNotLeader }
	}
	return g.prop.submit(rec).wait
}

// applyError maps raft's errors to what a client may be told. Only an
// entry that was never appended may be retried on another node.
func applyError(err error) error {
	switch {
	case errors.Is(err, raft.ErrNotLeader), errors.Is(err, raft.ErrLeadershipTransferInProgress):
		// raft refuses both before appending (leaderLoop answers
		// applyCh with them and continues), so a retry is safe.
		return store.ErrNotLeader
	case errors.Is(err, raft.ErrLeadershipLost), errors.Is(err, raft.ErrRaftShutdown),
		errors.Is(err, raft.ErrAbortedByRestore):
		return fmt.Errorf("%w: %w", store.ErrUnknownOutcome, err)
	}
	return err
}

// Read runs fn on the keyspace once a linearizable read is safe.
func (g *Group) Read(fn func(ks *shard.Keyspace, now int64)) error {
	return g.ReadSince(time.Now(), fn)
}

// ReadSince is Read for a request that arrived at arrived: a
// leadership round started after that serves it, so the reads of one
// pipeline share a round.
func (g *Group) ReadSince(arrived time.Time, fn func(ks *shard.Keyspace, now int64)) error {
	if err := g.reads.waitSince(int64(arrived.Sub(clockBase))); err != nil {
		return err
	}
	return g.fsm.Read(time.Now().UnixMilli(), fn)
}

// ReadStale runs fn on the local replica without any check: READONLY
// connections and tests.
func (g *Group) ReadStale(fn func(ks *shard.Keyspace, now int64)) error {
	return g.fsm.Read(time.Now().UnixMilli(), fn)
}

// InfoLine renders the group for INFO's Raft section.
func (g *Group) InfoLine() string {
	r := g.raft
	leader, leaderID := r.LeaderWithID()
	voters := g.VoterCount()
	contact := "-1"
	if r.State() == raft.Leader {
		contact = "0"
	} else if lc := r.LastContact(); !lc.IsZero() {
		contact = strconv.FormatInt(time.Since(lc).Milliseconds(), 10)
	}
	state := strings.ToLower(r.State().String())
	if err := g.fsm.Err(); err != nil {
		state = "stopped"
	}
	return fmt.Sprintf("shard%d:state=%s,term=%d,leader=%s,leader_addr=%s,commit_index=%d,applied_index=%d,last_contact_ms=%s,voters=%d",
		g.cfg.ID, state, r.CurrentTerm(), leaderID, leader, r.CommitIndex(), g.fsm.Applied(), contact, voters)
}

// VoterCount counts the voters of Raft's latest configuration (0 if it
// cannot be read). It goes through Raft's main loop: not for hot paths.
func (g *Group) VoterCount() int {
	f := g.raft.GetConfiguration()
	if f.Error() != nil {
		return 0
	}
	n := 0
	for _, s := range f.Configuration().Servers {
		if s.Suffrage == raft.Voter {
			n++
		}
	}
	return n
}
