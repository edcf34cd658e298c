package e2e

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// newClient returns a cluster client seeded with addrs only: it learns
// the other nodes from CLUSTER SLOTS. Timeouts are short because go-redis
// otherwise keeps trying a dead node for a long time (see DESIGN.md,
// Notes for tests against clusters); writers also ReloadState on
// connection errors.
func newClient(addrs ...string) *redis.ClusterClient {
	return redis.NewClusterClient(&redis.ClusterOptions{
		Addrs:        addrs,
		MaxRedirects: 8,
		DialTimeout:  time.Second,
		// One dial per attempt: the default five, 100ms apart, keep a
		// writer on a killed node for half a second before it reloads
		// the slot map.
		DialerRetries:   1,
		ReadTimeout:     3 * time.Second,
		WriteTimeout:    3 * time.Second,
		MinRetryBackoff: 20 * time.Millisecond,
		MaxRetryBackoff: 200 * time.Millisecond,
		DisableIdentity: true,
		PoolSize:        8,
		// A dead node is avoided this long; the default 15s would keep
		// clients off a restarted node.
		FailingTimeoutSeconds:    1,
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
	})
}

// errKind sorts client errors into what a cluster may legitimately answer
// while it moves things around and what it must not.
type errKind int

const (
	errRedirect errKind = iota // MOVED/ASK beyond MaxRedirects, TRYAGAIN, CLUSTERDOWN
	errConn                    // connection refused/reset, EOF, timeout: a node went away
	errUnknown                 // "write outcome unknown" (DESIGN decision 11)
	errOther
)

func classify(err error) errKind {
	msg := err.Error()
	for _, p := range []string{"MOVED ", "ASK ", "TRYAGAIN", "CLUSTERDOWN"} {
		if strings.HasPrefix(msg, p) {
			return errRedirect
		}
	}
	var ne net.Error
	switch {
	case strings.Contains(msg, "write outcome unknown"):
		return errUnknown
	case errors.Is(err, io.EOF), errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE), errors.As(err, &ne), errors.Is(err, context.DeadlineExceeded),
		strings.Contains(msg, "connection refused"), strings.Contains(msg, "connection reset"),
		strings.Contains(msg, "redis: client is closed"), strings.Contains(msg, "pool timeout"):
		return errConn
	}
	return errOther
}

// load is a set of writers that SET unique keys and remember every
// acknowledged write; verify reads each back.
type load struct {
	c      *redis.ClusterClient
	stop   chan struct{}
	wg     sync.WaitGroup
	mu     sync.Mutex
	acked  map[string]string
	counts [4]atomic.Int64 // by errKind
	others []string
	writes atomic.Int64
}

// keyFunc names the i-th key of writer w.
type keyFunc func(w, i int) string

func plainKeys(prefix string) keyFunc {
	return func(w, i int) string { return prefix + ":" + strconv.Itoa(w) + ":" + strconv.Itoa(i) }
}

// startLoad runs writers goroutines, each pausing pause between writes
// (the machine has two cores and the nodes need them too). It stops by
// itself after maxWrites per writer.
func startLoad(c *redis.ClusterClient, writers int, pause time.Duration, keys keyFunc) *load {
	l := &load{c: c, stop: make(chan struct{}), acked: map[string]string{}}
	const maxWrites = 200000
	for w := range writers {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for i := 0; i < maxWrites; i++ {
				select {
				case <-l.stop:
					return
				default:
				}
				l.writeOne(keys(w, i), "v"+strconv.Itoa(i))
				if pause > 0 {
					time.Sleep(pause)
				}
			}
		}()
	}
	return l
}

// writeOne sets k and records the outcome; it reports success.
func (l *load) writeOne(k, v string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	l.writes.Add(1)
	err := l.c.Set(ctx, k, v, 0).Err()
	if err == nil {
		l.mu.Lock()
		l.acked[k] = v
		l.mu.Unlock()
		return true
	}
	kind := classify(err)
	l.counts[kind].Add(1)
	switch kind {
	case errConn:
		l.c.ReloadState(context.Background())
		time.Sleep(10 * time.Millisecond)
	case errOther, errUnknown:
		l.mu.Lock()
		if len(l.others) < 20 {
			l.others = append(l.others, fmt.Sprintf("SET %s: %v", k, err))
		}
		l.mu.Unlock()
	}
	return false
}

// halt stops the writers and waits for them.
func (l *load) halt() {
	select {
	case <-l.stop:
	default:
		close(l.stop)
	}
	l.wg.Wait()
}

func (l *load) ackCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.acked)
}

func (l *load) summary() string {
	return fmt.Sprintf("%d writes, %d acknowledged, errors: %d redirect/TRYAGAIN, %d connection, %d outcome unknown, %d other",
		l.writes.Load(), l.ackCount(), l.counts[errRedirect].Load(), l.counts[errConn].Load(),
		l.counts[errUnknown].Load(), l.counts[errOther].Load())
}

// verify reads every acknowledged key back through a fresh client.
func (l *load) verify(t *testing.T, addrs ...string) {
	t.Helper()
	l.mu.Lock()
	acked := make(map[string]string, len(l.acked))
	for k, v := range l.acked {
		acked[k] = v
	}
	l.mu.Unlock()
	c := newClient(addrs...)
	defer c.Close()
	if lost := readBack(t, c, acked); len(lost) > 0 {
		t.Fatalf("%d acknowledged writes lost, e.g. %v", len(lost), lost[:min(5, len(lost))])
	}
}

// readBack GETs every key (pipelined by node) and returns those whose
// value differs from want.
func readBack(t *testing.T, c *redis.ClusterClient, want map[string]string) []string {
	t.Helper()
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	var lost []string
	for start := 0; start < len(keys); start += 500 {
		batch := keys[start:min(start+500, len(keys))]
		var cmds []*redis.StringCmd
		var err error
		for try := 0; try < 20; try++ {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			cmds = cmds[:0]
			_, err = c.Pipelined(ctx, func(p redis.Pipeliner) error {
				for _, k := range batch {
					cmds = append(cmds, p.Get(ctx, k))
				}
				return nil
			})
			cancel()
			if err == nil || errors.Is(err, redis.Nil) {
				break
			}
			c.ReloadState(context.Background())
			time.Sleep(100 * time.Millisecond)
		}
		if err != nil && !errors.Is(err, redis.Nil) {
			t.Fatalf("reading back: %v", err)
		}
		for i, cmd := range cmds {
			if got, _ := cmd.Result(); got != want[batch[i]] {
				lost = append(lost, fmt.Sprintf("%s=%q (read %q)", batch[i], want[batch[i]], got))
			}
		}
	}
	return lost
}

// checkErrors fails the test on client errors that are neither
// redirections nor a node going away.
func (l *load) checkErrors(t *testing.T, allowConn bool) {
	t.Helper()
	t.Log(l.summary())
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.counts[errOther].Load() > 0 || l.counts[errUnknown].Load() > 0 {
		t.Errorf("unexpected client errors: %s", strings.Join(l.others, "; "))
	}
	if !allowConn && l.counts[errConn].Load() > 0 {
		t.Errorf("%d connection errors", l.counts[errConn].Load())
	}
}
