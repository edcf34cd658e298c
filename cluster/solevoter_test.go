package cluster

import (
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ember-node/ember-node/persistence"
	"github.com/ember-node/ember-node/rpc/resp"
	"github.com/ember-node/ember-node/shard"
)

// TestSoleVoterReadsSeeEveryAcknowledgedWrite drives a single-node group,
// whose reads skip the read-index round, with concurrent INCRs and GETs:
// a read that starts after an INCR was acknowledged must see at least its
// value, and each reader's values never go back.
func TestSoleVoterReadsSeeEveryAcknowledgedWrite(t *testing.T) {
	n := testNode(t, t.TempDir(), 1)
	defer n.Close()
	key := []byte("counter")
	slot := shard.KeySlot(key)
	var acked atomic.Int64 // highest value an INCR reply has returned
	var wg sync.WaitGroup
	deadline := time.Now().Add(2 * time.Second)
	errs := make(chan error, 8)
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 500 && time.Now().Before(deadline); i++ {
				var w resp.Writer
				rec := persistence.Record{Tag: persistence.TagCommand, Time: time.Now().UnixMilli(),
					Args: [][]byte{[]byte("INCR"), key}}
				if err := n.Write(slot, &rec, &w); err != nil {
					errs <- err
					return
				}
				v, err := strconv.ParseInt(strings.TrimSpace(strings.TrimPrefix(string(w.B), ":")), 10, 64)
				if err != nil {
					errs <- err
					return
				}
				for old := acked.Load(); v > old && !acked.CompareAndSwap(old, v); old = acked.Load() {
				}
			}
		}()
	}
	var reads atomic.Int64
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			last := int64(0)
			for time.Now().Before(deadline) {
				floor := acked.Load()
				var got int64
				err := n.Read(slot, time.Now(), func(ks *shard.Keyspace, now int64) {
					if o := ks.Lookup(key, now); o != nil {
						got, _ = strconv.ParseInt(string(o.Str), 10, 64)
					}
				})
				if err != nil {
					errs <- err
					return
				}
				if got < floor || got < last {
					t.Errorf("read %d after an acknowledged %d (previous read %d)", got, floor, last)
					return
				}
				last = got
				reads.Add(1)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if acked.Load() == 0 || reads.Load() == 0 {
		t.Fatalf("nothing ran: %d acknowledged, %d reads", acked.Load(), reads.Load())
	}
	t.Logf("%d increments acknowledged, %d reads", acked.Load(), reads.Load())
}
