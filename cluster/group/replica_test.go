package group

import (
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"
)

// ackLog remembers every acknowledged write (key → value): the proof that
// none is lost is reading each back from the leader afterwards.
type ackLog struct {
	mu   sync.Mutex
	acks map[string]string
}

func (a *ackLog) add(k, v string) {
	a.mu.Lock()
	a.acks[k] = v
	a.mu.Unlock()
}

// waitFor waits until n writes are acknowledged in all: a phase of a test
// must see writes go through however slow a busy machine makes them.
func (a *ackLog) waitFor(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		a.mu.Lock()
		got := len(a.acks)
		a.mu.Unlock()
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d writes acknowledged after 30s", got, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (a *ackLog) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.acks)
}

func (a *ackLog) verify(t *testing.T, c *testCluster) {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	for k, v := range a.acks {
		got, err := c.get(k)
		if err != nil {
			t.Fatalf("read %s: %v", k, err)
		}
		if got != v {
			t.Fatalf("acknowledged write lost: %s = %q, read %q", k, v, got)
		}
	}
}

// writer keeps writing unique keys through whoever leads until stop,
// remembering what was acknowledged. Errors are not failures: during an
// election a write may be refused or its outcome unknown.
func writer(c *testCluster, acks *ackLog, prefix string, stop <-chan struct{}, wg *sync.WaitGroup) {
	defer wg.Done()
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		default:
		}
		k, v := prefix+strconv.Itoa(i), "v"+strconv.Itoa(i)
		for j, m := range c.members {
			if m.group() == nil || !m.group().IsReadyLeader() {
				continue
			}
			if out, err := c.write(j, "set", k, v); err == nil && out == "+OK\r\n" {
				acks.add(k, v)
			}
			break
		}
		time.Sleep(time.Millisecond)
	}
}

func TestReplicasConverge(t *testing.T) {
	t.Parallel()
	for _, n := range []int{3, 5} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			c := makeCluster(t, n, fastGroupConfig())
			for i := range 300 {
				k := strconv.Itoa(i % 40)
				c.mustWrite("incr", "n"+k)
				c.mustWrite("rpush", "l"+k, k)
				c.mustWrite("sadd", "s"+k, strconv.Itoa(i))
				c.mustWrite("spop", "s"+k)
				c.mustWrite("zincrby", "z"+k, "1.5", strconv.Itoa(i%7))
				c.mustWrite("hincrbyfloat", "h"+k, "f", "0.1")
				c.mustWrite("set", "e"+k, "x", "PX", "30")
			}
			c.converge()
			// Expired keys are deleted by the leader's records only, so
			// after active expiry every replica is still identical.
			time.Sleep(100 * time.Millisecond)
			c.converge()
		})
	}
}

func TestLeaderKilledLosesNoAcknowledgedWrite(t *testing.T) {
	t.Parallel()
	c := makeCluster(t, 3, fastGroupConfig())
	acks := &ackLog{acks: map[string]string{}}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go writer(c, acks, "k", stop, &wg)
	acks.waitFor(t, 10)
	old := c.leader()
	c.stop(old)
	time.Sleep(300 * time.Millisecond)
	if l := c.leader(); l == old {
		t.Fatal("stopped member still leads")
	}
	acks.waitFor(t, acks.count()+10) // the new leader acknowledges writes
	c.start(old)                     // restarts from its own bolt files
	acks.waitFor(t, acks.count()+10)
	close(stop)
	wg.Wait()
	c.converge()
	acks.verify(t, c)
}

func TestIsolatedLeaderAcknowledgesNothing(t *testing.T) {
	t.Parallel()
	c := makeCluster(t, 3, fastGroupConfig())
	acks := &ackLog{acks: map[string]string{}}
	for i := range 50 {
		k := "before" + strconv.Itoa(i)
		c.mustWrite("set", k, "v")
		acks.add(k, "v")
	}
	old := c.leader()
	c.members[old].mux.Isolate(true)
	// The deposed leader must not acknowledge anything: writes there fail
	// (refused, or outcome unknown), never +OK.
	for i := range 20 {
		out, err := c.write(old, "set", "cut"+strconv.Itoa(i), "v")
		if err == nil {
			t.Fatalf("isolated leader acknowledged a write: %q", out)
		}
	}
	// Meanwhile the majority elects a leader and goes on.
	deadline := time.Now().Add(10 * time.Second)
	for {
		l := -1
		for i, m := range c.members {
			if i != old && m.group().IsReadyLeader() {
				l = i
			}
		}
		if l >= 0 {
			out, err := c.write(l, "set", "after", "v")
			if err == nil && out == "+OK\r\n" {
				acks.add("after", "v")
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("majority did not elect a leader")
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.members[old].mux.Isolate(false)
	c.converge()
	acks.verify(t, c)
}

func TestLaggingFollowerCatchesUpBySnapshot(t *testing.T) {
	t.Parallel()
	cfg := fastGroupConfig()
	cfg.SnapshotThreshold = 100
	cfg.TrailingLogs = 10
	cfg.SnapshotInterval = 50 * time.Millisecond
	c := makeCluster(t, 3, cfg)
	follower := (c.leader() + 1) % 3
	c.stop(follower)
	for i := range 1000 {
		c.mustWrite("set", "k"+strconv.Itoa(i), strconv.Itoa(i))
		c.mustWrite("sadd", "s", strconv.Itoa(i%97))
	}
	// Wait until the leader has compacted past what the follower has.
	l := c.members[c.leader()].group()
	deadline := time.Now().Add(10 * time.Second)
	for {
		first, _ := l.store.FirstIndex()
		if first > 100 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("leader never compacted its log (first index %d)", first)
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.start(follower)
	c.converge()
	// SPOP after a snapshot install draws the same members everywhere.
	for range 10 {
		c.mustWrite("spop", "s", "2")
	}
	c.converge()
}

func TestFollowerRestartCatchesUp(t *testing.T) {
	t.Parallel()
	c := makeCluster(t, 5, fastGroupConfig())
	f := (c.leader() + 2) % 5
	c.stop(f)
	for i := range 200 {
		c.mustWrite("lpush", "l", strconv.Itoa(i))
	}
	c.start(f)
	c.converge()
}
