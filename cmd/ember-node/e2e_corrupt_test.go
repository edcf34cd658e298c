package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/crc64"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ember-node/ember-node/cmd/ember-node/harness"
	"github.com/ember-node/ember-node/rpc/resp"
	"github.com/ember-node/ember-node/shard"
)

// corruptShards is the shard count of the damaged data dirs; shard 0 is
// the one damaged.
const corruptShards = 2

// marker is a value written to shard 0 after its last snapshot: it exists
// only in raft.db's log.
const marker = "MARKER-6f1d2c9e-value-only-in-the-log"

// golden is a data dir written once and copied for each kind of damage:
// keys k0..k899 and markerKey(); shard 0 has two snapshots (after k299 and
// after k599), and k600.. and the marker exist only in its log.
type golden struct {
	dir  string
	keys map[string]string
}

// markerKey returns a key of shard 0.
func markerKey() string {
	for i := 0; ; i++ {
		k := fmt.Sprintf("marker:%d", i)
		if shardOf(k) == 0 {
			return k
		}
	}
}

func writeGolden(t *testing.T) golden {
	t.Helper()
	n := harness.StartNode(t, harness.Config{Flags: []string{"--fsync", "always", "--shards", fmt.Sprint(corruptShards), "--log-level", "warn"}})
	dir := n.Dir
	c := harness.MustDial(t, n.Addr)
	keys := map[string]string{}
	for batch := range 3 {
		var cmds [][]string
		for i := batch * 300; i < (batch+1)*300; i++ {
			k, v := fmt.Sprintf("k%d", i), fmt.Sprintf("value-%d", i)
			keys[k] = v
			cmds = append(cmds, []string{"SET", k, v})
		}
		if batch == 2 {
			keys[markerKey()] = marker
			cmds = append(cmds, []string{"SET", markerKey(), marker})
		} else {
			cmds = append(cmds, []string{"SAVE"})
		}
		c.MustPipeline(t, cmds)
	}
	if code := n.Term(30 * time.Second); code != 0 {
		t.Fatalf("SIGTERM: exit code %d", code)
	}
	if snaps := snapshotDirs(t, filepath.Join(dir, "shard-00000")); len(snaps) != 2 {
		t.Fatalf("shard 0 has %d snapshots, want 2", len(snaps))
	}
	return golden{dir: dir, keys: keys}
}

// damaged copies the golden dir, applies damage to it and starts a node
// on it. The node is the golden node (same id) on ports of its own.
func damaged(t *testing.T, g golden, damage func(shardDir string)) *harness.Node {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(g.dir)); err != nil {
		t.Fatal(err)
	}
	damage(filepath.Join(dir, "shard-00000"))
	n := harness.NewNode(t, harness.Config{Dir: dir, Flags: []string{"--fsync", "always", "--log-level", "warn"}})
	n.Start()
	return n
}

// refuses checks that the node exits non-zero without ever answering,
// and that its output says why with every word in why.
func refuses(t *testing.T, n *harness.Node, why ...string) {
	t.Helper()
	code, served := n.WaitExit(harness.StartTimeout)
	if served {
		t.Errorf("the node served clients from a damaged data dir")
	}
	if code == 0 {
		t.Errorf("exit code 0 on a damaged data dir")
	}
	out := n.Log()
	t.Logf("exit code %d: %s", code, lastWords(out))
	noPanic(t, out)
	for _, w := range why {
		if !strings.Contains(out, w) {
			t.Errorf("output does not say %q:\n%s", w, n.Tail(40))
		}
	}
}

