package group

import (
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ember-node/ember-node/shard/store"
)

// TestHandOffUnderLoad hands a group's leadership over while writers
// INCR one counter through whichever member leads: a stopping node's
// hand-off, and balancing's transfer to a chosen voter there and back
// (the old leader, leading again, must take writes). Proof that nothing
// was lost or doubled: every INCR is either acknowledged or refused as
// not-leader (refused before it was appended; no "outcome unknown"), and
// the final counter equals the acknowledged count.
func TestHandOffUnderLoad(t *testing.T) {
	for _, kind := range []string{"stop", "balance"} {
		t.Run(kind, func(t *testing.T) { handOffUnderLoad(t, kind) })
	}
}

func handOffUnderLoad(t *testing.T, kind string) {
	c := makeCluster(t, 3, fastGroupConfig())
	c.mustWrite("set", "n", "0")
	old := c.leader()

	var acked, refused atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan error, 16)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				i := c.leader()
				_, err := c.write(i, "incr", "n")
				switch {
				case err == nil:
					acked.Add(1)
				case errors.Is(err, store.ErrNotLeader):
					refused.Add(1)
					time.Sleep(time.Millisecond)
				default:
					errs <- err
					return
				}
			}
		}()
	}
	for acked.Load() < 200 {
		time.Sleep(5 * time.Millisecond)
	}
	waitAcks := func(n int64) {
		before := acked.Load()
		deadline := time.Now().Add(20 * time.Second)
		for acked.Load() < before+n {
			if time.Now().After(deadline) {
				t.Fatalf("writes stalled after the hand-off (%d acknowledged)", acked.Load()-before)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	if kind == "stop" {
		to, err := c.members[old].group().TransferLeadership(time.Now().Add(5 * time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if to == "" || to == c.members[old].id {
			t.Fatalf("handed over to %q", to)
		}
		c.stop(old) // as a stopping node does, so it cannot win it back
		waitAcks(200)
	} else {
		next := (old + 1) % len(c.members)
		transfer := func(from, to int) {
			m := c.members[to]
			if err := c.members[from].group().TransferLeadershipTo(m.id, m.addr); err != nil {
				t.Fatal(err)
			}
			for c.leader() != to {
				time.Sleep(5 * time.Millisecond)
			}
			waitAcks(200)
		}
		transfer(old, next)
		transfer(next, old)
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("write neither acknowledged nor refused: %v", err)
	}
	got, err := c.get("n")
	if err != nil {
		t.Fatal(err)
	}
	if got != strconv.FormatInt(acked.Load(), 10) {
		t.Fatalf("counter %s, acknowledged INCRs %d (refused %d)", got, acked.Load(), refused.Load())
	}
	t.Logf("%d INCRs acknowledged, %d refused during the hand-off", acked.Load(), refused.Load())
}
