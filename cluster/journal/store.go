package journal

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb/v2"
)

// Keys in the bolt store's key-value half.
var (
	// keyIncarnation names this bolt file. A group folder deleted and
	// created again (the node left the shard, then rejoined it) gets a new
	// one, so records written for the old folder are never replayed into
	// the new.
	keyIncarnation = []byte("journal-incarnation")
	// keyFlushed is the sequence of the last record moved into bolt.
	keyFlushed = []byte("journal-flushed")
	// keyCompacted is the last entry deleted from the front of the log:
	// the entries up to it live only in a snapshot from then on.
	keyCompacted = []byte("journal-compacted")
)

// Store is one group's raft.LogStore: the newest entries are in the
// journal and in memory (the tail), the rest in the group's bolt store.
// It behaves as the bolt store alone would; only where the bytes sit
// differs.
type Store struct {
	j     *Journal
	group uint32
	inc   uint64
	bolt  *raftboltdb.BoltStore

	// fmu orders flushes and the changes made to bolt directly
	// (DeleteRange, out-of-order StoreLogs): each such change flushes
	// first, so a record replayed at start never undoes it.
	fmu sync.Mutex
	mu  sync.RWMutex
	// tail holds consecutive entries after everything in bolt, stored in
	// the journal but not yet in bolt; tailSeq is the newest of their
	// records.
	tail                []*raft.Log
	tailSeq             uint64
	boltFirst, boltLast uint64
	closed              bool
}

var _ raft.LogStore = (*Store)(nil)

// OpenStore attaches a group's bolt store to the journal: entries the
// last run journaled but did not move into bolt are moved now, and bolt
// is synced before the journal may forget them.
func (j *Journal) OpenStore(group uint32, bolt *raftboltdb.BoltStore) (*Store, error) {
	s := &Store{j: j, group: group, bolt: bolt}
	inc, err := bolt.GetUint64(keyIncarnation)
	if err != nil && !errors.Is(err, raftboltdb.ErrKeyNotFound) {
		return nil, fmt.Errorf("shard %d: %w", group, err)
	}
	if inc == 0 {
		var b [8]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, err
		}
		inc = binary.BigEndian.Uint64(b[:]) | 1
		if err := bolt.SetUint64(keyIncarnation, inc); err != nil {
			return nil, fmt.Errorf("shard %d: %w", group, err)
		}
	}
	s.inc = inc
	flushed, err := bolt.GetUint64(keyFlushed)
	if err != nil && !errors.Is(err, raftboltdb.ErrKeyNotFound) {
		return nil, fmt.Errorf("shard %d: %w", group, err)
	}
	if err := s.replay(j.takeRecovered(group), flushed); err != nil {
		return nil, err
	}
	if s.boltFirst, err = bolt.FirstIndex(); err != nil {
		return nil, fmt.Errorf("shard %d: %w", group, err)
	}
	if s.boltLast, err = bolt.LastIndex(); err != nil {
		return nil, fmt.Errorf("shard %d: %w", group, err)
	}
	j.register(s)
	return s, nil
}

func (s *Store) replay(recs []record, flushed uint64) error {
	last := flushed
	for _, r := range recs {
		if r.inc != s.inc || r.seq <= flushed {
			continue
		}
		if err := s.bolt.StoreLogs(r.logs); err != nil {
			return fmt.Errorf("shard %d: replaying the journal: %w", s.group, err)
		}
		last = r.seq
	}
	if last != flushed {
		if err := s.bolt.SetUint64(keyFlushed, last); err != nil {
			return fmt.Errorf("shard %d: %w", s.group, err)
		}
		if err := s.bolt.Sync(); err != nil {
			return fmt.Errorf("shard %d: %w", s.group, err)
		}
	}
	s.j.bumpSeq(last)
	return nil
}

// FirstIndex implements raft.LogStore.
func (s *Store) FirstIndex() (uint64, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.boltFirst != 0 {
		return s.boltFirst, nil
	}
	if len(s.tail) > 0 {
		return s.tail[0].Index, nil
	}
	return 0, nil
}

// LastIndex implements raft.LogStore.
func (s *Store) LastIndex() (uint64, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.lastLocked(), nil
}

func (s *Store) lastLocked() uint64 {
	if n := len(s.tail); n > 0 {
		return s.tail[n-1].Index
	}
	return s.boltLast
}

// GetLog implements raft.LogStore.
func (s *Store) GetLog(index uint64, out *raft.Log) error {
	s.mu.RLock()
	if n := len(s.tail); n > 0 && index >= s.tail[0].Index && index <= s.tail[n-1].Index {
		*out = *s.tail[index-s.tail[0].Index]
		s.mu.RUnlock()
		return nil
	}
	s.mu.RUnlock()
	// Entries leave the tail only once they are in bolt.
	return s.bolt.GetLog(index, out)
}

