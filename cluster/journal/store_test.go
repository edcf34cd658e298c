package journal

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb/v2"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// testOptions never flushes or rotates by itself unless a test asks.
func testOptions(dir string) Options {
	o := DefaultOptions(filepath.Join(dir, "journal"), SyncEverySec, quiet())
	o.FlushEvery, o.RotateEvery = time.Hour, time.Hour
	return o
}

func openBolt(t testing.TB, path string) *raftboltdb.BoltStore {
	t.Helper()
	b, err := raftboltdb.New(raftboltdb.Options{Path: path, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// node is one journal with stores for shards 0..n-1 in dir.
type node struct {
	j      *Journal
	bolts  []*raftboltdb.BoltStore
	stores []*Store
}

func openNode(t testing.TB, dir string, opt Options, n int) *node {
	t.Helper()
	j, err := Open(opt)
	if err != nil {
		t.Fatal(err)
	}
	nd := &node{j: j}
	for i := range n {
		b := openBolt(t, filepath.Join(dir, fmt.Sprintf("shard-%d.db", i)))
		s, err := j.OpenStore(uint32(i), b)
		if err != nil {
			t.Fatal(err)
		}
		nd.bolts, nd.stores = append(nd.bolts, b), append(nd.stores, s)
	}
	j.DropRecovered()
	return nd
}

func (nd *node) close(t testing.TB) {
	t.Helper()
	for i, s := range nd.stores {
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		nd.bolts[i].Close()
	}
	if err := nd.j.Close(); err != nil {
		t.Fatal(err)
	}
}

// crash copies dir as a killed process would leave it: what was written
// is in the files, nothing is flushed or closed. The running node is
// abandoned (its files are released by the test's cleanup).
func crash(t testing.TB, dir string) string {
	t.Helper()
	to := t.TempDir()
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if info.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return to
}

func entries(first, n int, term uint64) []*raft.Log {
	logs := make([]*raft.Log, n)
	for i := range logs {
		idx := uint64(first + i)
		logs[i] = &raft.Log{Index: idx, Term: term, Type: raft.LogCommand,
			Data: []byte(fmt.Sprintf("entry %d term %d", idx, term)), AppendedAt: time.Unix(0, int64(idx))}
	}
	return logs
}

// sameLog asserts two log stores hold the same entries.
func sameLog(t testing.TB, want, got raft.LogStore, upTo uint64) {
	t.Helper()
	wf, _ := want.FirstIndex()
	gf, _ := got.FirstIndex()
	wl, _ := want.LastIndex()
	gl, _ := got.LastIndex()
	if wf != gf || wl != gl {
		t.Fatalf("first/last: want %d/%d, got %d/%d", wf, wl, gf, gl)
	}
	from := max(min(wf, gf), 2) - 1
	for i := from; i <= upTo; i++ {
		var a, b raft.Log
		aerr, berr := want.GetLog(i, &a), got.GetLog(i, &b)
		if (aerr == nil) != (berr == nil) {
			t.Fatalf("entry %d: want error %v, got %v", i, aerr, berr)
		}
		if aerr == nil && (a.Index != b.Index || a.Term != b.Term || !bytes.Equal(a.Data, b.Data) || a.Type != b.Type) {
			t.Fatalf("entry %d: want %d/%d %q, got %d/%d %q", i, a.Index, a.Term, a.Data, b.Index, b.Term, b.Data)
		}
	}
}

// TestStoreActsAsBolt drives a journaled store and a plain bolt store
// with the same random sequence of what raft does to a log (appends,
// prefix compaction, a follower's suffix truncation and overwrite, a gap
// after a snapshot install), flushing at random moments, and compares
// them after every step; then after a crash and a replay.
func TestStoreActsAsBolt(t *testing.T) {
	for seed := range uint64(6) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 1))
			dir := t.TempDir()
			nd := openNode(t, dir, testOptions(dir), 1)
			s := nd.stores[0]
			ref := openBolt(t, filepath.Join(t.TempDir(), "ref.db"))
			defer ref.Close()
			term := uint64(1)
			both := func(f func(raft.LogStore) error) {
				t.Helper()
				if err := f(ref); err != nil {
					t.Fatal(err)
				}
				if err := f(s); err != nil {
					t.Fatal(err)
				}
			}
			for range 200 {
				first, _ := ref.FirstIndex()
				last, _ := ref.LastIndex()
				switch op := rng.IntN(21); {
				case op < 12: // append
					logs := entries(int(last)+1, 1+rng.IntN(5), term)
					both(func(l raft.LogStore) error { return l.StoreLogs(logs) })
				case op < 14 && last > first+4: // compaction
					upTo := first + uint64(rng.IntN(int(last-first)-2))
					both(func(l raft.LogStore) error { return l.DeleteRange(first, upTo) })
				case op < 17 && last > first+2: // conflict: truncate, then overwrite
					from := last - uint64(rng.IntN(3))
					term++
					logs := entries(int(from), rng.IntN(3)+1, term)
					both(func(l raft.LogStore) error {
						if err := l.DeleteRange(from, last); err != nil {
							return err
						}
						return l.StoreLogs(logs)
					})
				case op < 18: // snapshot installed: everything goes, the log resumes later
					logs := entries(int(last)+10+rng.IntN(10), 3, term)
					both(func(l raft.LogStore) error {
						if last > 0 {
							if err := l.DeleteRange(first, last); err != nil {
								return err
							}
						}
						return l.StoreLogs(logs)
					})
				case op == 18 && last > first+2: // bolt's semantics beyond raft's use: overwrite in place, gaps
					from := last - uint64(rng.IntN(3))
					if rng.IntN(2) == 0 {
						from = last + 2 + uint64(rng.IntN(3))
					}
					logs := entries(int(from), rng.IntN(2)+1, term)
					both(func(l raft.LogStore) error { return l.StoreLogs(logs) })
				default:
					if err := s.flush(rng.IntN(2) == 0); err != nil {
						t.Fatal(err)
					}
				}
				last, _ = ref.LastIndex()
				sameLog(t, ref, s, last+2)
			}
			copyDir := crash(t, dir)
			last, _ := ref.LastIndex()
			re := openNode(t, copyDir, testOptions(copyDir), 1)
			sameLog(t, ref, re.stores[0], last+2)
			re.close(t)
			nd.close(t)
		})
	}
}

