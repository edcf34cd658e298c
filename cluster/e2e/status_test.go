package e2e

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ember-node/ember-node/cluster"
	"github.com/ember-node/ember-node/cmd/ember-node/harness"
)

// statusTable is `ember-node status` as printed: node rows by client
// address, and each shard's leader (short id, "none" without one).
type statusTable struct {
	text    string
	state   map[string]string // client address -> state
	ids     map[string]string // client address -> node id
	leaders map[int]string
}

// status runs `ember-node status` against addr and parses its tables.
func status(t testing.TB, addr string) statusTable {
	t.Helper()
	out := harness.MustOps(t, 30*time.Second, "status", "--node", addr)
	st := statusTable{text: out, state: map[string]string{}, ids: map[string]string{}, leaders: map[int]string{}}
	section := ""
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 0:
			continue
		case f[0] == "NODE" || f[0] == "SHARD":
			section = f[0]
			continue
		}
		switch section {
		case "NODE":
			if len(f) >= 3 {
				st.ids[f[1]], st.state[f[1]] = f[0], f[2]
			}
		case "SHARD":
			var shard int
			if len(f) >= 3 && json.Unmarshal([]byte(f[0]), &shard) == nil {
				st.leaders[shard] = f[2]
			}
		}
	}
	if len(st.state) == 0 || len(st.leaders) == 0 {
		t.Fatalf("unreadable status output:\n%s", out)
	}
	return st
}

// expect checks node states (address -> state) and that every shard's
// leader is one of leaders (client addresses).
func (st statusTable) expect(t testing.TB, states map[string]string, leaders ...string) {
	t.Helper()
	for addr, want := range states {
		if got := st.state[addr]; got != want {
			t.Errorf("status: %s is %q, want %q\n%s", addr, got, want, st.text)
		}
	}
	var short []string
	for _, a := range leaders {
		short = append(short, shortID(st.ids[a]))
	}
	for shard, l := range st.leaders {
		if !slices.Contains(short, l) {
			t.Errorf("status: shard %d led by %q, want one of %v\n%s", shard, l, leaders, st.text)
		}
	}
}

func shortID(id string) string { return id[:min(8, len(id))] }

// statusJSON returns the merged `ember-node status --json` of addr.
func statusJSON(t testing.TB, addr string) cluster.Status {
	t.Helper()
	out := harness.MustOps(t, 30*time.Second, "status", "--json", "--node", addr)
	var st cluster.Status
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("status --json: %v\n%s", err, out)
	}
	return st
}

// waitStatus polls the merged status until ok accepts it.
func waitStatus(t testing.TB, addr string, timeout time.Duration, what string, ok func(cluster.Status) bool) cluster.Status {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		st := statusJSON(t, addr)
		if ok(st) {
			return st
		}
		if time.Now().After(deadline) {
			b, _ := json.MarshalIndent(st, "", "  ")
			t.Fatalf("after %s still not %s:\n%s", timeout, what, b)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// allLed reports whether every shard has a reporting leader with a full
// set of voters.
func allLed(replicas int) func(cluster.Status) bool {
	return func(st cluster.Status) bool {
		if len(st.Led) != st.Shards {
			return false
		}
		for _, s := range st.Led {
			if len(s.Voters) != replicas || len(s.Learners) > 0 {
				return false
			}
		}
		return true
	}
}

// balanced is allLed and no live node leading more than its share of
// shards (placement's leader balancing has settled): redis-benchmark
// --cluster refuses a cluster with a single master.
func balanced(replicas int) func(cluster.Status) bool {
	return func(st cluster.Status) bool {
		if !allLed(replicas)(st) {
			return false
		}
		alive := 0
		for _, n := range st.Nodes {
			if n.Alive && !n.Leaving {
				alive++
			}
		}
		share := (st.Shards + alive - 1) / alive
		for _, n := range st.Nodes {
			if len(ledBy(st, n.ID)) > share {
				return false
			}
		}
		return true
	}
}

// ledBy returns the shards whose leader is id.
func ledBy(st cluster.Status, id string) []int {
	var out []int
	for _, s := range st.Led {
		if s.Leader == id {
			out = append(out, s.Shard)
		}
	}
	return out
}
