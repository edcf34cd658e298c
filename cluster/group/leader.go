package group

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/raft"

	"github.com/ember-node/ember-node/persistence"
	"github.com/ember-node/ember-node/shard"
	"github.com/ember-node/ember-node/shard/command"
	"github.com/ember-node/ember-node/shard/reclaim"
	"github.com/ember-node/ember-node/shard/store"
)

// watchLeadership runs the leader's duties while this member leads: a
// no-op first (see lead), then active expiry.
func (g *Group) watchLeadership(ch <-chan bool) {
	defer g.wg.Done()
	var stopLead chan struct{}
	for {
		select {
		case <-g.stop:
			if stopLead != nil {
				close(stopLead)
			}
			return
		case leader := <-ch:
			if stopLead != nil {
				close(stopLead)
				stopLead = nil
			}
			g.ready.Store(0)
			if leader {
				g.log.Info("became leader", "term", g.raft.CurrentTerm())
				stopLead = make(chan struct{})
				g.wg.Add(1)
				go g.lead(stopLead)
			} else {
				g.log.Info("lost leadership", "leader", g.raft.Leader())
			}
		}
	}
}

// lead first commits a no-op record of the new term. Once it is applied,
// everything committed before this leader is applied too, and from then on
// the last committed entry is always one the state machine sees (raft's
// own no-op only opens a term), so read-index waits on the state
// machine's applied index are exact.
func (g *Group) lead(stop <-chan struct{}) {
	defer g.wg.Done()
	term := g.raft.CurrentTerm()
	if g.fsm.Voters() == 0 {
		// Restored from a snapshot that covered the configuration
		// entries: learn the count from Raft (the sole-voter read path
		// and the hand-off on stop depend on it).
		g.fsm.SetVoters(g.VoterCount())
	}
	noop := persistence.NewNoop(time.Now().UnixMilli())
	if err := g.Write(&noop, command.Discard{}); err != nil {
		g.log.Warn("leader no-op failed", "error", err)
		return
	}
	g.ready.Store(term)
	if g.cfg.OnLeader != nil {
		g.cfg.OnLeader(g)
	}
	reclaim.Every(stop, g.cfg.ExpiryInterval, g.expireOnce)
}

// expireOnce finds keys expired at the leader's clock and replicates their
// deletion; replicas never delete on their own.
func (g *Group) expireOnce() {
	var (
		rec persistence.Record
		ok  bool
	)
	_ = g.fsm.Read(time.Now().UnixMilli(), func(ks *shard.Keyspace, now int64) { rec, ok = reclaim.ExpireRecord(ks, now) })
	if !ok {
		return
	}
	if err := g.Write(&rec, command.Discard{}); err != nil {
		g.log.Debug("active expiry write failed", "error", err)
	}
}

// IsReadyLeader reports whether reads may be served as leader now.
func (g *Group) IsReadyLeader() bool {
	return g.raft.State() == raft.Leader && g.ready.Load() == g.raft.CurrentTerm()
}

// readIndex batches linearizable reads: every read waiting when a round
// starts shares that round's leadership check, then waits until the state
// machine has applied the commit index seen at the round's start. Reads
// that arrive during a round wait for the next one, so no read is served
// from a state older than its arrival.
type readIndex struct {
	g       *Group
	mu      sync.Mutex
	waiting []chan error
	running bool
	// lastOK is when (monotonic ns since epoch) the last successful round
	// started. A read that arrived before it needs no round of its own.
	lastOK atomic.Int64
}

// clockBase anchors monotonic round times.
var clockBase = time.Now()

func monoNow() int64 { return int64(time.Since(clockBase)) }

// waitSince waits until a round that started after arrived has confirmed
// leadership and been applied. Pipelined reads that arrived together
// share one round this way.
func (ri *readIndex) waitSince(arrived int64) error {
	g := ri.g
	if ri.lastOK.Load() > arrived && g.IsReadyLeader() {
		return nil
	}
	// A sole voter that is the ready leader needs no round at all: every
	// write a client was told succeeded has been applied here (replies
	// follow apply, and earlier terms' writes are applied before ready),
	// and no other node can have taken writes, so a round (goroutine,
	// timer, channels) would buy nothing.
	if g.fsm.Voters() == 1 && g.IsReadyLeader() && g.fsm.Err() == nil {
		return nil
	}
	return ri.wait()
}

func (ri *readIndex) wait() error {
	ch := make(chan error, 1)
	ri.mu.Lock()
	ri.waiting = append(ri.waiting, ch)
	start := !ri.running
	ri.running = true
	ri.mu.Unlock()
	if start {
		go ri.loop()
	}
	return <-ch
}

func (ri *readIndex) loop() {
	for {
		ri.mu.Lock()
		batch := ri.waiting
		ri.waiting = nil
		if len(batch) == 0 {
			ri.running = false
			ri.mu.Unlock()
			return
		}
		ri.mu.Unlock()
		err := ri.round()
		for _, ch := range batch {
			ch <- err
		}
	}
}

// readTimeout bounds a round: a leader that cannot reach a quorum for this
// long answers TRYAGAIN rather than hang.
const readTimeout = 5 * time.Second

func (ri *readIndex) round() error {
	g := ri.g
	if err := g.fsm.Err(); err != nil {
		return err
	}
	if !g.IsReadyLeader() {
		return store.ErrNotLeader
	}
	started := monoNow()
	commit := g.raft.CommitIndex()
	// A sole voter cannot be deposed without a configuration change that
	// it would have to commit itself, so only groups with peers need the
	// leadership round.
	if g.fsm.Voters() != 1 {
		if err := g.raft.VerifyLeader().Error(); err != nil {
			return store.ErrNotLeader
		}
	}
	select {
	case <-g.fsm.WaitApplied(commit):
		ri.lastOK.Store(started)
		return nil
	case <-time.After(readTimeout):
		return store.ErrNotLeader
	case <-g.stop:
		return store.ErrNotLeader // the group closed: the read was not served
	}
}
