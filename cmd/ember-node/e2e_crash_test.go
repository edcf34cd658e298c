package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ember-node/ember-node/cmd/ember-node/harness"
)

const (
	loadWriters = 8
	loadMaxOps  = 20000 // per writer; the node is stopped long before
)

// With --fsync always, a SIGKILL in the middle of concurrent writes loses
// no acknowledged write: after a restart every acknowledged SET reads
// back, every counter and list is exactly what was acknowledged (plus at
// most the one write in flight), nothing else exists, and a second crash
// right after recovery changes nothing. Every shard snapshots and
// compacts its log every few dozen entries meanwhile, so recovery goes
// through snapshot plus log tail, and the kill may land mid-snapshot.
//
// A SIGKILL keeps the page cache, so this proves the process-crash case,
// not power loss: that --fsync always syncs raft.db before the reply is
// sent is a property of the bolt store, checked by tracing syscalls.
func TestE2EKillMidLoadKeepsAcknowledgedWrites(t *testing.T) {
	t.Parallel()
	n := harness.StartNode(t, harness.Config{Flags: []string{"--fsync", "always", "--log-level", "warn",
		"--snapshot-interval", "100ms", "--snapshot-threshold", "40", "--trailing-logs", "10"}})

	l := startLoad(n.Addr, loadWriters, loadMaxOps, time.Now().Add(90*time.Second))
	l.waitAcked(t, 300, 30*time.Second)
	harness.MustDial(t, n.Addr).Expect(t, `+"Background saving started"`, "BGSAVE")
	l.waitAcked(t, 900, 30*time.Second)
	l.stopping.Store(true)
	n.Kill()
	l.finish(t)
	snapped := map[string]bool{}
	states, _ := filepath.Glob(filepath.Join(n.Dir, "shard-*", "snapshots", "*", "state.bin"))
	for _, s := range states {
		if !strings.Contains(s, ".tmp") {
			snapped[filepath.Base(filepath.Dir(filepath.Dir(filepath.Dir(s))))] = true
		}
	}
	if len(snapped) != 16 {
		t.Fatalf("%d of 16 shards have a snapshot: recovery would not start from one", len(snapped))
	}

	n.Start()
	n.WaitServing(harness.StartTimeout)
	first := l.verify(t, harness.MustDial(t, n.Addr))

	n.Restart(harness.StartTimeout)
	if again := l.verify(t, harness.MustDial(t, n.Addr)); again != first {
		t.Errorf("a second crash and recovery changed the state")
	}
}

// A graceful stop (SIGTERM) in the middle of concurrent writes, with
// --fsync everysec, exits 0 and keeps every acknowledged write.
func TestE2EGracefulStopKeepsEverything(t *testing.T) {
	t.Parallel()
	n := harness.StartNode(t, harness.Config{Flags: []string{"--fsync", "everysec", "--log-level", "warn"}})

	l := startLoad(n.Addr, loadWriters, loadMaxOps, time.Now().Add(90*time.Second))
	l.waitAcked(t, 900, 30*time.Second)
	l.stopping.Store(true)
	if code := n.Term(30 * time.Second); code != 0 {
		t.Errorf("SIGTERM: exit code %d, want 0", code)
	}
	l.finish(t)

	n.Start()
	n.WaitServing(harness.StartTimeout)
	l.verify(t, harness.MustDial(t, n.Addr))
}

// State saved by SAVE (a Raft snapshot of every shard) and writes made
// after it both survive a SIGKILL: the keyspace after the restart, every
// type with its values and absolute expiry times, is the one before it,
// and the restart really loaded the snapshots.
func TestE2ESnapshotThenMoreWritesSurviveKill(t *testing.T) {
	t.Parallel()
	const shards = 16
	n := harness.StartNode(t, harness.Config{Flags: []string{"--fsync", "always", "--shards", fmt.Sprint(shards)}})
	c := harness.MustDial(t, n.Addr)

	c.MustPipeline(t, snapshotPhaseA())
	c.Expect(t, `+"OK"`, "SAVE")
	states, _ := filepath.Glob(filepath.Join(n.Dir, "shard-*", "snapshots", "*", "state.bin"))
	if len(states) != shards {
		t.Fatalf("SAVE left %d snapshot files, want one per shard (%d)", len(states), shards)
	}
	c.MustPipeline(t, snapshotPhaseB())
	before := dump(t, c)
	c.Expect(t, ":451", "DBSIZE")

	n.Restart(harness.StartTimeout)
	c = harness.MustDial(t, n.Addr)
	after := dump(t, c)
	if before != after {
		t.Errorf("state after restart differs:\n%s", firstDiff(before, after))
	}
	c.Expect(t, `$"1000010"`, "GET", "ctr")
	c.Expect(t, `$"b:0 again"`, "GET", "a:0")
	c.Expect(t, `$nil`, "GET", "a:120")
	c.Expect(t, `$"new:199"`, "GET", "new:199")

	log := n.Log()
	restarted := log[strings.LastIndex(log, "--- start"):]
	if got := strings.Count(restarted, "restored snapshot"); got != shards {
		t.Errorf("restart restored %d snapshots, want %d", got, shards)
	}
}