// StoreLog implements raft.LogStore.
func (s *Store) StoreLog(l *raft.Log) error { return s.StoreLogs([]*raft.Log{l}) }

// StoreLogs implements raft.LogStore. Entries that extend the log go to
// the journal; anything else (raft overwriting entries it deleted first
// is the only case) is written to bolt directly, after a flush.
func (s *Store) StoreLogs(logs []*raft.Log) error {
	if len(logs) == 0 {
		return nil
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	last := s.lastLocked()
	if logs[0].Index == last+1 || (len(s.tail) == 0 && logs[0].Index > last) {
		seq, err := s.j.append(s.group, s.inc, logs)
		if err == nil {
			s.tail = append(s.tail, logs...)
			s.tailSeq = seq
		}
		s.mu.Unlock()
		if err != nil {
			return fmt.Errorf("shard %d: %w", s.group, err)
		}
		return nil
	}
	s.mu.Unlock()
	return s.direct(func() error { return s.bolt.StoreLogs(logs) })
}

// DeleteRange implements raft.LogStore. Deleting from the front is
// remembered (CompactedTo).
func (s *Store) DeleteRange(min, max uint64) error {
	return s.direct(func() error {
		if first, err := s.bolt.FirstIndex(); err == nil && min <= first && max >= first {
			if c, _ := s.CompactedTo(); max > c {
				if err := s.bolt.SetUint64(keyCompacted, max); err != nil {
					return err
				}
			}
		}
		return s.bolt.DeleteRange(min, max)
	})
}

// CompactedTo returns the last entry ever deleted from the front of the
// log (0 if none): a snapshot must cover it, or the group lost data.
func (s *Store) CompactedTo() (uint64, error) {
	c, err := s.bolt.GetUint64(keyCompacted)
	if errors.Is(err, raftboltdb.ErrKeyNotFound) {
		return 0, nil
	}
	return c, err
}

// direct flushes the tail, then changes bolt with change.
func (s *Store) direct(change func() error) error {
	s.fmu.Lock()
	defer s.fmu.Unlock()
	if err := s.flushLocked(false); err != nil {
		return err
	}
	if err := change(); err != nil {
		return fmt.Errorf("shard %d: %w", s.group, err)
	}
	if s.j.opt.Sync == SyncAlways {
		if err := s.bolt.Sync(); err != nil {
			return fmt.Errorf("shard %d: %w", s.group, err)
		}
	}
	first, ferr := s.bolt.FirstIndex()
	last, lerr := s.bolt.LastIndex()
	if err := errors.Join(ferr, lerr); err != nil {
		return fmt.Errorf("shard %d: %w", s.group, err)
	}
	s.mu.Lock()
	s.boltFirst, s.boltLast = first, last
	s.mu.Unlock()
	return nil
}

// flush is the journal's: it may come just after the store closed (and
// its bolt store with it), and then does nothing.
func (s *Store) flush(sync bool) error {
	s.fmu.Lock()
	defer s.fmu.Unlock()
	s.mu.RLock()
	closed := s.closed
	s.mu.RUnlock()
	if closed {
		return nil
	}
	return s.flushLocked(sync)
}

// flushLocked moves the tail into bolt in one transaction. The entries
// stay readable from the tail until bolt has them.
func (s *Store) flushLocked(sync bool) error {
	s.mu.RLock()
	batch, seq := s.tail, s.tailSeq
	s.mu.RUnlock()
	if len(batch) > 0 {
		if err := s.bolt.StoreLogs(batch); err != nil {
			return fmt.Errorf("shard %d: flushing the journal into bolt: %w", s.group, err)
		}
		if err := s.bolt.SetUint64(keyFlushed, seq); err != nil {
			return fmt.Errorf("shard %d: %w", s.group, err)
		}
		s.mu.Lock()
		s.tail = append([]*raft.Log(nil), s.tail[len(batch):]...)
		s.boltLast = batch[len(batch)-1].Index
		if s.boltFirst == 0 {
			s.boltFirst = batch[0].Index
		}
		s.mu.Unlock()
	}
	if sync {
		if err := s.bolt.Sync(); err != nil {
			return fmt.Errorf("shard %d: %w", s.group, err)
		}
	}
	return nil
}

// Close moves the tail into bolt and detaches the store from the journal;
// the group closes the bolt store afterwards.
func (s *Store) Close() error {
	s.fmu.Lock()
	defer s.fmu.Unlock()
	err := s.flushLocked(s.j.opt.Sync != SyncNo)
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.j.unregister(s)
	return err
}
