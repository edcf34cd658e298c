package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ember-node/ember-node/shard"
	"github.com/redis/go-redis/v9"
)

// ranges is how finely unavailability is measured: the keyspace is cut
// into this many equal slot ranges (one per shard with the default 16
// shards), and an outage of any one range counts, even while the others
// serve.
const ranges = 16

// phaseStats is what one load run records; verify adds the read-back.
type phaseStats struct {
	Phase         string           `json:"phase"`
	Seconds       float64          `json:"seconds"`
	Ops           int64            `json:"ops"`
	Acked         int64            `json:"acked"`
	Errors        int64            `json:"errors"`
	Indeterminate int64            `json:"indeterminate"`
	Reads         int64            `json:"reads"`
	StaleReads    int64            `json:"stale_reads"`
	WorstGapMs    int64            `json:"worst_gap_ms"`
	WorstRange    string           `json:"worst_range"`
	ErrorKinds    map[string]int64 `json:"error_kinds"`
	ErrorSamples  []string         `json:"error_samples,omitempty"` // the first few of each kind, with time and key
	Violations    []string         `json:"violations,omitempty"`
}

// loader is the state shared by the workers of one run.
type loader struct {
	rdb   *redis.ClusterClient
	phase string
	opTO  time.Duration
	start time.Time

	mu    sync.Mutex
	st    phaseStats
	acked []string // "key value" lines
	avail [ranges]rangeAvail
}

// rangeAvail tracks one slot range: the last success, and whether an
// operation on it has failed since.
type rangeAvail struct {
	lastOK  time.Time
	failing bool
	worst   time.Duration
}

func runLoad(args []string) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	var c common
	c.register(fs)
	phase := fs.String("phase", "load", "name of this run (keys and summary)")
	dir := fs.String("dir", ".", "where to write PHASE.acked and PHASE.json")
	workers := fs.Int("workers", 8, "concurrent clients")
	dur := fs.Duration("duration", 0, "stop after this long (0: at SIGINT/SIGTERM)")
	opTO := fs.Duration("op-timeout", 3*time.Second, "deadline of one operation, retries included")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *dur > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *dur)
		defer cancel()
	}
	l := &loader{rdb: c.client(*workers + 2), phase: *phase, opTO: *opTO, start: time.Now()}
	defer l.rdb.Close()
	l.st = phaseStats{Phase: *phase, ErrorKinds: map[string]int64{}}
	for i := range l.avail {
		l.avail[i].lastOK = l.start
	}
	var wg sync.WaitGroup
	for w := range *workers {
		wg.Add(1)
		go func() { defer wg.Done(); l.worker(ctx, w) }()
	}
	wg.Wait()
	l.finish(time.Now())
	return l.save(*dir)
}

// worker writes unique keys and reads back ones it wrote before. A write
// that fails is indeterminate (it may have committed); only acknowledged
// writes are recorded and must survive.
func (l *loader) worker(ctx context.Context, w int) {
	rng := rand.New(rand.NewPCG(uint64(w), uint64(l.start.UnixNano())))
	var mine [][2]string
	for seq := 0; ctx.Err() == nil; seq++ {
		key := fmt.Sprintf("e2e:%s:%d:%d", l.phase, w, seq)
		val := fmt.Sprintf("%s-%d-%d-%x", l.phase, w, seq, rng.Uint32())
		err := l.do(ctx, key, func(octx context.Context) error { return l.rdb.Set(octx, key, val, 0).Err() })
		if err == nil {
			mine = append(mine, [2]string{key, val})
			l.ack(key, val)
		} else if ctx.Err() == nil {
			l.mu.Lock()
			l.st.Indeterminate++
			l.mu.Unlock()
		}
		if len(mine) > 0 && rng.IntN(2) == 0 {
			kv := mine[rng.IntN(len(mine))]
			var got string
			err := l.do(ctx, kv[0], func(octx context.Context) error {
				var err error
				got, err = l.rdb.Get(octx, kv[0]).Result()
				return err
			})
			l.checkRead(kv, got, err)
		}
	}
}

