package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/ember-node/ember-node/shard"
)

// ranges cuts the keyspace into equal slot ranges for measuring
// unavailability: an outage of any one range counts, even while the others
// serve.
const ranges = 16

// workload is one run of the clients: linearizability workers on a few
// hot keys and durability workers writing unique keys, all against one
// router, all timed on one monotonic clock.
type workload struct {
	rt     *router
	prefix string // keys of this run start with it
	keys   int    // hot keys per family per epoch
	epoch  time.Duration
	opTO   time.Duration
	start  time.Time

	mu      sync.Mutex
	history []porcupine.Operation
	nextCID int // a fresh client id after each indeterminate op (it may still be running)
	acked   map[string]string
	used    map[string]opKind // hot keys used, and how to read them
	stats   runStats
	writeOK [ranges][]int64 // completion times (ns since start) of successful durable writes
}

// runStats counts what the clients saw.
type runStats struct {
	Ops           int64 `json:"ops"`            // linearizability ops with a definite outcome
	Indeterminate int64 `json:"indeterminate"`  // writes whose outcome is unknown
	FailedReads   int64 `json:"failed_reads"`   // reads that got no answer (left out of the history)
	NotDone       int64 `json:"not_done"`       // writes refused before they ran
	DurableAcked  int64 `json:"durable_acked"`  // unique-key writes acknowledged
	DurableUnsure int64 `json:"durable_unsure"` // unique-key writes with unknown outcome
}

func newWorkload(rt *router, prefix string, keys int, epoch, opTO time.Duration) *workload {
	return &workload{rt: rt, prefix: prefix, keys: keys, epoch: epoch, opTO: opTO,
		start: time.Now(), acked: map[string]string{}, used: map[string]opKind{}}
}

func (w *workload) now() int64 { return int64(time.Since(w.start)) }

// run starts linWorkers and durWorkers and returns when ctx ends.
func (w *workload) run(ctx context.Context, linWorkers, durWorkers int) {
	var wg sync.WaitGroup
	for i := range linWorkers {
		wg.Add(1)
		go func() { defer wg.Done(); w.linWorker(ctx, i) }()
	}
	for i := range durWorkers {
		wg.Add(1)
		go func() { defer wg.Done(); w.durWorker(ctx, i) }()
	}
	wg.Wait()
}

// hotKey names key i of a family in the current epoch. Keys change every
// epoch so that each key's history, and the checker's search, stays small.
func (w *workload) hotKey(family string, i int) string {
	e := int(time.Since(w.start) / w.epoch)
	return fmt.Sprintf("%s:%s:%d:%d", w.prefix, family, e, i)
}

func (w *workload) linWorker(ctx context.Context, id int) {
	rng := rand.New(rand.NewPCG(uint64(id), uint64(w.start.UnixNano())))
	w.mu.Lock()
	cid := w.nextCID
	w.nextCID++
	w.mu.Unlock()
	for seq := 0; ctx.Err() == nil; seq++ {
		in := w.pick(rng, id, seq)
		w.mu.Lock()
		if in.Kind == opPush || in.Kind == opRange {
			w.used[in.Key] = opRange
		} else {
			w.used[in.Key] = opGet
		}
		w.mu.Unlock()
		call := w.now()
		out, oc := w.exec(ctx, in)
		ret := w.now()
		if ctx.Err() != nil && oc != done {
			return // stopping: the op was cut short by us, not by the system
		}
		w.mu.Lock()
		switch {
		case oc == done:
			w.stats.Ops++
		case !in.Kind.isWrite():
			w.stats.FailedReads++
		case oc == notDone:
			w.stats.NotDone++
		default:
			w.stats.Indeterminate++
			ret = -1 // open until the end of the history
		}
		if oc == done || (oc == indeterminate && in.Kind.isWrite()) {
			w.history = append(w.history, porcupine.Operation{ClientId: cid, Input: in, Call: call, Output: out, Return: ret})
		}
		if ret == -1 {
			cid = w.nextCID
			w.nextCID++
		}
		w.mu.Unlock()
	}
}

// pick chooses the next operation: a family, one of its hot keys, a read
// or a write with a value unique in the run.
func (w *workload) pick(rng *rand.Rand, id, seq int) opInput {
	fam := rng.IntN(3)
	key := w.hotKey([]string{"reg", "ctr", "list"}[fam], rng.IntN(w.keys))
	val := fmt.Sprintf("%d.%d", id, seq)
	write := rng.IntN(2) == 0
	switch {
	case fam == 0 && write:
		return opInput{Kind: opSet, Key: key, Arg: val}
	case fam == 0:
		return opInput{Kind: opGet, Key: key}
	case fam == 1 && write:
		return opInput{Kind: opIncr, Key: key}
	case fam == 1:
		return opInput{Kind: opGet, Key: key}
	case write:
		return opInput{Kind: opPush, Key: key, Arg: val}
	default:
		return opInput{Kind: opRange, Key: key}
	}
}

