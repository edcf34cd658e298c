// Package journal is the node's write-ahead file for the Raft log entries
// of every shard group it holds. A raft-boltdb transaction costs about
// 80 us and 23 KB of garbage even for one small entry, and each group paid
// one per entry: with 16 groups on a node, writes at -P 1 spread so thin
// that most entries held one command, and the node spent its time in bolt.
// Here a group's StoreLogs is one record appended to a file shared by all
// groups, written together with whatever the other groups stored
// meanwhile (one write call, and one fsync under --fsync always); the
// entries stay in memory until a background flush moves them into the
// group's raft-boltdb store in one large transaction, which remains the
// log's home. A segment of the journal is deleted once everything in it
// is in bolt and bolt is synced; at start the segments left over are
// replayed into the groups' bolt stores before raft sees them.
package journal

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/hashicorp/raft"
)

// Sync says when the journal reaches the disk, as --fsync does.
type Sync int

const (
	// SyncNo leaves writing back to the OS.
	SyncNo Sync = iota
	// SyncEverySec fsyncs the journal once a second (at each rotation).
	SyncEverySec
	// SyncAlways fsyncs every write before StoreLogs returns.
	SyncAlways
)

// Options configures a journal.
type Options struct {
	// Dir holds the segment files.
	Dir  string
	Sync Sync
	// FlushEvery is how often entries move from memory into bolt.
	FlushEvery time.Duration
	// RotateEvery and RotateBytes start a new segment (and sync and
	// delete the old one) after that time or that many bytes.
	RotateEvery time.Duration
	RotateBytes int64
	Log         *slog.Logger
}

// DefaultOptions returns production settings for a journal in dir.
func DefaultOptions(dir string, sync Sync, log *slog.Logger) Options {
	return Options{Dir: dir, Sync: sync, FlushEvery: 50 * time.Millisecond,
		RotateEvery: time.Second, RotateBytes: 64 << 20, Log: log}
}

// ErrClosed is returned by writes after Close.
var ErrClosed = errors.New("journal: closed")

// Journal is one node's write-ahead file; see the package comment.
type Journal struct {
	opt Options

	mu      sync.Mutex
	cond    *sync.Cond
	buf     []byte // records waiting for the writer
	spare   []byte
	seq     uint64 // the last record's sequence number
	next    uint64 // the batch buf will be written in
	written uint64 // the last batch written
	writing bool
	err     error // sticky: a failed write leaves a torn record behind
	closed  bool
	f       *os.File
	segNum  uint64
	segSize int64

	storesMu sync.Mutex
	stores   map[*Store]struct{}

	// recovered holds what the segments left by the last run said, per
	// group, until DropRecovered; those segments are deleted then.
	recMu     sync.Mutex
	recovered map[uint32][]record
	recFiles  []string
	stale     []string // rotated out, awaiting deletion

	stop chan struct{}
	wg   sync.WaitGroup
}

// Open reads the segments left in opt.Dir and starts a new one.
func Open(opt Options) (*Journal, error) {
	if err := os.MkdirAll(opt.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	j := &Journal{opt: opt, stores: map[*Store]struct{}{}, stop: make(chan struct{})}
	j.cond = sync.NewCond(&j.mu)
	if err := j.recover(); err != nil {
		return nil, err
	}
	if err := j.openSegment(); err != nil {
		return nil, err
	}
	j.wg.Add(1)
	go j.run()
	return j, nil
}

func segmentName(n uint64) string { return fmt.Sprintf("journal-%016x.log", n) }

func (j *Journal) openSegment() error {
	j.segNum++
	path := filepath.Join(j.opt.Dir, segmentName(j.segNum))
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	j.f, j.segSize = f, 0
	return nil
}

// append writes one record for a group and returns once it is in the
// file (and on disk under SyncAlways). Records arriving while a write is
// under way go together in the next one.
func (j *Journal) append(group uint32, inc uint64, logs []*raft.Log) (uint64, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return 0, ErrClosed
	}
	if j.err != nil {
		return 0, j.err
	}
	j.seq++
	seq := j.seq
	j.buf = appendRecord(j.buf, group, inc, seq, logs)
	mine := j.next
	for j.written < mine+1 {
		if !j.writing {
			j.writeLocked()
			continue
		}
		j.cond.Wait()
	}
	if j.err != nil {
		return 0, j.err
	}
	return seq, nil
}

// writeLocked writes the waiting records as one batch, with j.mu
// released during the write.
func (j *Journal) writeLocked() {
	j.writing = true
	buf, f := j.buf, j.f
	batch := j.next
	j.next++
	j.buf = j.spare[:0]
	j.mu.Unlock()
	_, err := f.Write(buf)
	if err == nil && j.opt.Sync == SyncAlways {
		err = f.Sync()
	}
	j.mu.Lock()
	if cap(buf) <= 4<<20 {
		j.spare = buf[:0]
	}
	j.segSize += int64(len(buf))
	if err != nil && j.err == nil {
		j.err = fmt.Errorf("journal: write %s: %w", f.Name(), err)
		j.opt.Log.Error("journal write failed; the node refuses writes until restarted", "error", err)
	}
	j.written = batch + 1
	j.writing = false
	j.cond.Broadcast()
}

