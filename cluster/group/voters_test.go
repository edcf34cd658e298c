package group

import "testing"

// After every member restarts from a snapshot, the configuration entries
// the snapshot covers are not replayed: the leader must still know its
// group has three voters (the stop hand-off and the sole-voter read path
// depend on the count; a stale 1 would skip read-index rounds).
func TestVotersKnownAfterSnapshotRestart(t *testing.T) {
	c := makeCluster(t, 3, fastGroupConfig())
	c.mustWrite("set", "a", "1")
	c.converge()
	for i := range c.members {
		if err := c.members[i].group().raft.Snapshot().Error(); err != nil {
			t.Fatal(err)
		}
	}
	for i := range c.members {
		c.stop(i)
	}
	for i := range c.members {
		c.start(i)
	}
	g := c.members[c.leader()].group() // a ready leader: its duties ran
	if n := g.fsm.Voters(); n != 3 {
		t.Fatalf("leader of a 3-voter group restored from a snapshot reports %d voters", n)
	}
	for i, m := range c.members {
		if m.group() != g && m.group().fsm.Voters() == 1 {
			t.Fatalf("follower %d believes it is a sole voter", i)
		}
	}
}
