package group

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/ember-node/ember-node/shard/store"
)

// readIndex serves linearizable reads. A read needs a state that includes
// every write acknowledged before it arrived, from a node that was the
// leader at some moment while the read was in flight.
//
// Rounds: every read waiting when a round starts shares that round's
// leadership check (raft's VerifyLeader, a heartbeat answered by a
// quorum), then waits until the state machine has applied the commit
// index seen at the round's start. A read that arrived before a
// successful round started needs no round of its own, so a pipeline's
// reads share one.
//
// Leases: a successful round that started at t0 also proves that no other
// node can become leader before t0 plus the heartbeat timeout. The
// followers that answered heard from this leader after t0, and a raft
// follower neither starts an election nor grants a vote (but for a
// leadership transfer) until a heartbeat timeout has passed without
// hearing from its leader; a quorum of them is needed to elect anyone.
// Until t0 + leaseFraction of the heartbeat timeout, a ready leader
// therefore serves reads from its applied state at once: every write
// acknowledged so far was applied here (replies follow apply, and earlier
// terms' entries were applied before the leader became ready), and no
// other leader can have acknowledged one. The margin covers clock-rate
// drift between nodes and a heartbeat answer that was delayed before this
// node read it. A lease is cut off before this node transfers leadership
// (TimeoutNow makes a follower stand at once) and belongs to the term it
// was won in. Reads under a lease renew it in the background once half
// of it is spent, so a steady read load never waits for a round.
type readIndex struct {
	g       *Group
	mu      sync.Mutex
	waiting []chan error
	running bool
	// lastOK is when (monotonic ns since clockBase) the last successful
	// round started. A read that arrived before it needs no round.
	lastOK atomic.Int64
	lease  atomic.Pointer[lease]
	// noLease is set while a leadership transfer may be under way; epoch
	// counts the changes of that state (under leaseMu).
	noLease atomic.Bool
	leaseMu sync.Mutex
	epoch   uint64
	// rounds counts leadership rounds run (tests, INFO).
	rounds atomic.Int64
}

// lease is a leadership lease won in term, valid until (monotonic ns).
type lease struct {
	term        uint64
	from, until int64
}

// leaseFraction is the share of the heartbeat timeout a lease lasts.
const leaseFraction = 0.5

// LeaseDuration is how long a read lease of a group with cfg lasts. A node
// restarting with state waits this long before its groups start: raft
// forgets its leader across a restart and would grant a vote at once, so a
// member that answered a heartbeat just before it stopped could otherwise
// help elect a new leader while the old one still serves reads under the
// lease that answer granted.
func LeaseDuration(cfg Config) time.Duration {
	return time.Duration(float64(cfg.HeartbeatTimeout) * leaseFraction)
}

// clockBase anchors monotonic round times.
var clockBase = time.Now()

func monoNow() int64 { return int64(time.Since(clockBase)) }

// waitSince returns once a read that arrived at arrived (monotonic ns)
// may be served from this member's applied state.
func (ri *readIndex) waitSince(arrived int64) error {
	g := ri.g
	if ri.lastOK.Load() > arrived && g.IsReadyLeader() {
		return nil
	}
	// A sole voter that is the ready leader needs no round at all: every
	// write a client was told succeeded has been applied here, and no
	// other node can have taken writes.
	if g.fsm.Voters() == 1 && g.IsReadyLeader() && g.fsm.Err() == nil {
		return nil
	}
	if ri.leased() {
		return nil
	}
	return ri.wait()
}

// leased reports whether a lease of the current term covers now, and
// starts a renewal once half of it is spent.
func (ri *readIndex) leased() bool {
	l := ri.lease.Load()
	if l == nil || ri.noLease.Load() {
		return false
	}
	now := monoNow()
	if now >= l.until || !ri.g.IsReadyLeader() || l.term != ri.g.raft.CurrentTerm() || ri.g.fsm.Err() != nil {
		return false
	}
	if now-l.from > (l.until-l.from)/2 {
		ri.renew()
	}
	return true
}

// dropLease ends the lease and refuses new ones until allowLeases: called
// before this member hands its leadership to another.
func (ri *readIndex) dropLease() {
	ri.leaseMu.Lock()
	defer ri.leaseMu.Unlock()
	ri.noLease.Store(true)
	ri.epoch++
	ri.lease.Store(nil)
}

// allowLeases lets rounds started from now on grant leases again.
func (ri *readIndex) allowLeases() {
	ri.leaseMu.Lock()
	defer ri.leaseMu.Unlock()
	ri.epoch++
	ri.lease.Store(nil)
	ri.noLease.Store(false)
}

// leaseEpoch is read at a round's start; grant refuses a lease to a round
// that a dropLease or allowLeases came after.
func (ri *readIndex) leaseEpoch() uint64 {
	ri.leaseMu.Lock()
	defer ri.leaseMu.Unlock()
	return ri.epoch
}

// grant records a lease for a round that started at started in term.
func (ri *readIndex) grant(term uint64, started int64, epoch uint64) {
	d := LeaseDuration(ri.g.cfg)
	ri.leaseMu.Lock()
	defer ri.leaseMu.Unlock()
	if d <= 0 || ri.noLease.Load() || epoch != ri.epoch {
		return
	}
	until := started + int64(d)
	if l := ri.lease.Load(); l != nil && l.term == term && l.until >= until {
		return
	}
	ri.lease.Store(&lease{term: term, from: started, until: until})
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

// renew runs a round for nobody in particular (if none is running), to
// extend the lease before it lapses.
func (ri *readIndex) renew() {
	ri.mu.Lock()
	start := !ri.running
	ri.running = true
	ri.mu.Unlock()
	if start {
		go func() {
			_ = ri.round()
			ri.loop()
		}()
	}
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
	epoch := ri.leaseEpoch()
	started := monoNow()
	term := g.raft.CurrentTerm()
	commit := g.raft.CommitIndex()
	// A sole voter cannot be deposed without a configuration change that
	// it would have to commit itself, so only groups with peers need the
	// leadership round.
	if g.fsm.Voters() != 1 {
		ri.rounds.Add(1)
		if err := g.raft.VerifyLeader().Error(); err != nil {
			return store.ErrNotLeader
		}
		ri.grant(term, started, epoch)
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