// snapshotPhaseA writes every type: 200 strings (20 with a TTL), 20 each
// of lists, hashes, sets and sorted sets, and a counter.
func snapshotPhaseA() [][]string {
	var cmds [][]string
	for i := range 200 {
		s, g := fmt.Sprint(i), fmt.Sprint(i%20)
		cmds = append(cmds,
			[]string{"SET", "a:" + s, "a:" + s + strings.Repeat("x", i)},
			[]string{"RPUSH", "list:" + g, s},
			[]string{"HSET", "hash:" + g, "f" + s, s},
			[]string{"SADD", "set:" + g, "m" + s},
			[]string{"ZADD", "zset:" + g, s + ".5", "m" + s},
			[]string{"INCR", "ctr"})
		if i < 20 {
			cmds = append(cmds, []string{"SET", "ttl:" + s, s, "EX", "3600"})
		}
	}
	return cmds
}

// snapshotPhaseB overwrites, deletes, trims and adds, so the log after the
// snapshot must be replayed on top of it, not instead of it. Keys after
// it: 200-50 a:*, 20 ttl:*, 200 new:*, 20 of each collection kind and
// ctr (= 1000010): 451.
func snapshotPhaseB() [][]string {
	var cmds [][]string
	for i := range 200 {
		s, g := fmt.Sprint(i), fmt.Sprint(i%20)
		switch {
		case i < 100:
			cmds = append(cmds, []string{"SET", "a:" + s, "b:" + s + " again"})
		case i < 150:
			cmds = append(cmds, []string{"DEL", "a:" + s})
		}
		cmds = append(cmds, []string{"SET", "new:" + s, "new:" + s})
		if i < 20 {
			cmds = append(cmds,
				[]string{"LPOP", "list:" + g}, []string{"HDEL", "hash:" + g, "f" + s},
				[]string{"SREM", "set:" + g, "m" + s}, []string{"ZINCRBY", "zset:" + g, "100", "m" + s},
				[]string{"PEXPIREAT", "ttl:" + s, fmt.Sprint(time.Now().Add(2 * time.Hour).UnixMilli())})
		}
	}
	return append(cmds, []string{"INCRBY", "ctr", "999810"})
}

// dump renders every key with its type, absolute expiry and value
// (hash fields and set members sorted), one line per key in key order.
func dump(t *testing.T, c *harness.Client) string {
	t.Helper()
	v := c.MustPipeline(t, [][]string{{"KEYS", "*"}})[0]
	keys := make([]string, len(v.Elems))
	for i, e := range v.Elems {
		keys[i] = e.Str
	}
	slices.Sort(keys)
	var meta [][]string
	for _, k := range keys {
		meta = append(meta, []string{"TYPE", k}, []string{"PEXPIRETIME", k})
	}
	mv := c.MustPipeline(t, meta)
	var reads [][]string
	for i, k := range keys {
		reads = append(reads, readCmd(mv[2*i].Str, k))
	}
	vals := c.MustPipeline(t, reads)
	var b strings.Builder
	for i, k := range keys {
		elems := make([]string, len(vals[i].Elems))
		for j, e := range vals[i].Elems {
			elems[j] = e.String()
		}
		switch mv[2*i].Str {
		case "hash":
			elems = sortedPairs(elems)
		case "set":
			slices.Sort(elems)
		}
		val := vals[i].String()
		if vals[i].Elems != nil {
			val = strings.Join(elems, " ")
		}
		fmt.Fprintf(&b, "%s %s exp=%s %s\n", k, mv[2*i].Str, mv[2*i+1], val)
	}
	return b.String()
}

func readCmd(typ, k string) []string {
	switch typ {
	case "list":
		return []string{"LRANGE", k, "0", "-1"}
	case "hash":
		return []string{"HGETALL", k}
	case "set":
		return []string{"SMEMBERS", k}
	case "zset":
		return []string{"ZRANGE", k, "0", "-1", "WITHSCORES"}
	}
	return []string{"GET", k}
}

func sortedPairs(flat []string) []string {
	var pairs []string
	for i := 0; i+1 < len(flat); i += 2 {
		pairs = append(pairs, flat[i]+"="+flat[i+1])
	}
	slices.Sort(pairs)
	return pairs
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d:\n before: %s\n after:  %s", i, al[i], bl[i])
		}
	}
	return fmt.Sprintf("%d lines before, %d after", len(al), len(bl))
}
