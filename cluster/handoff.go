package cluster

import (
	"sync"
	"time"

	"github.com/hashicorp/raft"

	"github.com/ember-node/ember-node/cluster/group"
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
		if g.Raft().State() != raft.Leader || g.VoterCount() < 2 {
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
func (n *Node) yieldGroup(g *group.Group) bool {
	to, err := g.TransferLeadership(time.Now().Add(handOffWait))
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

// stopLoops stops placement and the node's other background loops, once.
func (n *Node) stopLoops() {
	n.stopOnce.Do(func() {
		close(n.stop)
		n.wg.Wait()
	})
}