// TestCrashKeepsStoredEntries: entries StoreLogs accepted and never
// flushed into bolt are there after a crash, for every shard of the
// node, when many shards stored concurrently (one journal write carried
// several shards' records).
func TestCrashKeepsStoredEntries(t *testing.T) {
	dir := t.TempDir()
	nd := openNode(t, dir, testOptions(dir), 8)
	var wg sync.WaitGroup
	for i, s := range nd.stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 200 {
				if err := s.StoreLogs(entries(k*2+1, 2, uint64(i+1))); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, b := range nd.bolts {
		if last, _ := b.LastIndex(); last != 0 {
			t.Fatalf("bolt already holds entries up to %d: the test would not prove the journal keeps them", last)
		}
	}
	copyDir := crash(t, dir)
	re := openNode(t, copyDir, testOptions(copyDir), 8)
	defer re.close(t)
	for i, s := range re.stores {
		ref := openBolt(t, filepath.Join(t.TempDir(), "ref.db"))
		if err := ref.StoreLogs(entries(1, 400, uint64(i+1))); err != nil {
			t.Fatal(err)
		}
		sameLog(t, ref, s, 402)
		// Replayed into bolt itself, not only into memory.
		sameLog(t, ref, re.bolts[i], 402)
		ref.Close()
	}
	nd.close(t)
}

// TestSequenceSurvivesCleanRestart: a clean stop deletes the journal, and
// the next run's record numbers start again low; a store's flushed mark
// from the first run must not hide the second run's records.
func TestSequenceSurvivesCleanRestart(t *testing.T) {
	dir := t.TempDir()
	nd := openNode(t, dir, testOptions(dir), 1)
	for k := range 50 {
		if err := nd.stores[0].StoreLogs(entries(k+1, 1, 1)); err != nil {
			t.Fatal(err)
		}
	}
	nd.close(t)
	if names, _ := segments(filepath.Join(dir, "journal")); len(names) != 0 {
		t.Fatalf("a clean close left %v", names)
	}
	nd = openNode(t, dir, testOptions(dir), 1)
	if err := nd.stores[0].StoreLogs(entries(51, 5, 2)); err != nil {
		t.Fatal(err)
	}
	copyDir := crash(t, dir)
	re := openNode(t, copyDir, testOptions(copyDir), 1)
	if last, _ := re.stores[0].LastIndex(); last != 55 {
		t.Fatalf("last index after the crash %d, want 55", last)
	}
	re.close(t)
	nd.close(t)
}

// TestRecreatedShardIgnoresOldRecords: a shard folder deleted and made
// anew (the node left the shard and joined it again) must not receive
// entries journaled for the old one.
func TestRecreatedShardIgnoresOldRecords(t *testing.T) {
	dir := t.TempDir()
	nd := openNode(t, dir, testOptions(dir), 1)
	if err := nd.stores[0].StoreLogs(entries(1, 10, 1)); err != nil {
		t.Fatal(err)
	}
	copyDir := crash(t, dir)
	if err := os.Remove(filepath.Join(copyDir, "shard-0.db")); err != nil {
		t.Fatal(err)
	}
	re := openNode(t, copyDir, testOptions(copyDir), 1)
	if last, _ := re.stores[0].LastIndex(); last != 0 {
		t.Fatalf("a new shard folder received %d old entries", last)
	}
	re.close(t)
	nd.close(t)
}

// TestRotationDeletesFlushedSegments: rotation moves everything into bolt
// and deletes the old segment; what is stored keeps reading the same.
func TestRotationDeletesFlushedSegments(t *testing.T) {
	dir := t.TempDir()
	opt := testOptions(dir)
	opt.FlushEvery, opt.RotateEvery = 5*time.Millisecond, 20*time.Millisecond
	nd := openNode(t, dir, opt, 2)
	for k := range 100 {
		for _, s := range nd.stores {
			if err := s.StoreLogs(entries(k+1, 1, 1)); err != nil {
				t.Fatal(err)
			}
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		names, _ := segments(opt.Dir)
		last, _ := nd.bolts[1].LastIndex()
		if len(names) == 1 && last == 100 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("segments %v, bolt last %d: rotation did not catch up", names, last)
		}
		time.Sleep(10 * time.Millisecond)
	}
	ref := openBolt(t, filepath.Join(t.TempDir(), "ref.db"))
	defer ref.Close()
	if err := ref.StoreLogs(entries(1, 100, 1)); err != nil {
		t.Fatal(err)
	}
	sameLog(t, ref, nd.stores[1], 101)
	nd.close(t)
}

// TestDamagedJournal: a torn last record of the newest segment is what a
// crash in mid-write leaves (dropped, the rest kept); damage anywhere
// else stops the start with an error naming the file.
func TestDamagedJournal(t *testing.T) {
	cases := []struct {
		name    string
		damage  func(t *testing.T, seg string)
		wantErr bool
		wantLen uint64
	}{
		{"torn tail", func(t *testing.T, seg string) { appendBytes(t, seg, []byte{0, 0, 1, 0, 9, 9}) }, false, 20},
		{"zeros after the last record", func(t *testing.T, seg string) { appendBytes(t, seg, make([]byte, 64)) }, false, 20},
		{"flipped byte in a record of an older segment", func(t *testing.T, seg string) {
			flipByte(t, seg, 40)
			// a newer segment follows, as after a rotation that did not finish
			os.WriteFile(filepath.Join(filepath.Dir(seg), segmentName(1<<40)), nil, 0o644)
		}, true, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			nd := openNode(t, dir, testOptions(dir), 1)
			for k := range 20 {
				if err := nd.stores[0].StoreLogs(entries(k+1, 1, 1)); err != nil {
					t.Fatal(err)
				}
			}
			copyDir := crash(t, dir)
			names, _ := segments(filepath.Join(copyDir, "journal"))
			tc.damage(t, names[len(names)-1])
			_, err := Open(testOptions(copyDir))
			if tc.wantErr {
				if err == nil || !bytes.Contains([]byte(err.Error()), []byte(filepath.Base(names[len(names)-1]))) {
					t.Fatalf("want an error naming %s, got %v", names[len(names)-1], err)
				}
				nd.close(t)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			re := openNode(t, copyDir, testOptions(copyDir), 1)
			if last, _ := re.stores[0].LastIndex(); last != tc.wantLen {
				t.Fatalf("last index %d, want %d", last, tc.wantLen)
			}
			re.close(t)
			nd.close(t)
		})
	}
}

func appendBytes(t *testing.T, path string, b []byte) {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
}

func flipByte(t *testing.T, path string, off int) {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[off] ^= 0xff
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestClosedStoreRefusesWrites(t *testing.T) {
	dir := t.TempDir()
	nd := openNode(t, dir, testOptions(dir), 1)
	s := nd.stores[0]
	nd.close(t)
	if err := s.StoreLogs(entries(1, 1, 1)); !errors.Is(err, ErrClosed) {
		t.Fatalf("StoreLogs after close: %v", err)
	}
}
