package fsm

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/raft"

	"github.com/ember-node/ember-node/persistence"
	"github.com/ember-node/ember-node/shard/command"
	"github.com/ember-node/ember-node/shard/store"
)

var table = command.NewTable()

func newFSM() *FSM {
	return New(0, table, "/data/shard-00000", slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// entry makes the raft log entry of one command record.
func entry(index uint64, now int64, seed uint64, argv ...string) *raft.Log {
	args := make([][]byte, len(argv))
	for i, a := range argv {
		args[i] = []byte(a)
	}
	rec := persistence.Record{Tag: persistence.TagCommand, Time: now, Seed: seed, Args: args}
	return &raft.Log{Index: index, Type: raft.LogCommand, Data: rec.AppendBinary(nil)}
}

// applier feeds entries with increasing indexes.
type applier struct {
	t     *testing.T
	f     *FSM
	index uint64
	now   int64
}

func (a *applier) do(argv ...string) string {
	a.t.Helper()
	a.index++
	out := a.f.ApplyBatch([]*raft.Log{entry(a.index, a.now, a.index, argv...)})
	res := out[0].(*Result)
	if res.Err != nil {
		a.t.Fatalf("%q: %v", argv, res.Err)
	}
	return string(res.Reply)
}

func TestApplyRepliesAndIndex(t *testing.T) {
	t.Parallel()
	a := &applier{t: t, f: newFSM(), now: 1000}
	cases := []struct {
		argv []string
		want string
	}{
		{[]string{"set", "k", "v"}, "+OK\r\n"},
		{[]string{"incr", "n"}, ":1\r\n"},
		{[]string{"incr", "k"}, "-ERR value is not an integer or out of range\r\n"},
		{[]string{"lpush", "k", "x"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
		{[]string{"set", "t", "v", "PXAT", "1500"}, "+OK\r\n"},
	}
	for _, c := range cases {
		if got := a.do(c.argv...); got != c.want {
			t.Errorf("%q: got %q, want %q", c.argv, got, c.want)
		}
	}
	if a.f.Applied() != uint64(len(cases)) {
		t.Errorf("applied index %d", a.f.Applied())
	}
	// The record's time decides expiry: at 1499 t lives, at 1500 it is gone.
	a.now = 1499
	if got := a.do("getdel", "t"); got != "$1\r\nv\r\n" {
		t.Errorf("getdel before expiry: %q", got)
	}
}

func TestCorruptEntryStopsShard(t *testing.T) {
	t.Parallel()
	f := newFSM()
	good := entry(1, 1, 1, "set", "a", "1")
	bad := entry(2, 1, 1, "set", "b", "2")
	bad.Data[len(bad.Data)-1] ^= 1
	out := f.ApplyBatch([]*raft.Log{good, bad, entry(3, 1, 1, "set", "c", "3")})
	res := out[1].(*Result)
	if !errors.Is(res.Err, store.ErrStopped) || !strings.Contains(res.Err.Error(), "log entry 2 in /data/shard-00000") ||
		!strings.Contains(res.Err.Error(), "checksum") {
		t.Fatalf("corrupt entry: %v", res.Err)
	}
	if r3 := out[2].(*Result); !errors.Is(r3.Err, store.ErrStopped) {
		t.Fatalf("entry after the corrupt one applied: %+v", r3)
	}
	if err := f.Read(0, nil); !errors.Is(err, store.ErrStopped) {
		t.Fatalf("read after stop: %v", err)
	}
}

// memSink collects a snapshot in memory.
type memSink struct{ bytes.Buffer }

func (*memSink) ID() string    { return "test" }
func (*memSink) Cancel() error { return nil }
func (*memSink) Close() error  { return nil }

// fill writes keys of every type into several slots.
func fill(a *applier, n int) {
	for i := range n {
		k := strconv.Itoa(i)
		a.do("set", "s"+k, "v"+k)
		a.do("rpush", "l"+k, "a", "b", k)
		a.do("hset", "h"+k, "f", k, "g", "x")
		a.do("sadd", "set"+k, "a", "b", "c", k)
		a.do("zadd", "z"+k, "1", "a", k, "b")
		if i%3 == 0 {
			a.do("pexpireat", "s"+k, "99999999999999")
		}
	}
}

func TestSnapshotIsPointInTimeWhileWritesContinue(t *testing.T) {
	t.Parallel()
	a := &applier{t: t, f: newFSM(), now: 1000}
	fill(a, 300)
	want := a.f.Digest()
	snap, err := a.f.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	// Writes after the capture must not show in the snapshot.
	for i := range 300 {
		k := strconv.Itoa(i)
		a.do("append", "s"+k, "-changed")
		a.do("rpush", "l"+k, "more")
		a.do("hset", "h"+k, "f", "changed")
		a.do("srem", "set"+k, "a")
		a.do("zincrby", "z"+k, "5", "a")
		a.do("del", "h"+strconv.Itoa((i+7)%300))
	}
	a.do("flushall")
	after := a.f.Digest()
	var sink memSink
	if err := snap.Persist(&sink); err != nil {
		t.Fatal(err)
	}
	snap.Release()
	b := newFSM()
	if err := b.Restore(io.NopCloser(bytes.NewReader(sink.Bytes()))); err != nil {
		t.Fatal(err)
	}
	if got := b.Digest(); got != want {
		t.Fatalf("restored digest %s, want the capture-time %s (live is %s)", got, want, after)
	}
}

func TestRestoredReplicaDrawsTheSameRandomPicks(t *testing.T) {
	t.Parallel()
	a := &applier{t: t, f: newFSM(), now: 1000}
	for i := range 200 {
		a.do("sadd", "s", strconv.Itoa(i))
		if i%3 == 0 {
			a.do("srem", "s", strconv.Itoa(i/2))
		}
	}
	snap, _ := a.f.Snapshot()
	var sink memSink
	if err := snap.Persist(&sink); err != nil {
		t.Fatal(err)
	}
	snap.Release()
	b := &applier{t: t, f: newFSM(), now: 1000, index: a.index}
	if err := b.f.Restore(io.NopCloser(bytes.NewReader(sink.Bytes()))); err != nil {
		t.Fatal(err)
	}
	for range 20 {
		if x, y := a.do("spop", "s", "3"), b.do("spop", "s", "3"); x != y {
			t.Fatalf("SPOP differs after restore: %q vs %q", x, y)
		}
	}
}

func TestCorruptSnapshotStopsShard(t *testing.T) {
	t.Parallel()
	a := &applier{t: t, f: newFSM(), now: 1000}
	fill(a, 20)
	snap, _ := a.f.Snapshot()
	var sink memSink
	snap.Persist(&sink)
	snap.Release()
	data := sink.Bytes()
	data[len(data)/2] ^= 0x10
	b := newFSM()
	err := b.Restore(io.NopCloser(bytes.NewReader(data)))
	if !errors.Is(err, store.ErrStopped) || !strings.Contains(err.Error(), "snapshot in /data/shard-00000") {
		t.Fatalf("corrupt snapshot: %v", err)
	}
	if b.Err() == nil {
		t.Fatal("shard still serving after a corrupt snapshot")
	}
}

func TestBatchEntryRepliesPerRecord(t *testing.T) {
	t.Parallel()
	f := newFSM()
	var recs [][]byte
	for _, argv := range [][]string{{"set", "a", "1"}, {"incr", "a"}, {"lpush", "a", "x"}, {"append", "a", "0"}} {
		args := make([][]byte, len(argv))
		for i, a := range argv {
			args[i] = []byte(a)
		}
		r := persistence.Record{Tag: persistence.TagCommand, Time: 5, Args: args}
		recs = append(recs, r.AppendBinary(nil))
	}
	batch := persistence.Record{Tag: persistence.TagBatch, Args: recs}
	out := f.ApplyBatch([]*raft.Log{{Index: 1, Type: raft.LogCommand, Data: batch.AppendBinary(nil)}})
	res := out[0].(*Result)
	want := []string{"+OK\r\n", ":2\r\n", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ":2\r\n"}
	if len(res.Batch) != len(want) {
		t.Fatalf("batch result: %+v", res)
	}
	for i, w := range want {
		if got := string(res.Batch[i].Reply); got != w {
			t.Errorf("record %d: %q, want %q", i, got, w)
		}
	}
}