// exec sends one operation and turns the reply into the model's output.
func (w *workload) exec(ctx context.Context, in opInput) (opOutput, outcome) {
	octx, cancel := context.WithTimeout(ctx, w.opTO)
	defer cancel()
	var args []any
	switch in.Kind {
	case opGet:
		args = []any{"GET", in.Key}
	case opSet:
		args = []any{"SET", in.Key, in.Arg}
	case opIncr:
		args = []any{"INCR", in.Key}
	case opRange:
		args = []any{"LRANGE", in.Key, 0, -1}
	case opPush:
		args = []any{"RPUSH", in.Key, in.Arg}
	}
	v, oc, _ := w.rt.do(octx, in.Key, in.Kind.isWrite(), args...)
	if oc != done {
		return opOutput{Unknown: true}, oc
	}
	switch in.Kind {
	case opGet:
		s, _ := v.(string)
		return opOutput{Val: s}, done
	case opRange:
		items, _ := v.([]any)
		parts := make([]string, len(items))
		for i, it := range items {
			parts[i] = fmt.Sprint(it)
		}
		return opOutput{Val: strings.Join(parts, listSep)}, done
	case opSet:
		return opOutput{}, done
	}
	n, err := replyInt(v)
	if err != nil {
		return opOutput{Unknown: true}, indeterminate
	}
	return opOutput{N: n}, done
}

// finalReads reads every hot key once more after the load stopped, through
// rt (leaders only), and adds the reads to the history: each key's history
// then ends with its final state, which lets prune drop unobserved
// writes of unknown outcome and shows a write lost after the last read.
func (w *workload) finalReads(ctx context.Context, rt *router) {
	saved := w.rt
	w.rt = rt
	defer func() { w.rt = saved }()
	for key, kind := range w.used {
		in := opInput{Kind: kind, Key: key}
		for try := 0; try < 5 && ctx.Err() == nil; try++ {
			call := w.now()
			out, oc := w.exec(ctx, in)
			if oc == done {
				w.history = append(w.history, porcupine.Operation{ClientId: w.nextCID, Input: in, Call: call, Output: out, Return: w.now()})
				break
			}
		}
	}
	w.nextCID++
}

// durWorker writes unique keys and remembers every acknowledged one; they
// must all read back at the end. Its writes also time the outages.
func (w *workload) durWorker(ctx context.Context, id int) {
	for seq := 0; ctx.Err() == nil; seq++ {
		key := fmt.Sprintf("%s:dur:%d:%d", w.prefix, id, seq)
		val := fmt.Sprintf("v%d", seq)
		octx, cancel := context.WithTimeout(ctx, w.opTO)
		_, oc, _ := w.rt.do(octx, key, true, "SET", key, val)
		cancel()
		if ctx.Err() != nil && oc != done {
			return
		}
		t := w.now()
		r := shard.KeySlot(key) * ranges / shard.NumSlots
		w.mu.Lock()
		switch oc {
		case done:
			w.stats.DurableAcked++
			w.acked[key] = val
			w.writeOK[r] = append(w.writeOK[r], t)
		case indeterminate:
			w.stats.DurableUnsure++
		}
		w.mu.Unlock()
	}
}

// verify reads back every acknowledged unique key through rt (which must
// read from leaders), with retries, and returns how many are missing or
// wrong, how many could not be read, and examples.
func (w *workload) verify(ctx context.Context, rt *router) (lost, unread int, examples []string) {
	type kv struct{ key, val string }
	work := make(chan kv)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range work {
				var got any
				oc := notDone
				for try := 0; try < 5 && oc != done && ctx.Err() == nil; try++ {
					octx, cancel := context.WithTimeout(ctx, 5*time.Second)
					got, oc, _ = rt.do(octx, it.key, false, "GET", it.key)
					cancel()
				}
				mu.Lock()
				switch {
				case oc != done:
					unread++
				case got != it.val:
					lost++
					if len(examples) < 10 {
						examples = append(examples, fmt.Sprintf("%s: acked %q, read %v", it.key, it.val, got))
					}
				}
				mu.Unlock()
			}
		}()
	}
	for key, val := range w.acked {
		work <- kv{key, val}
	}
	close(work)
	wg.Wait()
	return lost, unread, examples
}
