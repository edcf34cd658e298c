package main

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestGCPercentFor(t *testing.T) {
	for _, tc := range []struct {
		live uint64
		want int
	}{
		{0, gcMaxPercent},
		{1 << 20, gcMaxPercent},                // 64 MiB over 1 MiB: capped
		{16 << 20, 400},                        // 64 MiB over 16 MiB
		{64 << 20, 100},                        // the floor is the whole heap
		{gcMinHeadroom * 100 / 30, 30},         // where 30% reaches the floor
		{4 << 30, gcPercent},                   // a big cache: 30%
		{(64 << 20) * 100 / 31, gcPercent + 1}, // just below it
	} {
		if got := gcPercentFor(tc.live); got != tc.want {
			t.Errorf("gcPercentFor(%d) = %d, want %d", tc.live, got, tc.want)
		}
	}
}

// TestGCTunerFollowsTheLiveHeap starts the tuner from a wrong setting and
// requires a collection to set the percent a small test heap gets.
func TestGCTunerFollowsTheLiveHeap(t *testing.T) {
	old := debug.SetGCPercent(100)
	tuner := &gcTuner{last: 100, sample: startSample()}
	defer func() {
		tuner.stopped.Store(true)
		debug.SetGCPercent(old)
	}()
	tuner.arm()
	deadline := time.Now().Add(10 * time.Second)
	for {
		runtime.GC()
		time.Sleep(10 * time.Millisecond) // cleanups run on their own goroutine
		cur := debug.SetGCPercent(-1)
		debug.SetGCPercent(cur)
		if cur != 100 {
			if cur <= 100 {
				t.Fatalf("a test heap of a few MiB got GOGC %d, want a 64 MiB floor's percent", cur)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no collection re-set GOGC")
		}
	}
}
