package cluster

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/hashicorp/raft"

	"github.com/ember-node/ember-node/persistence"
	"github.com/ember-node/ember-node/rpc"
	"github.com/ember-node/ember-node/rpc/transport"
	"github.com/ember-node/ember-node/shard"
	"github.com/ember-node/ember-node/shard/command"
)

// NodeConfig configures a node's shard groups.
type NodeConfig struct {
	// ID is the node's id; empty means the one kept in DataDir, or a new
	// random one saved there.
	ID string
	// DataDir holds node.json and one folder per shard group.
	DataDir string
	// Shards is the shard count used when bootstrapping; an existing data
	// dir keeps the count it was created with.
	Shards int
	// ClusterAddr is the node-to-node listen address (host:port);
	// ClusterAdvertise the address peers dial (default ClusterAddr).
	ClusterAddr, ClusterAdvertise string
	// Secret authenticates peers on the cluster port when set.
	Secret []byte
	// Group is the template of every group's settings (ID, NodeID and Dir
	// are filled in per group).
	Group GroupConfig
}

// DefaultNodeConfig returns defaults for a node keeping data in dir.
func DefaultNodeConfig(dir string) NodeConfig {
	return NodeConfig{DataDir: dir, Shards: 16, ClusterAddr: "127.0.0.1:16379", Group: DefaultGroupConfig(0, "", "")}
}

// Validate reports the first bad setting.
func (c NodeConfig) Validate() error {
	if c.DataDir == "" {
		return errors.New("cluster: empty data dir")
	}
	if c.Shards < 1 || c.Shards > shard.NumSlots {
		return fmt.Errorf("cluster: --shards %d out of range 1..%d", c.Shards, shard.NumSlots)
	}
	switch c.Group.Fsync {
	case FsyncAlways, FsyncEverySec, FsyncNo:
	default:
		return fmt.Errorf("cluster: --fsync %q: want always, everysec or no", c.Group.Fsync)
	}
	return nil
}

// meta is what a node keeps about itself in DataDir/node.json.
type meta struct {
	ID     string `json:"id"`
	Shards int    `json:"shards"`
}

// Node runs this node's shard groups and serves them as an rpc.Store.
type Node struct {
	cfg    NodeConfig
	id     string
	log    *slog.Logger
	mux    *transport.Mux
	groups []*Group
	mem    memGuard
}

// StartNode opens or bootstraps the node's groups.
func StartNode(cfg NodeConfig, table *command.Table, log *slog.Logger) (*Node, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m, err := loadMeta(cfg)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.ClusterAddr)
	if err != nil {
		return nil, fmt.Errorf("cluster: listen %s: %w", cfg.ClusterAddr, err)
	}
	if cfg.ClusterAdvertise == "" {
		cfg.ClusterAdvertise = ln.Addr().String()
	}
	n := &Node{cfg: cfg, id: m.ID, log: log.With("node", m.ID), mux: transport.NewMux(ln, cfg.Secret, log)}
	go n.mux.Serve()
	for i := range m.Shards {
		if err := n.openGroup(i, table); err != nil {
			n.Close()
			return nil, err
		}
	}
	n.log.Info("node started", "shards", m.Shards, "cluster_addr", cfg.ClusterAdvertise, "data_dir", cfg.DataDir)
	return n, nil
}

func (n *Node) openGroup(i int, table *command.Table) error {
	gc := n.cfg.Group
	gc.ID, gc.NodeID = i, n.id
	gc.Dir = filepath.Join(n.cfg.DataDir, fmt.Sprintf("shard-%05d", i))
	fresh := !HasState(gc.Dir)
	g, err := OpenGroup(gc, n.mux, table, n.log)
	if err != nil {
		return err
	}
	n.groups = append(n.groups, g)
	if fresh {
		return g.Bootstrap(map[string]string{n.id: n.cfg.ClusterAdvertise})
	}
	return nil
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
	b, _ = json.Marshal(m)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return m, fmt.Errorf("cluster: %w", err)
	}
	return m, os.Rename(tmp, path)
}

// ID returns the node id.
func (n *Node) ID() string { return n.id }

// Groups returns the node's groups in shard order.
func (n *Node) Groups() []*Group { return n.groups }

// Close stops every group and the cluster port.
func (n *Node) Close() error {
	var errs []error
	for _, g := range n.groups {
		errs = append(errs, g.Close())
	}
	errs = append(errs, n.mux.Close())
	return errors.Join(errs...)
}

// ShardOf returns the shard owning slot: shard i owns a contiguous range.
func ShardOf(slot, shards int) int { return slot * shards / shard.NumSlots }

func (n *Node) group(slot int) *Group {
	if slot < 0 {
		slot = 0
	}
	return n.groups[ShardOf(slot, len(n.groups))]
}

// Write implements rpc.Store. A keyless write (FLUSHALL) goes to every
// shard; the reply is the first shard's.
func (n *Node) Write(slot int, rec *persistence.Record, w command.Writer) error {
	if slot >= 0 {
		return storeError(n.group(slot).Write(rec, w))
	}
	for i, g := range n.groups {
		out := w
		if i > 0 {
			out = command.Discard{}
		}
		if err := g.Write(rec, out); err != nil {
			return storeError(err)
		}
	}
	return nil
}

// Propose implements rpc.AsyncStore.
func (n *Node) Propose(slot int, rec *persistence.Record) func(w command.Writer) error {
	wait := n.group(slot).Propose(rec)
	return func(w command.Writer) error { return storeError(wait(w)) }
}

// Read implements rpc.Store with a linearizable read.
func (n *Node) Read(slot int, arrived time.Time, fn func(ks *shard.Keyspace, now int64)) error {
	return storeError(n.group(slot).ReadSince(int64(arrived.Sub(clockBase)), fn))
}

// Each implements rpc.Store over every group, in slot order.
func (n *Node) Each(fn func(ks *shard.Keyspace, now int64) bool) error {
	for _, g := range n.groups {
		cont := true
		if err := g.Read(func(ks *shard.Keyspace, now int64) { cont = fn(ks, now) }); err != nil {
			return storeError(err)
		}
		if !cont {
			return nil
		}
	}
	return nil
}

// storeError maps group errors to the server's.
func storeError(err error) error {
	if errors.Is(err, ErrNotLeader) {
		return rpc.ErrTryAgain
	}
	return err
}

// WaitLeaders waits until every group has a ready leader on this node, for
// start-up and tests.
func (n *Node) WaitLeaders(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for _, g := range n.groups {
		for !g.isReadyLeader() {
			if err := g.fsm.Err(); err != nil {
				return err
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("shard %d: no leader after %s", g.ID(), timeout)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	return nil
}

// Snapshot takes a Raft snapshot of every group now (SAVE, BGSAVE).
func (n *Node) Snapshot() error {
	var errs []error
	for _, g := range n.groups {
		if err := g.raft.Snapshot().Error(); err != nil && !errors.Is(err, raft.ErrNothingNewToSnapshot) {
			errs = append(errs, fmt.Errorf("shard %d: %w", g.ID(), err))
		}
	}
	return errors.Join(errs...)
}

// RaftInfo returns INFO's Raft section: one line per shard.
func (n *Node) RaftInfo() []string {
	out := make([]string, 0, len(n.groups))
	for _, g := range n.groups {
		out = append(out, g.infoLine())
	}
	return out
}