// The node must never serve wrong or missing data from a damaged data
// dir. Damage that raft's and bolt's own checks see makes it refuse to
// start; damage only ember-node's checksums see stops the shard, which
// then answers every command with the error while other shards serve.
// Where the damage is recoverable (the newest snapshot is bad, an older
// one and the log are intact), it must serve everything.
func TestE2ECorruptDataDir(t *testing.T) {
	t.Parallel()
	g := writeGolden(t)
	shardDir := func(n *harness.Node) string { return filepath.Join(n.Dir, "shard-00000") }
	t.Run("every snapshot fails its checksum", func(t *testing.T) {
		t.Parallel()
		n := damaged(t, g, func(d string) {
			for _, s := range snapshotDirs(t, d) {
				flipByte(t, filepath.Join(s, "state.bin"), 0.5)
			}
		})
		refuses(t, n, "shard 0: damaged snapshot not covered by an older one and the log",
			filepath.Join(newest(t, shardDir(n)), "state.bin")+": CRC mismatch")
	})
	t.Run("newest snapshot fails its checksum", func(t *testing.T) {
		t.Parallel()
		n := damaged(t, g, func(d string) {
			flipByte(t, filepath.Join(newest(t, d), "state.bin"), 0.5)
		})
		n.WaitServing(harness.StartTimeout)
		checkKeys(t, harness.MustDial(t, n.Addr), g.keys)
		if !strings.Contains(n.Log(), "CRC mismatch") {
			t.Errorf("the damaged snapshot was not even read")
		}
	})
	t.Run("newest snapshot content corrupt under a valid file checksum", func(t *testing.T) {
		t.Parallel()
		n := damaged(t, g, func(d string) {
			s := newest(t, d)
			flipByte(t, filepath.Join(s, "state.bin"), 0.5)
			fixMetaCRC(t, s)
		})
		n.WaitServing(harness.StartTimeout)
		stopped(t, n, g, "shard stopped: shard 0: snapshot in "+shardDir(n)+": snapshot: checksum mismatch")
	})
	t.Run("log entry value flipped in raft.db", func(t *testing.T) {
		t.Parallel()
		n := damaged(t, g, func(d string) { flipMarker(t, filepath.Join(d, "raft.db")) })
		n.WaitServing(harness.StartTimeout)
		stopped(t, n, g, "shard stopped: shard 0: log entry ", " in "+shardDir(n)+": record checksum mismatch")
	})
	t.Run("raft.db pages garbled", func(t *testing.T) {
		t.Parallel()
		n := damaged(t, g, func(d string) { garble(t, filepath.Join(d, "raft.db"), 8192) })
		refusesOrServesAll(t, n, g)
	})
	t.Run("raft.db truncated to half", func(t *testing.T) {
		t.Parallel()
		n := damaged(t, g, func(d string) {
			p := filepath.Join(d, "raft.db")
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(p, fi.Size()/2/4096*4096); err != nil {
				t.Fatal(err)
			}
		})
		refusesOrServesAll(t, n, g)
	})
}

