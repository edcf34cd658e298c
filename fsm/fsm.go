// Package fsm is the Raft state machine of one shard: a raft.BatchingFSM
// over a single-threaded shard.Keyspace. Log entries are persistence
// Records; applying one runs the command with the record's time as "now",
// so every replica reaches the same state, and the proposer gets the
// reply back as the apply result.
package fsm

import (
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/raft"

	"github.com/ember-node/ember-node/persistence"
	"github.com/ember-node/ember-node/rpc/resp"
	"github.com/ember-node/ember-node/shard"
	"github.com/ember-node/ember-node/shard/command"
	"github.com/ember-node/ember-node/shard/store"
)

// Result is what ApplyBatch returns for one log entry: the encoded reply
// for the node that proposed it, or one reply per record of a batch.
type Result struct {
	Reply []byte
	Err   error
	Batch []Result
}

// FSM is one shard's state machine. The mutex keeps the keyspace
// single-threaded: Apply, reads and snapshot captures take it in turn.
type FSM struct {
	shard int
	table *command.Table
	log   *slog.Logger
	where string // the group's data folder, for error messages

	mu   sync.Mutex
	ks   *shard.Keyspace
	cap  *shard.Capture // the snapshot being persisted, if any
	ctx  command.Ctx    // the command context of every apply, under mu
	sink uint64         // what prefetching read, kept so its loads stay
	// recs and keys are applyBatch's scratch, under mu.
	recs []persistence.Record
	keys [][]byte

	applied atomic.Uint64
	used    atomic.Int64 // the keyspace's accounted bytes after the last apply
	voters  atomic.Int32 // voters in the latest applied configuration
	failed  atomic.Pointer[error]

	waitMu  sync.Mutex
	waiters []waiter
}

type waiter struct {
	index uint64
	ch    chan struct{}
}

// New returns the state machine of shard id; where names its data folder
// in errors.
func New(id int, table *command.Table, where string, log *slog.Logger) *FSM {
	return &FSM{shard: id, table: table, log: log, where: where, ks: shard.New()}
}

// Err returns why the group stopped, or nil.
func (f *FSM) Err() error {
	if p := f.failed.Load(); p != nil {
		return *p
	}
	return nil
}

func (f *FSM) fail(err error) {
	if f.failed.CompareAndSwap(nil, &err) {
		f.log.Error("shard stopped: cannot apply log entry", "error", err)
	}
}

// Apply applies one entry; raft calls ApplyBatch instead when it can.
func (f *FSM) Apply(l *raft.Log) interface{} { return f.ApplyBatch([]*raft.Log{l})[0] }

// ApplyBatch applies committed entries in order under one lock.
func (f *FSM) ApplyBatch(logs []*raft.Log) []interface{} {
	out := make([]interface{}, len(logs))
	f.mu.Lock()
	for i, l := range logs {
		switch l.Type {
		case raft.LogCommand:
			out[i] = f.applyOne(l)
		case raft.LogConfiguration:
			f.noteConfiguration(l)
		}
	}
	f.used.Store(f.ks.UsedMemory())
	f.mu.Unlock()
	if n := len(logs); n > 0 {
		f.setApplied(logs[n-1].Index)
	}
	return out
}

func (f *FSM) applyOne(l *raft.Log) *Result {
	if err := f.Err(); err != nil {
		return &Result{Err: err}
	}
	rec, err := persistence.Decode(l.Data)
	if err != nil {
		return f.stop(l, err)
	}
	if rec.Tag == persistence.TagBatch {
		return f.applyBatch(l, rec.Args)
	}
	var w resp.Writer
	if r := f.applyRecord(l, &rec, &w); r != nil {
		return r
	}
	return &Result{Reply: w.B}
}

// applyBatch applies the records of a group-commit entry. Their keys are
// prefetched together first (see shard.Keyspace.Prefetch): applied one by
// one, each lookup's cache misses would wait for the previous one's. The
// replies share one buffer.
func (f *FSM) applyBatch(l *raft.Log, entries [][]byte) *Result {
	recs := slices.Grow(f.recs[:0], len(entries))[:len(entries)]
	keys := slices.Grow(f.keys[:0], len(entries))
	defer func() {
		clear(recs)
		clear(keys)
		f.recs, f.keys = recs[:0], keys[:0]
	}()
	for i, b := range entries {
		sub, err := persistence.Decode(b)
		if err != nil {
			return f.stop(l, fmt.Errorf("batched record %d: %w", i, err))
		}
		if sub.Tag == persistence.TagBatch {
			return f.stop(l, fmt.Errorf("batched record %d: nested batch", i))
		}
		recs[i] = sub
		if k := f.firstKey(&sub); k != nil {
			keys = append(keys, k)
		}
	}
	f.sink += f.ks.Prefetch(keys)
	res := &Result{Batch: make([]Result, len(recs))}
	ends := make([]int, len(recs))
	var w resp.Writer
	for i := range recs {
		if r := f.applyRecord(l, &recs[i], &w); r != nil {
			return r
		}
		ends[i] = len(w.B)
	}
	start := 0
	for i, end := range ends {
		res.Batch[i].Reply = w.B[start:end:end]
		start = end
	}
	return res
}

