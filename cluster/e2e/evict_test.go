package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/ember-node/ember-node/cmd/ember-node/harness"
)

// Issue 13, item 1: a member that is alive but unwanted is evicted with
// `ember-node remove --force` (plain remove refuses a live node). The
// others re-replicate its shards without it, and the evicted node,
// hearing of it through gossip, hands over what it leads and exits.
func TestRemoveForceEvictsLiveMember(t *testing.T) {
	t.Parallel()
	nodes := startCluster(t, 3, defaultOpts)
	victim := nodes[2]
	id := nodeID(t, victim.Addr)
	c := harness.MustDial(t, nodes[0].Addr)
	c.Expect(t, `+"OK"`, "SET", "{a}k", "v")

	out, err := harness.Ops(t, 30*time.Second, "remove", "--node", nodes[0].Addr, id)
	if err == nil || !strings.Contains(out, "is alive") {
		t.Fatalf("remove of a live node without --force: %v\n%s", err, out)
	}
	out = harness.MustOps(t, 2*time.Minute, "remove", "--force", "--node", nodes[0].Addr, id)
	if !strings.Contains(out, "removed: "+id) {
		t.Fatalf("remove --force output:\n%s", out)
	}
	st := statusJSON(t, nodes[0].Addr)
	for _, n := range st.Nodes {
		if n.ID == id {
			t.Fatalf("the evicted node is still listed: %+v", n)
		}
	}
	if h := holding(st, id); len(h) > 0 {
		t.Fatalf("the evicted node still holds shards %v", h)
	}
	if code, _ := victim.WaitExit(time.Minute); code != 0 {
		t.Fatalf("the evicted node exited %d", code)
	}
	if !strings.Contains(victim.Log(), "removed this node from the cluster") {
		t.Errorf("the evicted node does not say why it left:\n%s", victim.Tail(20))
	}
	cl := newClient(nodes[0].Addr, nodes[1].Addr)
	defer cl.Close()
	if v, err := cl.Get(t.Context(), "{a}k").Result(); err != nil || v != "v" {
		t.Fatalf("after the eviction GET = %q, %v", v, err)
	}
}
