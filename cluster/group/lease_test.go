package group

import (
	"strconv"
	"testing"
	"time"

	"github.com/ember-node/ember-node/shard"
)

// readOn reads key on member i with a linearizable read.
func (c *testCluster) readOn(i int, key string) (string, error) {
	out := ""
	err := c.members[i].group().Read(func(ks *shard.Keyspace, now int64) {
		if o := ks.Lookup([]byte(key), now); o != nil {
			out = string(o.Str)
		}
	})
	return out, err
}

// Reads under a lease need no leadership round: 200 reads one after the
// other cost a few renewals, not a round each.
func TestLeaseServesReadsWithoutRounds(t *testing.T) {
	t.Parallel()
	c := makeCluster(t, 3, fastGroupConfig())
	c.mustWrite("set", "k", "v")
	l := c.leader()
	if got, err := c.readOn(l, "k"); err != nil || got != "v" {
		t.Fatalf("first read: %q, %v", got, err)
	}
	before := c.members[l].group().reads.rounds.Load()
	for i := range 200 {
		got, err := c.readOn(l, "k")
		if err != nil || got != "v" {
			t.Fatalf("read %d: %q, %v", i, got, err)
		}
	}
	// Each read arrives after the last round started, so without a lease
	// every one of them would run its own round.
	if n := c.members[l].group().reads.rounds.Load() - before; n > 50 {
		t.Errorf("200 reads ran %d leadership rounds", n)
	}
}

// A leader cut off from its followers keeps its lease for half a heartbeat
// timeout at most, while the majority needs a heartbeat timeout to elect
// another leader: no read it serves misses a write the new leader
// acknowledged before that read began.
func TestIsolatedLeaderServesNoStaleRead(t *testing.T) {
	t.Parallel()
	c := makeCluster(t, 3, fastGroupConfig())
	c.mustWrite("set", "k", "old")
	old := c.leader()
	if got, err := c.readOn(old, "k"); err != nil || got != "old" {
		t.Fatalf("read before the cut: %q, %v", got, err)
	}
	c.members[old].mux.Isolate(true)
	acked := make(chan time.Time, 1)
	go func() {
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			for i, m := range c.members {
				if i == old || !m.group().IsReadyLeader() {
					continue
				}
				if out, err := c.write(i, "set", "k", "new"); err == nil && out == "+OK\r\n" {
					acked <- time.Now()
					return
				}
			}
			time.Sleep(5 * time.Millisecond)
		}
		close(acked)
	}()
	var ackedAt time.Time
	served := 0
	for wait := true; wait; {
		select {
		case at, ok := <-acked:
			if !ok {
				t.Fatal("the majority acknowledged no write")
			}
			ackedAt, wait = at, false
		default:
		}
		start := time.Now()
		got, err := c.readOn(old, "k")
		if err == nil {
			served++
			if got != "new" && !ackedAt.IsZero() && start.After(ackedAt) {
				t.Fatalf("isolated old leader served %q after the new leader acknowledged \"new\"", got)
			}
		}
	}
	// And after the acknowledgement, a while longer.
	for range 20 {
		if got, err := c.readOn(old, "k"); err == nil && got != "new" {
			t.Fatalf("isolated old leader served %q after the new leader acknowledged \"new\"", got)
		}
	}
	t.Logf("the isolated leader served %d reads before its lease ran out", served)
	c.members[old].mux.Isolate(false)
	c.converge()
}

// After a leadership transfer the old leader serves nothing stale, though
// the new leader takes writes within a round trip, long before the old
// lease would have run out. (raft steps the old leader down before the
// transfer returns, so this holds even without dropLease; the drop guards
// the moments while the transfer is under way.)
func TestLeaseEndsWithLeadershipTransfer(t *testing.T) {
	t.Parallel()
	cfg := fastGroupConfig()
	cfg.HeartbeatTimeout = time.Second // a lease far longer than a hand-off
	cfg.ElectionTimeout = time.Second
	c := makeCluster(t, 3, cfg)
	for round := range 3 {
		val := "v" + strconv.Itoa(round)
		c.mustWrite("set", "k", val)
		old := c.leader()
		if got, err := c.readOn(old, "k"); err != nil || got != val {
			t.Fatalf("read on the leader: %q, %v", got, err)
		}
		to := (old + 1) % len(c.members)
		if err := c.members[old].group().TransferLeadershipTo(c.members[to].id, c.members[to].addr); err != nil {
			t.Fatalf("transfer: %v", err)
		}
		next := "w" + strconv.Itoa(round)
		acked := false
		for deadline := time.Now().Add(5 * time.Second); !acked && time.Now().Before(deadline); {
			out, err := c.write(to, "set", "k", next)
			acked = err == nil && out == "+OK\r\n"
		}
		if !acked {
			t.Fatalf("the new leader acknowledged no write")
		}
		if got, err := c.readOn(old, "k"); err == nil && got != next {
			t.Fatalf("old leader served %q after the new one acknowledged %q", got, next)
		}
	}
}
