package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// A cache's heap is mostly live data, so the collector runs when the heap
// has grown by 30% of it rather than Go's 100%: memory stays near the data.
// On a small heap 30% is a few megabytes, and a node filling up would
// collect every few milliseconds. So the headroom is 30% of the live heap
// but never less than gcMinHeadroom, re-set after every collection from the
// heap it left live (docs/performance.md has the measurements).
const (
	gcPercent     = 30
	gcMinHeadroom = 64 << 20
	gcMaxPercent  = 1000
)

// gcPercentFor is the GOGC that gives a live heap its headroom.
func gcPercentFor(live uint64) int {
	if live == 0 {
		return gcMaxPercent
	}
	p := uint64(gcPercent)
	if floor := gcMinHeadroom * 100 / live; floor > p {
		p = floor
	}
	return int(min(p, gcMaxPercent))
}

// gcTuner re-sets GOGC after each collection. It lives as long as the
// process: a cleanup on a fresh sentinel runs after every cycle that
// found it unreachable, and arms the next.
type gcTuner struct {
	sample  []metrics.Sample
	last    int
	stopped atomic.Bool // tests end it; a node's runs for good
}

func startGCTuner() {
	t := &gcTuner{sample: startSample()}
	t.tune()
	t.arm()
}

func startSample() []metrics.Sample {
	return []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
}

// gcSentinel holds a pointer so that it is not batched by the tiny
// allocator, whose objects may never be collected one by one.
type gcSentinel struct{ _ *int }

func (t *gcTuner) arm() {
	runtime.AddCleanup(&gcSentinel{}, func(t *gcTuner) {
		if t.stopped.Load() {
			return
		}
		t.tune()
		t.arm()
	}, t)
}

func (t *gcTuner) tune() {
	metrics.Read(t.sample)
	var live uint64
	if t.sample[0].Value.Kind() == metrics.KindUint64 {
		live = t.sample[0].Value.Uint64()
	}
	if p := gcPercentFor(live); p != t.last {
		debug.SetGCPercent(p)
		t.last = p
	}
}
