package e2e

import (
	"testing"
	"time"
)

// TestDeadNodeReplacedAfterGrace: with 4 nodes and 3 replicas, a node
// killed and never restarted keeps its replicas for --dead-grace, then
// every shard's leader re-places them on the node that had none, without
// any operator action.
func TestDeadNodeReplacedAfterGrace(t *testing.T) {
	opts := defaultOpts
	opts.deadGrace = 3 * time.Second
	nodes := startCluster(t, 4, opts)
	seed := nodes[0].Addr
	st := statusJSON(t, seed)
	victim := nodes[3]
	id := idOf(st, victim.Addr)
	if len(holding(st, id)) == 0 {
		victim = nodes[2]
		id = idOf(st, victim.Addr)
	}
	victim.Kill()
	killed := time.Now()
	deadline := killed.Add(90 * time.Second)
	for {
		st = statusJSON(t, seed)
		full := true
		for _, sh := range st.Led {
			alive := 0
			for _, v := range sh.Voters {
				if v != id {
					alive++
				}
			}
			if alive < 3 {
				full = false
			}
		}
		if len(holding(st, id)) == 0 && full && len(st.Led) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("dead node %s still holds shards %v after %s", id, holding(st, id), time.Since(killed))
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Logf("replicas of the dead node re-placed %s after the kill (grace 3s plus failure detection)", time.Since(killed).Round(100*time.Millisecond))
}
