package e2e

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ember-node/ember-node/cluster"
	"github.com/ember-node/ember-node/cmd/ember-node/harness"
	"github.com/ember-node/ember-node/shard"
)

// SIGKILL the leader of shard 0 while clients write, three times (each
// time the current leader; the killed node restarts in between): writes
// to the shard resume on a new leader, nothing acknowledged is lost, the
// restarted node finds the cluster again and catches up. The time from
// the kill until the first write to the shard that was sent after it is
// acknowledged is logged, with the median of the rounds.
func TestLeaderKill(t *testing.T) {
	nodes := startCluster(t, 3, defaultOpts)
	seed := nodes[0].Addr
	c := newClient(seed)
	defer c.Close()
	l := startLoad(c, 2, 2*time.Millisecond, plainKeys("fo"))
	defer l.halt()
	p := startProbe(l, shardKeys(0, 4))
	defer p.halt()
	waitAcks(t, l, 300)

	var resumes []time.Duration
	for round := 1; round <= 3; round++ {
		live := liveAddr(nodes)
		st := statusJSON(t, live)
		victim := nodeByID(t, nodes, st, leaderOf(t, st, 0))
		killedAt := time.Now()
		victim.Kill()
		resume := p.waitResume(t, killedAt, 30*time.Second)
		resumes = append(resumes, resume)
		t.Logf("round %d: killed %s (leader of shard 0); new leader elected after %s; writes to shard 0 resumed after %s",
			round, victim.Name, electedAfter(nodes, 0, killedAt), resume.Round(time.Millisecond))

		others := slices.DeleteFunc(slices.Clone(nodes), func(n *harness.Node) bool { return n == victim })
		waitStatus(t, others[0].Addr, 30*time.Second, "shard 0 led by a survivor", func(st cluster.Status) bool {
			l, ok := leaderOfOK(st, 0)
			return ok && l != idOf(st, victim.Addr)
		})
		if round == 1 {
			// The survivors see the victim dead (gossip's failure
			// detection) and `ember-node status` shows it.
			// Gossip reaches each survivor in its own time: wait for both.
			for _, o := range others {
				waitStatus(t, o.Addr, 30*time.Second, "victim dead", func(st cluster.Status) bool {
					return !isAlive(st, victim.Addr)
				})
			}
			status(t, others[1].Addr).expect(t, map[string]string{victim.Addr: "dead", others[0].Addr: "alive", others[1].Addr: "alive"},
				others[0].Addr, others[1].Addr)
		}
		waitAcks(t, l, l.ackCount()+200)

		victim.Start()
		victim.WaitServing(60 * time.Second)
		waitStatus(t, victim.Addr, 60*time.Second, "restarted node back and caught up", func(st cluster.Status) bool {
			return isAlive(st, victim.Addr) && allLed(3)(st) && maxLag(st) < 1000
		})
	}
	slices.Sort(resumes)
	t.Logf("writes to the killed leader's shard resumed after %v; median %s", resumes, resumes[len(resumes)/2].Round(time.Millisecond))

	removeDead(t, nodes, l)
	p.halt()
	l.halt()
	l.checkErrors(t, true)
	l.verify(t, seed)
}

// removeDead kills the last node for good and removes it with `ember-node
// remove` right away: the command waits for gossip to declare it dead,
// then for every shard to drop it. Wrong ids and live nodes are refused.
func removeDead(t *testing.T, nodes []*harness.Node, l *load) {
	t.Helper()
	seed, victim := nodes[0], nodes[2]
	st := statusJSON(t, seed.Addr)
	if out, err := harness.Ops(t, 30*time.Second, "remove", "--node", seed.Addr, "0123456789abcdef"); err == nil || !strings.Contains(out, "unknown node") {
		t.Errorf("remove of an unknown id: %v\n%s", err, out)
	}
	if out, err := harness.Ops(t, 30*time.Second, "remove", "--node", seed.Addr, idOf(st, victim.Addr)); err == nil || !strings.Contains(out, "is alive") {
		t.Errorf("remove of a live node: %v\n%s", err, out)
	}
	victim.Kill()
	start := time.Now()
	out := harness.MustOps(t, 2*time.Minute, "remove", "--node", seed.Addr, idOf(st, victim.Addr))
	t.Logf("remove took %s from the kill:\n%s", time.Since(start).Round(time.Millisecond), out)
	after := statusJSON(t, seed.Addr)
	if held := holding(after, idOf(st, victim.Addr)); len(held) > 0 || len(after.Nodes) != 2 {
		t.Errorf("after remove: shards %v still list the node; nodes %+v", held, after.Nodes)
	}
	status(t, nodes[1].Addr).expect(t, map[string]string{seed.Addr: "alive", nodes[1].Addr: "alive"}, seed.Addr, nodes[1].Addr)
	waitAcks(t, l, l.ackCount()+200)
}

