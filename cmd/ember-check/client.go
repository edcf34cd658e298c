package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ember-node/ember-node/shard"
	"github.com/redis/go-redis/v9"
)

// outcome classifies a finished operation for the history: the checker
// must never count an operation as failed when it may have taken effect.
type outcome uint8

const (
	done          outcome = iota // a reply: it happened, with this result
	notDone                      // it certainly did not happen (refused before it ran)
	indeterminate                // it may or may not have happened
)

// router is a small cluster-aware client written for the checker rather
// than go-redis's ClusterClient, because that client retries a command
// whose connection broke after it was sent (an EOF): a retried INCR or
// RPUSH may then take effect twice, which the checker would blame on the
// server. Here a command is resent only when the server said it did not
// run it (MOVED, TRYAGAIN, CLUSTERDOWN, LOADING, READONLY) or when the
// connection could not be made at all.
type router struct {
	seeds     []string
	password  string
	readOnly  bool // send reads to replicas after READONLY (stale reads allowed)
	attemptTO time.Duration

	mu       sync.Mutex
	masters  [shard.NumSlots]string
	replicas map[string][]string // master address -> its replicas
	conns    map[string]*redis.Client
	refresh  time.Time
	// suspects holds nodes that just failed (refused, timed out, closed the
	// connection) until when: commands wait for a new slot map rather than
	// go there at once again. Every command sent to a dead node may come
	// back with an unknown outcome (Docker's port proxy accepts and then
	// closes), and each of those makes the history harder to check.
	suspects map[string]time.Time
}

func newRouter(seeds []string, password string, attemptTO time.Duration) *router {
	return &router{seeds: seeds, password: password, attemptTO: attemptTO,
		replicas: map[string][]string{}, conns: map[string]*redis.Client{},
		suspects: map[string]time.Time{}}
}

func (r *router) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.conns {
		c.Close()
	}
}

// conn returns the pooled client of one node. Go-redis's own retries are
// off (MaxRetries -1) for the reason given on router.
func (r *router) conn(addr string) *redis.Client {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c := r.conns[addr]; c != nil {
		return c
	}
	opt := &redis.Options{Addr: addr, Password: r.password, MaxRetries: -1,
		DialTimeout: r.attemptTO, ReadTimeout: r.attemptTO, WriteTimeout: r.attemptTO,
		PoolSize: 16, DisableIdentity: true, ContextTimeoutEnabled: true}
	if r.readOnly {
		opt.OnConnect = func(ctx context.Context, cn *redis.Conn) error {
			return cn.ReadOnly(ctx).Err()
		}
	}
	c := redis.NewClient(opt)
	r.conns[addr] = c
	return c
}

// reload asks the nodes, seeds first, for CLUSTER SLOTS, at most every
// 100 ms however many workers ask.
func (r *router) reload(ctx context.Context) {
	r.mu.Lock()
	if time.Since(r.refresh) < 100*time.Millisecond {
		r.mu.Unlock()
		return
	}
	r.refresh = time.Now()
	known := map[string]bool{}
	cands := append([]string(nil), r.seeds...)
	for _, m := range r.masters {
		if m != "" && !known[m] {
			known[m] = true
			cands = append(cands, m)
		}
	}
	r.mu.Unlock()
	rand.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	for _, addr := range cands {
		sctx, cancel := context.WithTimeout(ctx, r.attemptTO)
		slots, err := r.conn(addr).ClusterSlots(sctx).Result()
		cancel()
		if err != nil || len(slots) == 0 {
			continue
		}
		r.mu.Lock()
		for _, s := range slots {
			if len(s.Nodes) == 0 {
				continue
			}
			m := s.Nodes[0].Addr
			for i := s.Start; i <= s.End && i < shard.NumSlots; i++ {
				r.masters[i] = m
			}
			var reps []string
			for _, n := range s.Nodes[1:] {
				reps = append(reps, n.Addr)
			}
			r.replicas[m] = reps
		}
		r.mu.Unlock()
		return
	}
}

// target picks the node for a command on slot: the master, or for a read
// in read-only mode one of its replicas (the master when it has none).
func (r *router) target(slot int, write bool) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := r.masters[slot]
	if write || !r.readOnly || m == "" {
		return m
	}
	reps := r.replicas[m]
	if len(reps) == 0 {
		return m
	}
	return reps[rand.IntN(len(reps))]
}

func (r *router) moved(slot int, addr string) {
	r.mu.Lock()
	r.masters[slot] = addr
	r.mu.Unlock()
}

// do runs one command on key's slot until it gets a reply, learns the
// command certainly did not run, or cannot tell. ctx bounds the whole.
func (r *router) do(ctx context.Context, key string, write bool, args ...any) (any, outcome, error) {
	slot := shard.KeySlot(key)
	var last error
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			backoff := min(time.Duration(attempt)*20*time.Millisecond, 200*time.Millisecond)
			select {
			case <-ctx.Done():
				return nil, notDone, fmt.Errorf("gave up after %d attempts: %w", attempt, last)
			case <-time.After(backoff):
			}
		}
		addr := r.target(slot, write)
		if addr == "" {
			r.reload(ctx)
			if addr = r.target(slot, write); addr == "" {
				last = errors.New("no node known for the slot")
				continue
			}
		}
		if r.suspected(addr) {
			r.reload(ctx)
			last = fmt.Errorf("%s failed a moment ago", addr)
			continue
		}
		v, err := r.conn(addr).Do(ctx, args...).Result()
		if err == nil || errors.Is(err, redis.Nil) {
			return v, done, nil
		}
		last = fmt.Errorf("%s: %w", addr, err)
		word, rest, _ := strings.Cut(err.Error(), " ")
		var rerr redis.Error
		switch {
		case errors.As(err, &rerr) && word == "MOVED":
			if _, to, ok := strings.Cut(rest, " "); ok {
				r.moved(slot, to)
				continue
			}
			return nil, indeterminate, last
		case errors.As(err, &rerr) && (word == "TRYAGAIN" || word == "CLUSTERDOWN" || word == "LOADING" || word == "READONLY" || word == "MASTERDOWN"):
			r.reload(ctx)
			continue
		case errors.As(err, &rerr):
			// Any other error reply, "outcome unknown" among them: a correct
			// server that refuses a write does not apply it, but the checker
			// does not assume that.
			return nil, indeterminate, last
		case isDialError(err):
			r.suspect(addr)
			r.reload(ctx)
			continue
		}
		// A timeout or a connection lost after the command was sent.
		r.suspect(addr)
		r.reload(ctx)
		return nil, indeterminate, last
	}
}

// isDialError tells a connection that was never made (the command was not
// sent) from one that broke later.
func isDialError(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	return strings.Contains(err.Error(), "connection pool timeout")
}

// replyInt reads an integer reply.
func replyInt(v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case string:
		return strconv.ParseInt(x, 10, 64)
	}
	return 0, fmt.Errorf("not an integer reply: %T %v", v, v)
}

// forceReload reloads the slot map now.
func (r *router) forceReload(ctx context.Context) {
	r.mu.Lock()
	r.refresh = time.Time{}
	r.mu.Unlock()
	r.reload(ctx)
}

// replicasOf returns the replicas CLUSTER SLOTS last listed for a master.
func (r *router) replicasOf(master string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.replicas[master]...)
}

// suspectFor is how long a node that failed is left alone.
const suspectFor = 500 * time.Millisecond

func (r *router) suspect(addr string) {
	r.mu.Lock()
	r.suspects[addr] = time.Now().Add(suspectFor)
	r.mu.Unlock()
}

func (r *router) suspected(addr string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return time.Now().Before(r.suspects[addr])
}