// bumpSeq makes every later record's sequence exceed seq: a store's
// "flushed up to" mark is a sequence from an earlier run.
func (j *Journal) bumpSeq(seq uint64) {
	j.mu.Lock()
	j.seq = max(j.seq, seq)
	j.mu.Unlock()
}

func (j *Journal) run() {
	defer j.wg.Done()
	flush := time.NewTicker(j.opt.FlushEvery)
	defer flush.Stop()
	rotated := time.Now()
	for {
		select {
		case <-j.stop:
			return
		case <-flush.C:
		}
		j.mu.Lock()
		size := j.segSize
		j.mu.Unlock()
		if time.Since(rotated) >= j.opt.RotateEvery || size >= j.opt.RotateBytes {
			j.rotate()
			rotated = time.Now()
			continue
		}
		j.flushAll(false)
	}
}

// rotate starts a new segment, moves everything into bolt, syncs bolt and
// deletes the old segment: the only moment bolt must be on disk.
func (j *Journal) rotate() {
	j.mu.Lock()
	for j.writing {
		j.cond.Wait()
	}
	old := j.f
	if err := j.openSegment(); err != nil {
		j.f = old
		j.mu.Unlock()
		j.opt.Log.Error("journal rotation failed", "error", err)
		return
	}
	j.mu.Unlock()
	if j.opt.Sync != SyncNo {
		if err := old.Sync(); err != nil {
			j.opt.Log.Error("journal sync failed", "file", old.Name(), "error", err)
		}
	}
	old.Close()
	j.stale = append(j.stale, old.Name())
	if err := j.flushAll(j.opt.Sync != SyncNo); err != nil {
		j.opt.Log.Error("journal flush into bolt failed; segments kept", "error", err)
		return
	}
	for _, name := range j.stale {
		if err := os.Remove(name); err != nil && !errors.Is(err, os.ErrNotExist) {
			j.opt.Log.Warn("failed to delete journal segment", "file", name, "error", err)
		}
	}
	j.stale = j.stale[:0]
}

// flushAll moves every store's entries into bolt, and syncs bolt too
// when sync is set.
func (j *Journal) flushAll(sync bool) error {
	j.storesMu.Lock()
	stores := make([]*Store, 0, len(j.stores))
	for s := range j.stores {
		stores = append(stores, s)
	}
	j.storesMu.Unlock()
	var errs []error
	for _, s := range stores {
		if err := s.flush(sync); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (j *Journal) register(s *Store) {
	j.storesMu.Lock()
	j.stores[s] = struct{}{}
	j.storesMu.Unlock()
}

func (j *Journal) unregister(s *Store) {
	j.storesMu.Lock()
	delete(j.stores, s)
	j.storesMu.Unlock()
}

// DropRecovered forgets what the last run left and deletes its segments.
// The node calls it once every group with state on disk has opened (each
// took its own entries into bolt and synced it).
func (j *Journal) DropRecovered() {
	j.recMu.Lock()
	files := j.recFiles
	j.recovered, j.recFiles = nil, nil
	j.recMu.Unlock()
	for _, name := range files {
		if err := os.Remove(name); err != nil && !errors.Is(err, os.ErrNotExist) {
			j.opt.Log.Warn("failed to delete journal segment", "file", name, "error", err)
		}
	}
}

// Close stops the background flush and closes the file. Segments are
// deleted when every store closed (and so flushed) before; otherwise the
// next start replays them.
func (j *Journal) Close() error {
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return nil
	}
	j.closed = true
	for j.writing {
		j.cond.Wait()
	}
	j.mu.Unlock()
	close(j.stop)
	j.wg.Wait()
	err := j.f.Sync()
	if cerr := j.f.Close(); err == nil {
		err = cerr
	}
	j.storesMu.Lock()
	clean := len(j.stores) == 0
	j.storesMu.Unlock()
	j.recMu.Lock()
	clean = clean && j.recovered == nil
	j.recMu.Unlock()
	if clean && err == nil {
		names, _ := filepath.Glob(filepath.Join(j.opt.Dir, "journal-*.log"))
		for _, name := range names {
			os.Remove(name)
		}
	}
	return err
}

// segments lists the segment files in order.
func segments(dir string) ([]string, error) {
	names, err := filepath.Glob(filepath.Join(dir, "journal-*.log"))
	if err != nil {
		return nil, err
	}
	slices.Sort(names) // fixed-width hex numbers sort in order
	return names, nil
}
