// Package store is the contract between the front door (rpc/server) and the
// engines that run commands: the single-node store (shard/local) and the
// cluster node (cluster). The server finds a store's optional abilities by
// type assertion on the interfaces here; engines return the errors here,
// and Reply is the one place they become RESP error replies. It imports no
// engine and no server, so both sides can depend on it.
package store

import (
	"time"

	"github.com/ember-node/ember-node/persistence"
	"github.com/ember-node/ember-node/shard"
	"github.com/ember-node/ember-node/shard/command"
)

// Store is where the server's commands run: one keyspace behind a mutex on
// a single node, Raft groups in a cluster. Slot routes a command to its
// shard; AllShards commands pass -1 and get every shard in turn from Each.
type Store interface {
	// Write replicates rec in the shard of slot, applies it and writes the
	// reply to w. An error means the record's fate is not a reply (for
	// example leadership lost): see Reply.
	Write(slot int, rec *persistence.Record, w command.Writer) error
	// Read runs fn on the keyspace of slot's shard, with the store's read
	// consistency guarantee for a request that arrived at arrived, and the
	// current time.
	Read(slot int, arrived time.Time, fn func(ks *shard.Keyspace, now int64)) error
	// Each runs fn on every shard this node serves, one at a time in slot
	// order, until fn returns false. It is the command.ShardSet of
	// AllShards reads (DBSIZE, KEYS, SCAN, RANDOMKEY).
	Each(fn func(ks *shard.Keyspace, now int64) bool) error
}

// AsyncStore is a Store whose writes can be in flight together: Propose
// starts replicating rec (encoding it at once, so its args may be reused)
// and returns a function that waits for the outcome and writes the reply.
// Writes proposed in order to one shard apply in that order.
type AsyncStore interface {
	Propose(slot int, rec *persistence.Record) (wait func(w command.Writer) error)
}

// StaleReader is a Store that can read a local replica without any
// consistency check, for READONLY connections.
type StaleReader interface {
	ReadStale(slot int, fn func(ks *shard.Keyspace, now int64)) error
}

// Snapshotter is a Store that can persist its state on demand (SAVE,
// BGSAVE).
type Snapshotter interface{ Snapshot() error }

// RaftReporter is a Store that fills INFO's Raft section, one line per
// shard group.
type RaftReporter interface{ RaftInfo() []string }

// MemoryGuard is a Store that enforces maxmemory. The server hands it the
// limit at start and on CONFIG SET, and asks Admit before every denyoom
// write (and before queueing in MULTI): Admit evicts what the policy
// allows, or answers command.ErrOOM.
type MemoryGuard interface {
	SetMaxMemory(bytes int64, policy string)
	Admit(slot int) error
}

// OverheadGuard is a MemoryGuard that counts memory outside its keyspace
// toward maxmemory: the server hands it the size of its client buffers,
// which Redis counts in used_memory.
type OverheadGuard interface {
	SetOverhead(bytes func() int64)
}

// Prefetcher is a Store that can warm the CPU caches for keys about to be
// looked up. A lookup is a chain of dependent cache misses (slot table,
// bucket, node, key, value); run one command after another, a pipeline's
// chains follow one another, while walked together level by level their
// misses overlap. Prefetch must change nothing.
type Prefetcher interface {
	Prefetch(keys [][]byte)
}

// ClusterOps is a Store that takes operator actions (CLUSTER EMBER-*,
// MEET, FORGET): the ember-node join, leave, remove and status
// subcommands talk to a node through them.
type ClusterOps interface {
	JoinInfo() ([]byte, error)
	JoinCluster(seeds []string) error
	Leave() error
	// Forget removes a node from placement; a live one only with force.
	Forget(id string, force bool) error
	StatusJSON() ([]byte, error)
}

// NowFrom returns the current time from a recent reading t: t's wall clock
// plus the monotonic time elapsed since. A command's time is its arrival
// (one clock read per pipeline) moved on by the monotonic clock, which is
// cheaper to read than the wall clock on a VM.
func NowFrom(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now()
	}
	return t.Add(time.Since(t))
}
