package group

import (
	"fmt"
	"time"

	"github.com/hashicorp/raft"
)

// TransferLeadership makes an up-to-date follower leader of g and returns its ID
// ("" if it has not been heard from by the deadline).
// New writes are turned away first (clients retry them at the new leader)
// and the ones already proposed are applied: a write still in flight when
// the leader steps down could only be answered "outcome unknown". When
// the hand-off fails, g goes on leading and taking writes.
func (g *Group) TransferLeadership(deadline time.Time) (string, error) {
	// Queued writes commit within a round trip when a quorum is there; a
	// wait still going after a second means the peers are gone, and
	// the stop should not wait for them.
	qd := time.Now().Add(time.Second)
	if deadline.Before(qd) {
		qd = deadline
	}
	g.reads.dropLease()
	resume := g.resume
	if err := g.quiesce(qd); err != nil {
		resume()
		return "", err
	}
	result := make(chan error, 1)
	go func() { result <- g.raft.LeadershipTransfer().Error() }()
	select {
	case err := <-result:
		if err != nil {
			resume()
			return "", fmt.Errorf("shard %d: %w", g.ID(), err)
		}
	case <-time.After(time.Until(deadline)):
		resume()
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

// quiesce turns new writes away and waits until those already queued
// have their outcome (applied, or failed): the proposer's futures resolve
// only after the state machine applied their entry.
func (g *Group) quiesce(deadline time.Time) error {
	g.prop.setRefusing(true)
	for !g.prop.idle() {
		if time.Now().After(deadline) {
			return fmt.Errorf("shard %d: writes still in flight", g.ID())
		}
		time.Sleep(time.Millisecond)
	}
	return nil
}

// TransferLeadershipTo asks raft to make the voter id (at its cluster
// address addr) leader: placement's balancing and a leaving node's
// hand-off. As in TransferLeadership, the group quiesces first: a move
// the cluster chose itself must never leave a client with an unknown
// outcome (writes turned away meanwhile get "not leader" and are retried
// by the client at the new leader). The read lease ends first, since the
// target stands for election at once. When the transfer fails, the group
// takes writes and grants leases again.
func (g *Group) TransferLeadershipTo(id, addr string) error {
	g.reads.dropLease()
	if err := g.quiesce(time.Now().Add(time.Second)); err != nil {
		g.resume()
		return err
	}
	err := g.raft.LeadershipTransferToServer(raft.ServerID(id), raft.ServerAddress(addr)).Error()
	if err != nil {
		g.resume()
	}
	return err
}

// resume undoes quiesce and dropLease after a hand-off that did not
// happen. (After one that did, the next leadership of this member
// resumes, in lead.)
func (g *Group) resume() {
	g.prop.setRefusing(false)
	g.reads.allowLeases()
}
