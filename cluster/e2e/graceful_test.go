package e2e

import (
	"slices"
	"syscall"
	"testing"
	"time"
)

// A node stopped with SIGTERM hands its leaderships over before it exits:
// the moment its process is gone, a survivor already leads the shard it
// led (after a SIGKILL the survivors would still wait out the election
// timeout), and no acknowledged write is lost.
func TestGracefulStopHandsOverLeadership(t *testing.T) {
	nodes := startCluster(t, 3, defaultOpts)
	c := newClient(nodes[0].addr)
	defer c.Close()
	l := startLoad(c, 2, 2*time.Millisecond, plainKeys("gs"))
	defer l.halt()
	waitAcks(t, l, 200)

	st := statusJSON(t, nodes[0].addr)
	victim := nodeByID(t, nodes, st, leaderOf(t, st, 0))
	victim.kill(syscall.SIGTERM)
	if err := victim.waitExit(time.Second); err != nil && victim.running() {
		t.Fatal(err)
	}
	others := slices.DeleteFunc(slices.Clone(nodes), func(n *node) bool { return n == victim })
	st = statusJSON(t, others[0].addr)
	lead, ok := leaderOfOK(st, 0)
	if !ok || lead == idOf(st, victim.addr) {
		t.Fatalf("when %s (leader of shard 0) had exited, shard 0 was led by %q (ok %v): not handed over", victim.name, lead, ok)
	}
	waitAcks(t, l, l.ackCount()+200)
	victim.start()
	victim.waitServing(60 * time.Second)
	l.halt()
	l.checkErrors(t, true)
	l.verify(t, nodes[0].addr)
}
