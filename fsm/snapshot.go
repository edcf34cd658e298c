package fsm

import (
	"fmt"
	"io"
	"time"

	"github.com/hashicorp/raft"

	"github.com/ember-node/ember-node/persistence"
	"github.com/ember-node/ember-node/shard"
	"github.com/ember-node/ember-node/shard/store"
)

// Snapshot starts a copy-on-write capture in O(slots): it does not copy
// the keyspace. Persist then streams slot by slot while writes go on;
// a write to a slot not yet streamed copies that slot first.
func (f *FSM) Snapshot() (raft.FSMSnapshot, error) {
	if err := f.Err(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cap != nil {
		// raft never takes two snapshots at once; be safe anyway.
		return nil, fmt.Errorf("shard %d: snapshot already in progress", f.shard)
	}
	f.cap = f.ks.BeginCapture()
	return &snapshot{f: f, c: f.cap, applied: f.applied.Load(), started: time.Now()}, nil
}

type snapshot struct {
	f       *FSM
	c       *shard.Capture
	applied uint64
	started time.Time
}

// Persist streams the captured keyspace into sink.
func (s *snapshot) Persist(sink raft.SnapshotSink) error {
	err := s.write(sink)
	if err != nil {
		sink.Cancel()
		return fmt.Errorf("shard %d: snapshot: %w", s.f.shard, err)
	}
	s.f.log.Info("snapshot persisted", "keys", s.c.Keys, "took", time.Since(s.started).Round(time.Millisecond))
	return sink.Close()
}

func (s *snapshot) write(w io.Writer) error {
	sw := persistence.NewSnapshotWriter(w, s.applied)
	for {
		s.f.mu.Lock()
		_, d, ok := s.c.NextSlot()
		s.f.mu.Unlock()
		if !ok {
			break
		}
		d.Range(func(key string, o *shard.Object) bool {
			writeObject(sw, []byte(key), o)
			return true
		})
	}
	return sw.Close()
}

func writeObject(w *persistence.SnapshotWriter, key []byte, o *shard.Object) {
	switch o.Kind {
	case shard.KindString:
		w.String(key, o.ExpireAt, o.Str)
	case shard.KindList:
		l := o.List()
		w.Begin(persistence.SnapList, key, o.ExpireAt, 0, uint64(l.Len()))
		for i := range l.Len() {
			w.Elem(l.At(i))
		}
	case shard.KindHash:
		h := o.Hash()
		w.Begin(persistence.SnapHash, key, o.ExpireAt, uint64(h.TableSize()), uint64(h.Len()))
		h.Range(func(f string, v []byte) bool { w.Pair([]byte(f), v); return true })
	case shard.KindSet:
		st := o.Set()
		w.Begin(persistence.SnapSet, key, o.ExpireAt, uint64(st.TableSize()), uint64(st.Len()))
		st.Range(func(m string) bool { w.Elem([]byte(m)); return true })
	case shard.KindZSet:
		z := o.ZSet()
		w.Begin(persistence.SnapZSet, key, o.ExpireAt, 0, uint64(z.Len()))
		z.Each(func(m string, score float64) { w.Scored([]byte(m), score) })
	}
}

// Release ends the capture.
func (s *snapshot) Release() {
	s.f.mu.Lock()
	s.c.Release()
	if s.f.cap == s.c {
		s.f.cap = nil
	}
	s.f.mu.Unlock()
}

// Restore replaces the keyspace with a snapshot's. It builds the new
// keyspace aside and swaps it in only once the stream's checksum matched,
// so a corrupt snapshot leaves the group stopped, never half-loaded.
func (f *FSM) Restore(rc io.ReadCloser) error {
	defer rc.Close()
	ks, applied, err := ReadSnapshot(rc)
	if err != nil {
		err = fmt.Errorf("%w: shard %d: snapshot in %s: %w", store.ErrStopped, f.shard, f.where, err)
		f.fail(err)
		return err
	}
	f.mu.Lock()
	if f.cap != nil {
		f.cap.Release()
		f.cap = nil
	}
	f.ks = ks
	f.used.Store(ks.UsedMemory())
	f.mu.Unlock()
	f.voters.Store(0) // unknown: the configuration entries it covers are not replayed
	f.setApplied(applied)
	f.log.Info("restored snapshot", "keys", ks.Len())
	return nil
}

// ReadSnapshot decodes a snapshot stream into a new keyspace, with the
// applied index it was taken at.
func ReadSnapshot(r io.Reader) (*shard.Keyspace, uint64, error) {
	sr, err := persistence.NewSnapshotReader(r)
	if err != nil {
		return nil, 0, err
	}
	ks, err := readEntries(sr)
	return ks, sr.Applied, err
}

func readEntries(sr *persistence.SnapshotReader) (*shard.Keyspace, error) {
	ks := shard.New()
	for {
		e, err := sr.Next()
		if err == io.EOF {
			ks.FinishRestore()
			return ks, nil
		}
		if err != nil {
			return nil, err
		}
		if ks.Peek(e.Key) != nil {
			return nil, fmt.Errorf("%w: key %q twice", persistence.ErrSnapCorrupt, e.Key)
		}
		if err := readObject(sr, ks, &e); err != nil {
			return nil, err
		}
	}
}

func readObject(sr *persistence.SnapshotReader, ks *shard.Keyspace, e *persistence.SnapEntry) error {
	switch e.Kind {
	case persistence.SnapString:
		ks.RestoreString(e.Key, e.Str, e.ExpireAt)
	case persistence.SnapList:
		l := ks.RestoreList(e.Key, e.ExpireAt)
		for range e.Count {
			v, err := sr.Elem()
			if err != nil {
				return err
			}
			l.PushBack(v)
		}
	case persistence.SnapHash:
		h := ks.RestoreHash(e.Key, e.ExpireAt, int(e.Table))
		for range e.Count {
			fv, v, err := sr.Pair()
			if err != nil {
				return err
			}
			if _, dup := h.Get(fv); dup {
				return fmt.Errorf("%w: hash %q field %q twice", persistence.ErrSnapCorrupt, e.Key, fv)
			}
			h.RestorePair(fv, v)
		}
	case persistence.SnapSet:
		s := ks.RestoreSet(e.Key, e.ExpireAt, int(e.Table))
		for range e.Count {
			m, err := sr.Elem()
			if err != nil {
				return err
			}
			if s.Has(m) {
				return fmt.Errorf("%w: set %q member %q twice", persistence.ErrSnapCorrupt, e.Key, m)
			}
			s.RestoreMember(m)
		}
	case persistence.SnapZSet:
		z := ks.RestoreZSet(e.Key, e.ExpireAt)
		for range e.Count {
			m, score, err := sr.Scored()
			if err != nil {
				return err
			}
			if !z.Set(m, score) {
				return fmt.Errorf("%w: zset %q member %q twice", persistence.ErrSnapCorrupt, e.Key, m)
			}
		}
	}
	return nil
}
