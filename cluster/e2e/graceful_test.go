package e2e

import (
	"fmt"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/ember-node/ember-node/cluster"
	"github.com/ember-node/ember-node/cmd/ember-node/harness"
)

// A node stopped with SIGTERM hands the leadership of its shards to
// followers before it exits, and shuts each such group down at once so it
// cannot win it back. The proof is the node's own log (a "handed over
// leadership" line for the shard it was seen leading), the survivors
// leading that shard afterwards, and the load: it goes on, and every
// acknowledged write is read back once the node is back.
func TestGracefulStopHandsOverLeadership(t *testing.T) {
	nodes := startCluster(t, 3, defaultOpts)
	c := newClient(nodes[0].Addr)
	defer c.Close()
	l := startLoad(c, 2, 2*time.Millisecond, plainKeys("gs"))
	defer l.halt()
	waitAcks(t, l, 200)

	st := stableLeaders(t, nodes[0].Addr)
	victimID := leaderOf(t, st, 0)
	victim := nodeByID(t, nodes, st, victimID)
	victim.Term(20 * time.Second) // fails the test if it still runs then
	handed := regexp.MustCompile(`msg="handed over leadership" (?:\S+ )*shard=0 to=(\S+)`).FindStringSubmatch(victim.Log())
	if handed == nil {
		t.Fatalf("%s led shard 0 but did not log handing it over", victim.Name)
	}
	if to := handed[1]; to == victimID || to == "" {
		t.Fatalf("shard 0 handed over to %q", to)
	}

	others := slices.DeleteFunc(slices.Clone(nodes), func(n *harness.Node) bool { return n == victim })
	deadline := time.Now().Add(30 * time.Second)
	for {
		st := statusJSON(t, others[0].Addr)
		if lead, ok := leaderOfOK(st, 0); ok && lead != victimID {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("shard 0 not led by a survivor: %+v", st.Led)
		}
		time.Sleep(100 * time.Millisecond)
	}
	waitAcks(t, l, l.ackCount()+200)
	victim.Start()
	victim.WaitServing(60 * time.Second)
	l.halt()
	l.checkErrors(t, true)
	l.verify(t, nodes[0].Addr)
}

// stableLeaders waits until the leaders seen from addr have not changed
// for four polls in a row: "balanced" allows a node two shards of four,
// and placement may still be moving a leadership towards its preferred
// node, which would take it from a victim chosen meanwhile.
func stableLeaders(t *testing.T, addr string) cluster.Status {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var last string
	same := 0
	for {
		st := statusJSON(t, addr)
		cur := ""
		for _, l := range st.Led {
			cur += fmt.Sprintf("%d=%s/%d ", l.Shard, l.Leader, l.Term)
		}
		if cur == last {
			same++
		} else {
			last, same = cur, 0
		}
		if same == 3 {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("leaders still moving after 30s: %s", cur)
		}
		time.Sleep(300 * time.Millisecond)
	}
}
