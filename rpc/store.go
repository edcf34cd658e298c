package rpc

import (
	"errors"
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
	// example leadership lost): see ErrorReply.
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
// BGSAVE); RaftReporter one that fills INFO's Raft section.
type Snapshotter interface{ Snapshot() error }

// RaftReporter lists one INFO line per shard group.
type RaftReporter interface{ RaftInfo() []string }

// MemoryGuard is a Store that enforces maxmemory. The server hands it the
// limit at start and on CONFIG SET, and asks Admit before every denyoom
// write (and before queueing in MULTI): Admit evicts what the policy
// allows, or answers command.ErrOOM.
type MemoryGuard interface {
	SetMaxMemory(bytes int64, policy string)
	Admit(slot int) error
}

// Store errors the server maps to Redis replies.
var (
	// ErrTryAgain means the shard has no leader right now.
	ErrTryAgain error = command.ReplyError("TRYAGAIN shard has no leader, try again later")
	// ErrUnknownOutcome means leadership was lost while a write was in
	// flight: it may or may not have been applied. Never redirect it: a
	// retry elsewhere could apply INCR twice.
	ErrUnknownOutcome error = command.ReplyError("ERR write outcome unknown: leadership changed while it was in flight")
)

// ErrorReply turns a store error into the error reply a client gets.
func ErrorReply(err error) string {
	switch {
	case errors.Is(err, ErrTryAgain):
		return ErrTryAgain.Error()
	case errors.Is(err, ErrUnknownOutcome):
		return ErrUnknownOutcome.Error()
	}
	var re command.ReplyError
	if errors.As(err, &re) {
		return string(re)
	}
	return "ERR " + err.Error()
}
