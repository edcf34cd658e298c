package cluster

import (
	"fmt"
	"sync"
	"time"

	"github.com/hashicorp/raft"
)

// A node stopped on purpose (SIGTERM, a rolling restart) hands the
// leadership of each shard it leads to an up-to-date follower (Raft's
// TimeoutNow) before it goes: its shards are without a leader for a round
// trip instead of an election timeout. Each group is shut down as soon as
// its hand-off succeeds: left running as a follower it could time out and
// win the next election back while the node's other groups were still
// handing over (seen under load when all groups were closed at the end).
// Placement is stopped first for the same reason: it would move the
// leaderships back to where rendezvous hashing puts them.

// handOffWait bounds the whole hand-off: a caught-up follower takes over
// within a round trip or two; one that cannot leaves that shard to the
// survivors' election, as after a crash.
const handOffWait = 3 * time.Second

// YieldLeaderships hands over every leadership this node holds and shuts those
// groups down; Close does the rest. It returns the shards handed over.
func (n *Node) YieldLeaderships() []int {
	n.stopLoops()
	var (
		mu   sync.Mutex
		done []int
		wg   sync.WaitGroup
	)
	for _, g := range n.Groups() {
		if g.raft.State() != raft.Leader || g.voterCount() < 2 {
			continue // nobody to hand it to
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if n.yieldGroup(g) {
				mu.Lock()
				done = append(done, g.ID())
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return done
}

// yieldGroup hands g's leadership over and, once it moved, closes g.
func (n *Node) yieldGroup(g *Group) bool {
	to, err := g.transferLeadership(time.Now().Add(handOffWait))
	if err != nil {
		n.log.Info("leadership not handed over", "shard", g.ID(), "error", err)
		return false
	}
	if err := g.Close(); err != nil {
		n.log.Warn("closing a handed-over group", "shard", g.ID(), "error", err)
	}
	n.log.Info("handed over leadership", "shard", g.ID(), "to", to)
	return true
}

// transferLeadership makes an up-to-date follower leader of g and returns its ID
// ("" if it has not been heard from by the deadline).
// New writes are turned away first (clients retry them at the new leader)
// and the ones already proposed are applied: a write still in flight when
// the leader steps down could only be answered "outcome unknown". When
// the hand-off fails, g goes on leading and taking writes.
func (g *Group) transferLeadership(deadline time.Time) (string, error) {
	// Queued writes commit within a round trip when a quorum is there; a
	// barrier still waiting after a second means the peers are gone, and
	// the stop should not wait for them.
	qd := time.Now().Add(time.Second)
	if deadline.Before(qd) {
		qd = deadline
	}
	if err := g.quiesce(qd); err != nil {
		g.prop.setRefusing(false)
		return "", err
	}
	result := make(chan error, 1)
	go func() { result <- g.raft.LeadershipTransfer().Error() }()
	select {
	case err := <-result:
		if err != nil {
			g.prop.setRefusing(false)
			return "", fmt.Errorf("shard %d: %w", g.ID(), err)
		}
	case <-time.After(time.Until(deadline)):
		g.prop.setRefusing(false)
		return "", fmt.Errorf("shard %d: leadership transfer timed out", g.ID())
	}
	// The new leader is known here once its first heartbeat arrives.
	for time.Now().Before(deadline) {
		if _, to := g.raft.LeaderWithID(); to != "" {
			return string(to), nil
		}
		time.Sleep(5 * time.Millisecond)
	}
	return "", nil
}

// stopLoops stops placement and the node's other background loops, once.
func (n *Node) stopLoops() {
	n.stopOnce.Do(func() {
		close(n.stop)
		n.wg.Wait()
	})
}

// quiesce turns new writes away and waits until those already queued are
// applied (a Raft barrier behind them).
func (g *Group) quiesce(deadline time.Time) error {
	g.prop.setRefusing(true)
	for !g.prop.idle() {
		if time.Now().After(deadline) {
			return fmt.Errorf("shard %d: writes still queued", g.ID())
		}
		time.Sleep(time.Millisecond)
	}
	// Barrier's timeout only bounds queueing it; its wait for the apply
	// is bounded here (a leader whose followers heartbeat but cannot
	// append would hold the stop forever).
	done := make(chan error, 1)
	go func() { done <- g.raft.Barrier(time.Until(deadline)).Error() }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("shard %d: barrier: %w", g.ID(), err)
		}
		return nil
	case <-time.After(time.Until(deadline)):
		return fmt.Errorf("shard %d: barrier not applied in time", g.ID())
	}
}