// firstKey returns the first key a command record names, nil for other
// records.
func (f *FSM) firstKey(rec *persistence.Record) []byte {
	if rec.Tag != persistence.TagCommand || len(rec.Args) == 0 {
		return nil
	}
	if spec := f.table.Lookup(rec.Args[0]); spec != nil && spec.First > 0 && spec.First < len(rec.Args) {
		return rec.Args[spec.First]
	}
	return nil
}

// stop fails the shard on an entry it cannot apply.
func (f *FSM) stop(l *raft.Log, err error) *Result {
	err = fmt.Errorf("%w: shard %d: log entry %d in %s: %w", store.ErrStopped, f.shard, l.Index, f.where, err)
	f.fail(err)
	return &Result{Err: err}
}

// applyRecord applies rec, appending its reply to w; a non-nil result
// is the error that stopped the shard.
func (f *FSM) applyRecord(l *raft.Log, rec *persistence.Record, w *resp.Writer) *Result {
	w.Proto = 2
	if rec.Flags&persistence.FlagResp3 != 0 {
		w.Proto = 3
	}
	start := len(w.B)
	w.Limit = start + MaxReply
	if err := f.table.ApplyWith(&f.ctx, f.ks, rec, w); err != nil {
		return f.stop(l, err)
	}
	if w.Overflowed() {
		w.B = append([]byte(nil), w.B[:start]...) // drop the huge array
		w.Error(ErrReplyTooLarge)
	}
	return nil
}

// MaxReply bounds the reply one record builds on every replica (a
// transaction holding SRANDMEMBER key -huge would otherwise grow without
// end on all of them at once). It matches the front door's default hard
// output limit for normal clients, which closes the proposer's connection
// on a longer reply anyway.
const MaxReply = 256 << 20

// ErrReplyTooLarge replaces a reply cut short at MaxReply: the same on
// every replica, as the record's effect on the keyspace is.
const ErrReplyTooLarge = "ERR reply exceeds the 256mb a replicated command may build"

// noteConfiguration tracks the voter count: a group whose only voter is
// this node cannot be deposed, so its reads need no leadership check.
func (f *FSM) noteConfiguration(l *raft.Log) {
	cfg := raft.DecodeConfiguration(l.Data)
	n := int32(0)
	for _, s := range cfg.Servers {
		if s.Suffrage == raft.Voter {
			n++
		}
	}
	f.voters.Store(n)
}

// Voters returns the voter count of the latest applied configuration, 0
// while unknown (before one was seen, and after a snapshot restore: the
// entries it covers are not replayed, so the count could be stale).
func (f *FSM) Voters() int { return int(f.voters.Load()) }

// SetVoters records a voter count learnt from Raft's own configuration,
// for a group whose configuration entries were covered by a snapshot.
func (f *FSM) SetVoters(n int) { f.voters.Store(int32(n)) }

// Read runs fn on the keyspace under the lock.
func (f *FSM) Read(now int64, fn func(ks *shard.Keyspace, now int64)) error {
	if err := f.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f.ks, now)
	return nil
}

// Prefetch warms the caches for keys about to be read (see
// shard.Keyspace.Prefetch); it changes nothing.
func (f *FSM) Prefetch(keys [][]byte) {
	f.mu.Lock()
	f.sink += f.ks.Prefetch(keys)
	f.mu.Unlock()
}

// UsedMemory returns the keyspace's accounted bytes without taking the
// lock: the leader's maxmemory check reads it before every denyoom write.
func (f *FSM) UsedMemory() int64 { return f.used.Load() }

// Applied returns the index of the last applied entry.
func (f *FSM) Applied() uint64 { return f.applied.Load() }

func (f *FSM) setApplied(idx uint64) {
	f.applied.Store(idx)
	f.waitMu.Lock()
	kept := f.waiters[:0]
	for _, w := range f.waiters {
		if w.index <= idx {
			close(w.ch)
		} else {
			kept = append(kept, w)
		}
	}
	f.waiters = kept
	f.waitMu.Unlock()
}

// WaitApplied returns a channel closed once entry idx has been applied.
func (f *FSM) WaitApplied(idx uint64) <-chan struct{} {
	ch := make(chan struct{})
	f.waitMu.Lock()
	defer f.waitMu.Unlock()
	if f.applied.Load() >= idx {
		close(ch)
		return ch
	}
	f.waiters = append(f.waiters, waiter{index: idx, ch: ch})
	return ch
}
