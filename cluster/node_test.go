package cluster

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ember-node/ember-node/persistence"
	"github.com/ember-node/ember-node/rpc/resp"
	"github.com/ember-node/ember-node/shard"
	"github.com/ember-node/ember-node/shard/command"
)

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func testNode(t *testing.T, dir string, shards int) *Node {
	t.Helper()
	cfg := DefaultNodeConfig(dir)
	cfg.Shards = shards
	cfg.ClusterAddr = "127.0.0.1:0"
	cfg.Group.HeartbeatTimeout = 100 * time.Millisecond
	cfg.Group.ElectionTimeout = 100 * time.Millisecond
	n, err := StartNode(cfg, command.NewTable(), quietLog())
	if err != nil {
		t.Fatal(err)
	}
	if err := n.WaitLeaders(10 * time.Second); err != nil {
		n.Close()
		t.Fatal(err)
	}
	return n
}

func write(t *testing.T, s interface {
	Write(int, *persistence.Record, command.Writer) error
}, argv ...string) string {
	t.Helper()
	args := make([][]byte, len(argv))
	for i, a := range argv {
		args[i] = []byte(a)
	}
	slot := -1
	if len(args) > 1 {
		slot = shard.KeySlot(args[1])
	}
	var w resp.Writer
	rec := persistence.Record{Tag: persistence.TagCommand, Time: time.Now().UnixMilli(), Args: args}
	if err := s.Write(slot, &rec, &w); err != nil {
		t.Fatalf("%q: %v", argv, err)
	}
	return string(w.B)
}

func TestNodeRestartKeepsWrites(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	n := testNode(t, dir, 4)
	for i := range 200 {
		if got := write(t, n, "set", "k"+itoa(i), "v"+itoa(i)); got != "+OK\r\n" {
			t.Fatalf("set: %q", got)
		}
	}
	count := 0
	if err := n.Each(func(ks *shard.Keyspace, _ int64) bool { count += ks.Len(); return true }); err != nil {
		t.Fatal(err)
	}
	if count != 200 {
		t.Fatalf("before restart: %d keys", count)
	}
	n.Close()
	n = testNode(t, dir, 16) // the data dir keeps its 4 shards
	defer n.Close()
	if len(n.Groups()) != 4 {
		t.Fatalf("restarted with %d shards", len(n.Groups()))
	}
	// Applied entries come back once the restarted leader commits.
	deadline := time.Now().Add(10 * time.Second)
	for {
		count = 0
		n.Each(func(ks *shard.Keyspace, _ int64) bool { count += ks.Len(); return true })
		if count == 200 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if count != 200 {
		t.Fatalf("after restart: %d keys, want 200", count)
	}
}

func itoa(i int) string {
	return string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676))
}

// A damaged newest snapshot: with the log still covering the older
// snapshot the node recovers everything from it; without, it refuses to
// start and names the file.
func TestDamagedSnapshot(t *testing.T) {
	t.Parallel()
	t.Run("not covered", func(t *testing.T) { t.Parallel(); damagedSnapshot(t, 5) })
	t.Run("covered by the log", func(t *testing.T) { t.Parallel(); damagedSnapshot(t, 10000) })
}

func damagedSnapshot(t *testing.T, trailing uint64) {
	dir := t.TempDir()
	cfg := DefaultNodeConfig(dir)
	cfg.Shards = 1
	cfg.ClusterAddr = "127.0.0.1:0"
	cfg.Group.HeartbeatTimeout = 100 * time.Millisecond
	cfg.Group.ElectionTimeout = 100 * time.Millisecond
	cfg.Group.TrailingLogs = trailing
	n, err := StartNode(cfg, command.NewTable(), quietLog())
	if err != nil {
		t.Fatal(err)
	}
	if err := n.WaitLeaders(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	for round := range 2 {
		for i := range 50 {
			write(t, n, "set", "k"+itoa(i), itoa(round))
		}
		if err := n.Snapshot(); err != nil {
			t.Fatal(err)
		}
	}
	n.Close()
	states, _ := filepath.Glob(filepath.Join(dir, "shard-00000", "snapshots", "*", "state.bin"))
	if len(states) != 2 {
		t.Fatalf("snapshots: %v", states)
	}
	// Folder names are term-index-time: the newest has the larger index.
	idx := func(p string) int {
		parts := strings.Split(filepath.Base(filepath.Dir(p)), "-")
		n, _ := strconv.Atoi(parts[1])
		return n
	}
	slices.SortFunc(states, func(a, b string) int { return idx(a) - idx(b) })
	b, err := os.ReadFile(states[1])
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0xff
	os.WriteFile(states[1], b, 0o644)
	n, err = StartNode(cfg, command.NewTable(), quietLog())
	if trailing > 50 {
		if err != nil {
			t.Fatalf("covered damage refused: %v", err)
		}
		defer n.Close()
		if err := n.WaitLeaders(10 * time.Second); err != nil {
			t.Fatal(err)
		}
		for i := range 50 {
			var got string
			n.Read(shard.KeySlot([]byte("k"+itoa(i))), time.Now(), func(ks *shard.Keyspace, now int64) {
				if o := ks.Lookup([]byte("k"+itoa(i)), now); o != nil {
					got = string(o.Str)
				}
			})
			if got != itoa(1) {
				t.Fatalf("k%s = %q after recovery, want %q", itoa(i), got, itoa(1))
			}
		}
		return
	}
	if err == nil || !strings.Contains(err.Error(), states[1]) || !strings.Contains(err.Error(), "CRC mismatch") {
		t.Fatalf("start with a damaged snapshot: %v", err)
	}
}

// A raft.db that lost its state (emptied or deleted) next to snapshots
// has lost the writes after them: the node refuses to start instead of
// serving the snapshot's older data.
func TestLostLogRefusesToStart(t *testing.T) {
	t.Parallel()
	for _, damage := range []string{"empty", "deleted"} {
		t.Run(damage, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			cfg := DefaultNodeConfig(dir)
			cfg.Shards, cfg.ClusterAddr = 1, "127.0.0.1:0"
			cfg.Group.HeartbeatTimeout, cfg.Group.ElectionTimeout = 100*time.Millisecond, 100*time.Millisecond
			n, err := StartNode(cfg, command.NewTable(), quietLog())
			if err != nil {
				t.Fatal(err)
			}
			if err := n.WaitLeaders(10 * time.Second); err != nil {
				t.Fatal(err)
			}
			write(t, n, "set", "before", "1")
			if err := n.Snapshot(); err != nil {
				t.Fatal(err)
			}
			write(t, n, "set", "after", "2")
			n.Close()
			db := filepath.Join(dir, "shard-00000", "raft.db")
			if damage == "empty" {
				os.WriteFile(db, nil, 0o644)
			} else {
				os.Remove(db)
			}
			n, err = StartNode(cfg, command.NewTable(), quietLog())
			if err == nil {
				n.Close()
				t.Fatal("started with a lost log: writes after the snapshot would be gone")
			}
			if !strings.Contains(err.Error(), db) || !strings.Contains(err.Error(), "log after it is missing") {
				t.Fatalf("error does not say what is wrong: %v", err)
			}
		})
	}
}