// refusesOrServesAll is for damage whose effect depends on where bolt put
// the live pages (a truncation may cut only free pages): the node must
// either exit non-zero before serving, or serve every key correctly, or
// answer for shard 0 with a stopped-shard error; never a wrong value or a
// missing key.
func refusesOrServesAll(t *testing.T, n *harness.Node, g golden) {
	t.Helper()
	deadline := time.Now().Add(harness.StartTimeout)
	for !harness.Ping(n.Addr) {
		if !n.Running() {
			code := n.ExitCode()
			t.Logf("refused: exit code %d: %s", code, lastWords(n.Log()))
			if code == 0 {
				t.Errorf("exit code 0 on a damaged data dir")
			}
			noPanic(t, n.Log())
			if !strings.Contains(n.Log(), filepath.Join(n.Dir, "shard-00000", "raft.db")) {
				t.Errorf("the refusal does not name the damaged file:\n%s", n.Tail(20))
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("neither serving nor exited after %s", harness.StartTimeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
	c := harness.MustDial(t, n.Addr)
	waitShardLeader(t, c, g, 1)
	waitShardLeader(t, c, g, 0)
	var cmds [][]string
	for k := range g.keys {
		cmds = append(cmds, []string{"GET", k})
	}
	vs, err := c.Pipeline(cmds)
	if err != nil {
		t.Fatal(err)
	}
	wrong, stoppedErrs := 0, 0
	for i, v := range vs {
		k := cmds[i][1]
		if v.Type == '-' && shardOf(k) == 0 && strings.Contains(v.Str, "shard stopped: shard 0") {
			stoppedErrs++
			continue
		}
		if v.Str != g.keys[k] || v.Type == '-' {
			if wrong++; wrong <= 10 {
				t.Errorf("served GET %s = %s, want %q", k, v, g.keys[k])
			}
		}
	}
	t.Logf("served: %d keys, %d wrong, %d stopped-shard errors", len(vs), wrong, stoppedErrs)
}

// stopped checks a node serving with shard 0 stopped: every read and
// write of a shard 0 key answers an error with every word in why, never a
// value; every key of shard 1 reads back and takes writes; INFO says so.
// (All-shard commands are not checked: see the report on DBSIZE/KEYS.)
func stopped(t *testing.T, n *harness.Node, g golden, why ...string) {
	t.Helper()
	c := harness.MustDial(t, n.Addr)
	waitShardLeader(t, c, g, 1)
	var cmds [][]string
	for k := range g.keys {
		cmds = append(cmds, []string{"GET", k}, []string{"SET", k, "overwrite"})
	}
	vs, err := c.Pipeline(cmds)
	if err != nil {
		t.Fatal(err)
	}
	var errs, served, wrong int
	for i, v := range vs {
		cmd, k := cmds[i][0], cmds[i][1]
		ok := v.Type == '-' && saysAll(v.Str, why)
		if shardOf(k) == 0 {
			errs++
		} else {
			served++
			ok = cmd == "GET" && v.Str == g.keys[k] || cmd == "SET" && v.Str == "OK"
		}
		if !ok {
			if wrong++; wrong > 10 {
				t.Fatalf("more than 10 wrong replies")
			}
			t.Errorf("%v on shard %d = %s (stopped shard must say %q)", cmds[i], shardOf(k), v, why)
		}
	}
	if errs == 0 || served == 0 {
		t.Errorf("%d commands for the stopped shard, %d for the healthy one: want both", errs, served)
	}
	info, err := c.Do("INFO", "raft")
	if err != nil || !strings.Contains(info.Str, "shard0:state=stopped") {
		t.Errorf("INFO raft does not show shard 0 stopped: %s (%v)", info, err)
	}
	t.Logf("%d errors from shard 0, %d good replies from shard 1; shard 0 says: %s", errs, served, firstError(vs))
}

func shardOf(key string) int { return shard.KeySlot(key) * corruptShards / shard.NumSlots }

// waitShardLeader waits until a key of shard id reads without TRYAGAIN:
// a node with a stopped shard serves before its other shards elected.
func waitShardLeader(t *testing.T, c *harness.Client, g golden, id int) {
	t.Helper()
	var key string
	for k := range g.keys {
		if shardOf(k) == id {
			key = k
			break
		}
	}
	deadline := time.Now().Add(harness.StartTimeout)
	for {
		v, err := c.Do("GET", key)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(v.Str, "TRYAGAIN") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("shard %d has no leader after %s", id, harness.StartTimeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func saysAll(s string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}

func firstError(vs []resp.Value) string {
	for _, v := range vs {
		if v.Type == '-' {
			return v.Str
		}
	}
	return ""
}

// lastWords returns the line that explains an exit: ember-node's error
// or a panic's, or else the last line.
func lastWords(out string) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for _, l := range lines {
		for _, p := range []string{"ember-node:", "panic:", "fatal error:"} {
			if strings.HasPrefix(l, p) {
				return l
			}
		}
	}
	return lines[len(lines)-1]
}

// checkKeys reads every key back.
func checkKeys(t *testing.T, c *harness.Client, keys map[string]string) {
	t.Helper()
	var cmds [][]string
	for k := range keys {
		cmds = append(cmds, []string{"GET", k})
	}
	for i, v := range c.MustPipeline(t, cmds) {
		if k := cmds[i][1]; v.Str != keys[k] {
			t.Errorf("GET %s = %s, want %q", k, v, keys[k])
		}
	}
	c.Expect(t, fmt.Sprintf(":%d", len(keys)), "DBSIZE")
}

// snapshotDirs lists a shard's snapshot folders, oldest first.
func snapshotDirs(t *testing.T, shardDir string) []string {
	t.Helper()
	ds, err := filepath.Glob(filepath.Join(shardDir, "snapshots", "*"))
	if err != nil {
		t.Fatal(err)
	}
	ds = slices.DeleteFunc(ds, func(d string) bool { return strings.HasSuffix(d, ".tmp") })
	slices.SortFunc(ds, func(a, b string) int { return snapIndex(t, a) - snapIndex(t, b) })
	return ds
}

func newest(t *testing.T, shardDir string) string {
	t.Helper()
	ds := snapshotDirs(t, shardDir)
	return ds[len(ds)-1]
}

func snapIndex(t *testing.T, dir string) int {
	var m struct{ Index int }
	b, err := os.ReadFile(filepath.Join(dir, "meta.json"))
	if err == nil {
		err = json.Unmarshal(b, &m)
	}
	if err != nil {
		t.Fatal(err)
	}
	return m.Index
}

// flipByte inverts the byte at fraction at of the file.
func flipByte(t *testing.T, path string, at float64) {
	t.Helper()
	b := readFile(t, path)
	b[int(float64(len(b))*at)] ^= 0xff
	writeFile(t, path, b)
}

// fixMetaCRC makes raft's file checksum (CRC-64/ECMA of state.bin, in
// meta.json) match the damaged state.bin, so only ember-node's own
// snapshot checksum stands between the damage and the keyspace.
func fixMetaCRC(t *testing.T, snapDir string) {
	t.Helper()
	h := crc64.New(crc64.MakeTable(crc64.ECMA))
	h.Write(readFile(t, filepath.Join(snapDir, "state.bin")))
	metaPath := filepath.Join(snapDir, "meta.json")
	var meta map[string]json.RawMessage
	if err := json.Unmarshal(readFile(t, metaPath), &meta); err != nil {
		t.Fatal(err)
	}
	meta["CRC"], _ = json.Marshal(h.Sum(nil))
	b, _ := json.Marshal(meta)
	writeFile(t, metaPath, b)
}

// flipMarker flips one byte inside every copy of the marker value in the
// file (bolt may keep stale copies of a page), so the live log entry is
// damaged wherever it is.
func flipMarker(t *testing.T, path string) {
	t.Helper()
	b := readFile(t, path)
	hits := 0
	for i := 0; ; hits++ {
		j := bytes.Index(b[i:], []byte(marker))
		if j < 0 {
			break
		}
		b[i+j+len(marker)/2] ^= 0x01
		i += j + len(marker)
	}
	if hits == 0 {
		t.Fatalf("marker not found in %s", path)
	}
	writeFile(t, path, b)
}

// garble XORs every byte from offset on: every page after bolt's two
// meta pages.
func garble(t *testing.T, path string, offset int) {
	t.Helper()
	b := readFile(t, path)
	for i := offset; i < len(b); i++ {
		b[i] ^= 0x5a
	}
	writeFile(t, path, b)
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// noPanic fails when a node's output holds a Go panic trace: damage on
// disk must end in an error that names the file, never in a crash.
func noPanic(t *testing.T, out string) {
	t.Helper()
	if strings.Contains(out, "panic:") || strings.Contains(out, "goroutine ") {
		t.Errorf("the node panicked instead of reporting the damage:\n%s", lastWords(out))
	}
}

// TestE2EMisplacedShardFolders: a shard folder that is not what it
// claims to be (its snapshots deleted under a compacted log; another
// shard's folder copied over it) must stop the start with an error
// naming it, not a panic and not silently wrong data.
func TestE2EMisplacedShardFolders(t *testing.T) {
	t.Parallel()
	n := harness.StartNode(t, harness.Config{Flags: []string{"--fsync", "always", "--shards", "2", "--trailing-logs", "0", "--log-level", "warn"}})
	c := harness.MustDial(t, n.Addr)
	var cmds [][]string
	for i := range 200 {
		cmds = append(cmds, []string{"SET", fmt.Sprintf("k%d", i), "v"})
	}
	cmds = append(cmds, []string{"SAVE"}, []string{"SET", "after", "snapshot"})
	c.MustPipeline(t, cmds)
	if code := n.Term(30 * time.Second); code != 0 {
		t.Fatalf("SIGTERM: exit code %d", code)
	}
	g := golden{dir: n.Dir}
	t.Run("snapshots deleted under a compacted log", func(t *testing.T) {
		t.Parallel()
		m := damaged(t, g, func(d string) {
			if err := os.RemoveAll(filepath.Join(d, "snapshots")); err != nil {
				t.Fatal(err)
			}
		})
		refuses(t, m, filepath.Join(m.Dir, "shard-00000", "raft.db")+" was compacted up to entry", "holds no snapshot")
	})
	t.Run("another shard's folder copied over", func(t *testing.T) {
		t.Parallel()
		m := damaged(t, g, func(d string) {
			if err := os.RemoveAll(d); err != nil {
				t.Fatal(err)
			}
			if err := os.CopyFS(d, os.DirFS(filepath.Join(filepath.Dir(d), "shard-00001"))); err != nil {
				t.Fatal(err)
			}
		})
		refuses(t, m, filepath.Join(m.Dir, "shard-00000", "raft.db")+" holds the log of shard 1, not of shard 0")
	})
}