// do runs one operation on key with its own deadline and accounts for it.
// On an error the client's slot map is reloaded: after a failover the old
// leader may be unreachable, and go-redis would otherwise keep trying it.
func (l *loader) do(ctx context.Context, key string, op func(context.Context) error) error {
	octx, cancel := context.WithTimeout(ctx, l.opTO)
	defer cancel()
	err := op(octx)
	if ctx.Err() != nil {
		return ctx.Err() // stopping: neither success nor failure counts
	}
	now := time.Now()
	r := shard.KeySlot([]byte(key)) * ranges / shard.NumSlots
	l.mu.Lock()
	l.st.Ops++
	a := &l.avail[r]
	if err == nil || errors.Is(err, redis.Nil) {
		if a.failing {
			a.worst = max(a.worst, now.Sub(a.lastOK))
		}
		a.lastOK, a.failing = now, false
	} else {
		a.failing = true
		l.st.Errors++
		kind := errorKind(err)
		l.st.ErrorKinds[kind]++
		if l.st.ErrorKinds[kind] <= 3 {
			l.st.ErrorSamples = append(l.st.ErrorSamples, fmt.Sprintf("%s slot %d %s: %v",
				now.Format("15:04:05.000"), shard.KeySlot([]byte(key)), key, err))
		}
	}
	l.mu.Unlock()
	if err != nil && !errors.Is(err, redis.Nil) {
		l.rdb.ReloadState(ctx)
		time.Sleep(20 * time.Millisecond)
	}
	return err
}

func (l *loader) ack(key, val string) {
	l.mu.Lock()
	l.st.Acked++
	l.acked = append(l.acked, key+" "+val)
	l.mu.Unlock()
}

// checkRead flags a read of an acknowledged write that does not return
// it: reads are linearizable, so this must never happen.
func (l *loader) checkRead(kv [2]string, got string, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil && !errors.Is(err, redis.Nil) {
		return
	}
	l.st.Reads++
	if errors.Is(err, redis.Nil) || got != kv[1] {
		l.st.StaleReads++
		if len(l.st.Violations) < 10 {
			l.st.Violations = append(l.st.Violations, fmt.Sprintf("%s GET %s: want %q, got %q (nil=%v)",
				time.Now().Format("15:04:05.000"), kv[0], kv[1], got, errors.Is(err, redis.Nil)))
		}
	}
}

// finish closes the books: a range still failing at the end has been
// unavailable since its last success.
func (l *loader) finish(end time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.st.Seconds = end.Sub(l.start).Seconds()
	for i := range l.avail {
		a := &l.avail[i]
		if a.failing {
			a.worst = max(a.worst, end.Sub(a.lastOK))
		}
		if ms := a.worst.Milliseconds(); ms > l.st.WorstGapMs || l.st.WorstRange == "" {
			l.st.WorstGapMs = ms
			per := shard.NumSlots / ranges
			l.st.WorstRange = fmt.Sprintf("%d-%d", i*per, (i+1)*per-1)
		}
	}
}

func (l *loader) save(dir string) error {
	f, err := os.Create(filepath.Join(dir, l.phase+".acked"))
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	for _, line := range l.acked {
		bw.WriteString(line + "\n")
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	b, _ := json.MarshalIndent(l.st, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, l.phase+".json"), b, 0o644); err != nil {
		return err
	}
	fmt.Printf("load %-16s ops=%d acked=%d errors=%d indeterminate=%d stale_reads=%d worst_unavailability=%s\n",
		l.phase, l.st.Ops, l.st.Acked, l.st.Errors, l.st.Indeterminate, l.st.StaleReads, time.Duration(l.st.WorstGapMs)*time.Millisecond)
	for _, e := range l.st.ErrorSamples {
		fmt.Println("    error:", e)
	}
	return nil
}

// errorKind names an error by its class, for the summary.
func errorKind(err error) string {
	var ne interface{ Timeout() bool }
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case strings.Contains(err.Error(), "connection refused"):
		return "refused"
	case strings.Contains(err.Error(), "outcome unknown"):
		return "unknown-outcome"
	}
	msg := err.Error()
	if i := strings.IndexByte(msg, ' '); i > 0 && strings.ToUpper(msg[:i]) == msg[:i] {
		return msg[:i] // a Redis error word: MOVED, TRYAGAIN, CLUSTERDOWN, ERR...
	}
	if len(msg) > 40 {
		msg = msg[:40]
	}
	return msg
}
