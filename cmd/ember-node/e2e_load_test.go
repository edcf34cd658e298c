package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ember-node/ember-node/cmd/ember-node/harness"
	"github.com/ember-node/ember-node/rpc/resp"
)

// op is one write of the load.
type op struct {
	kind     byte // 's' SET, 'c' INCR, 'l' RPUSH
	key, val string
}

func (o op) args() []string {
	switch o.kind {
	case 's':
		return []string{"SET", o.key, o.val}
	case 'c':
		return []string{"INCR", o.key}
	default:
		return []string{"RPUSH", o.key, o.val}
	}
}

// load is N writers on their own connections. Each writes keys no other
// writer touches, one command at a time, so it knows exactly what every
// reply must be and what state its acknowledged writes imply.
type load struct {
	writers  []*writer
	acked    atomic.Int64
	stopping atomic.Bool // set before the node is stopped: error replies may follow
	wg       sync.WaitGroup
}

type writer struct {
	id       int
	sets     map[string]string   // acknowledged SETs
	counters map[string]int64    // last acknowledged INCR reply per key
	lists    map[string][]string // acknowledged RPUSH elements, in order
	pending  *op                 // in flight when the connection broke: outcome unknown
	bad      []string            // replies that are wrong for a live node
}

// startLoad starts n writers against addr. They stop after maxOps writes
// each, at until, or when the node goes away.
func startLoad(addr string, n, maxOps int, until time.Time) *load {
	l := &load{}
	for i := range n {
		w := &writer{id: i, sets: map[string]string{}, counters: map[string]int64{}, lists: map[string][]string{}}
		l.writers = append(l.writers, w)
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			l.run(w, addr, maxOps, until)
		}()
	}
	return l
}

func (w *writer) next(i int) op {
	switch i % 3 {
	case 0:
		return op{'s', fmt.Sprintf("s:%d:%d", w.id, i), fmt.Sprintf("v%d.%d", w.id, i)}
	case 1:
		return op{'c', fmt.Sprintf("c:%d:%d", w.id, i%7), ""}
	default:
		return op{'l', fmt.Sprintf("l:%d:%d", w.id, i%5), fmt.Sprintf("e%d", i)}
	}
}

func (l *load) run(w *writer, addr string, maxOps int, until time.Time) {
	c, err := harness.Dial(addr)
	if err != nil {
		w.bad = append(w.bad, err.Error())
		return
	}
	defer c.Close()
	for i := 0; i < maxOps && time.Now().Before(until); i++ {
		o := w.next(i)
		w.pending = &o
		v, err := c.Do(o.args()...)
		if err != nil || v.Type == '-' && l.stopping.Load() {
			return // the node went away: o may or may not have applied
		}
		w.pending = nil
		if !w.ack(o, v) {
			w.bad = append(w.bad, fmt.Sprintf("%v -> %s", o.args(), v))
			return
		}
		l.acked.Add(1)
	}
}

// ack records an acknowledged write, checking the reply is the one the
// writer's own history implies.
func (w *writer) ack(o op, v resp.Value) bool {
	switch o.kind {
	case 's':
		w.sets[o.key] = o.val
		return v.Type == '+' && v.Str == "OK"
	case 'c':
		ok := v.Type == ':' && v.Int == w.counters[o.key]+1
		w.counters[o.key] = v.Int
		return ok
	default:
		w.lists[o.key] = append(w.lists[o.key], o.val)
		return v.Type == ':' && v.Int == int64(len(w.lists[o.key]))
	}
}

// waitAcked waits until n writes were acknowledged in all.
func (l *load) waitAcked(t *testing.T, n int64, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for l.acked.Load() < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d writes acknowledged after %s, want %d", l.acked.Load(), timeout, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// finish waits for the writers (the node is down) and checks the load
// really was cut mid-flight.
func (l *load) finish(t *testing.T) {
	t.Helper()
	l.wg.Wait()
	inflight := 0
	for _, w := range l.writers {
		if len(w.bad) > 0 {
			t.Errorf("writer %d got wrong replies from a live node: %q", w.id, w.bad)
		}
		if w.pending != nil {
			inflight++
		}
	}
	if inflight == 0 {
		t.Fatalf("no write was in flight when the node stopped: the load ended too early")
	}
	t.Logf("%d writes acknowledged by %d writers; %d in flight at the stop", l.acked.Load(), len(l.writers), inflight)
}

// verify reads back every key the load touched and checks each against
// what was acknowledged, allowing each writer's one in-flight write to
// have applied or not, and checks DBSIZE, so nothing is lost, duplicated
// or invented. It returns the replies, to compare across restarts.
func (l *load) verify(t *testing.T, c *harness.Client) string {
	t.Helper()
	var all []string
	present, wrong := int64(0), 0
	for _, w := range l.writers {
		n, seen := w.verify(t, c, &wrong)
		present += n
		all = append(all, seen...)
	}
	v, err := c.Do("DBSIZE")
	if err != nil || v.Int != present {
		t.Errorf("DBSIZE = %s (%v), want %d: keys nobody acknowledged", v, err, present)
	}
	return strings.Join(all, "\n")
}

func (w *writer) verify(t *testing.T, c *harness.Client, wrong *int) (present int64, seen []string) {
	t.Helper()
	var keys []string
	for k := range w.sets {
		keys = append(keys, k)
	}
	for k := range w.counters {
		keys = append(keys, k)
	}
	for k := range w.lists {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	p := w.pending
	if p != nil && !slices.Contains(keys, p.key) {
		keys = append(keys, p.key)
	}
	cmds := make([][]string, len(keys))
	for i, k := range keys {
		cmds[i] = []string{"GET", k}
		if k[0] == 'l' {
			cmds[i] = []string{"LRANGE", k, "0", "-1"}
		}
	}
	vs := c.MustPipeline(t, cmds)
	for i, k := range keys {
		inflight := p != nil && p.key == k
		if !vs[i].Null {
			present++
		}
		if msg := w.check(k, vs[i], inflight); msg != "" {
			if *wrong++; *wrong > 20 {
				t.Fatalf("more than 20 keys wrong after restart")
			}
			t.Errorf("after restart %s: %s", k, msg)
		}
		seen = append(seen, k+"="+vs[i].String())
	}
	return present, seen
}

// check compares one key's value with the acknowledged history.
func (w *writer) check(k string, v resp.Value, inflight bool) string {
	switch k[0] {
	case 's':
		want, ok := w.sets[k]
		if !ok && inflight {
			want = w.pending.val
		}
		if got := v.Str; v.Null && (ok || !inflight) || !v.Null && got != want {
			return fmt.Sprintf("got %s, want %q", v, want)
		}
	case 'c':
		got := int64(0)
		if !v.Null {
			got, _ = strconv.ParseInt(v.Str, 10, 64)
		}
		if want := w.counters[k]; got != want && !(inflight && got == want+1) {
			return fmt.Sprintf("counter %d, acknowledged %d (in flight: %v)", got, want, inflight)
		}
	default:
		acked := w.lists[k]
		got := make([]string, len(v.Elems))
		for i, e := range v.Elems {
			got[i] = e.Str
		}
		if !slices.Equal(got, acked) && !(inflight && slices.Equal(got, append(slices.Clip(acked), w.pending.val))) {
			return fmt.Sprintf("list %q, acknowledged %q (in flight: %v)", got, acked, inflight)
		}
	}
	return ""
}