// electedAfter reads the nodes' logs for the first "became leader" of
// shard after since: how much of the pause is Raft's election (the rest
// is routing and the client finding the new leader).
func electedAfter(nodes []*harness.Node, shardNo int, since time.Time) string {
	var first time.Time
	for _, n := range nodes {
		for _, line := range strings.Split(n.Log(), "\n") {
			if !strings.Contains(line, `msg="became leader"`) || !strings.Contains(line, " shard="+strconv.Itoa(shardNo)+" ") {
				continue
			}
			ts, _, _ := strings.Cut(strings.TrimPrefix(line, "time="), " ")
			at, err := time.Parse(time.RFC3339Nano, ts)
			if err == nil && at.After(since) && (first.IsZero() || at.Before(first)) {
				first = at
			}
		}
	}
	if first.IsZero() {
		return "?"
	}
	return first.Sub(since).Round(time.Millisecond).String()
}

// probe writes to one shard as fast as acknowledgements come back,
// keeping the send time of every acknowledged write.
type probe struct {
	l    *load
	stop chan struct{}
	wg   sync.WaitGroup
	mu   sync.Mutex
	sent []time.Time // send times of acknowledged writes, in order
}

func startProbe(l *load, keys func(i int) string) *probe {
	p := &probe{l: l, stop: make(chan struct{})}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for i := 0; i < 1000000; i++ {
			select {
			case <-p.stop:
				return
			default:
			}
			at := time.Now()
			if l.writeOne(keys(i), "p"+strconv.Itoa(i)) {
				p.mu.Lock()
				p.sent = append(p.sent, at)
				p.mu.Unlock()
			}
			time.Sleep(time.Millisecond)
		}
	}()
	return p
}

func (p *probe) halt() {
	select {
	case <-p.stop:
	default:
		close(p.stop)
	}
	p.wg.Wait()
}

// waitResume waits for an acknowledged write sent after killedAt and
// returns how long after the kill it was acknowledged (bounded by the
// probe's polling: within a millisecond or two).
func (p *probe) waitResume(t *testing.T, killedAt time.Time, timeout time.Duration) time.Duration {
	t.Helper()
	for time.Since(killedAt) < timeout {
		p.mu.Lock()
		n := len(p.sent)
		last := time.Time{}
		if n > 0 {
			last = p.sent[n-1]
		}
		p.mu.Unlock()
		if last.After(killedAt) {
			return time.Since(killedAt)
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("writes to the shard did not resume within %s: %s", timeout, p.l.summary())
	return 0
}

// shardKeys names keys whose hash tag puts them in shard of shards.
func shardKeys(shardNo, shards int) func(int) string {
	var tag string
	for i := 0; ; i++ {
		tag = "s" + strconv.Itoa(i)
		if cluster.ShardOf(shard.KeySlot([]byte(tag)), shards) == shardNo {
			break
		}
	}
	return func(i int) string { return "{" + tag + "}:" + strconv.Itoa(i) }
}

func liveAddr(nodes []*harness.Node) string {
	for _, n := range nodes {
		if n.Running() {
			return n.Addr
		}
	}
	return nodes[0].Addr
}

func leaderOfOK(st cluster.Status, shardNo int) (string, bool) {
	for _, s := range st.Led {
		if s.Shard == shardNo {
			return s.Leader, true
		}
	}
	return "", false
}

func leaderOf(t *testing.T, st cluster.Status, shardNo int) string {
	t.Helper()
	l, ok := leaderOfOK(st, shardNo)
	if !ok {
		t.Fatalf("shard %d has no leader: %+v", shardNo, st)
	}
	return l
}

func idOf(st cluster.Status, addr string) string {
	for _, n := range st.Nodes {
		if n.Client == addr {
			return n.ID
		}
	}
	return ""
}

func isAlive(st cluster.Status, addr string) bool {
	for _, n := range st.Nodes {
		if n.Client == addr {
			return n.Alive
		}
	}
	return false
}

func nodeByID(t *testing.T, nodes []*harness.Node, st cluster.Status, id string) *harness.Node {
	t.Helper()
	for _, n := range st.Nodes {
		if n.ID == id {
			for _, nd := range nodes {
				if nd.Addr == n.Client {
					return nd
				}
			}
		}
	}
	t.Fatalf("no node with id %s", id)
	return nil
}

// maxLag is the largest follower lag any leader reports.
func maxLag(st cluster.Status) uint64 {
	var m uint64
	for _, s := range st.Led {
		for _, l := range s.Lag {
			m = max(m, l)
		}
	}
	return m
}
