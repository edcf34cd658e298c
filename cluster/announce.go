package cluster

import (
	"github.com/hashicorp/raft"

	"github.com/ember-node/ember-node/cluster/group"
)

// announceGroup tells the cluster that this node leads g, with its
// members, so every node can route the shard's slots here.
func (n *Node) announceGroup(g *group.Group) {
	li, ok := leaderOf(g, n.id)
	if !ok {
		return
	}
	n.mu.RLock()
	ml := n.ml
	n.mu.RUnlock()
	if ml != nil {
		ml.announce(li)
	} else {
		n.rt.observe(li)
	}
}

// observeLeader takes what a follower member knows first-hand: the leader
// of the current term, from its heartbeats. That reaches the routing
// table before the leader's own announcement has gossiped here, so a
// leader that just handed a shard over answers MOVED to the new leader
// at once instead of TRYAGAIN (redis-cli -c follows the one, not the
// other). The index is the member's applied index, so a later
// observation of the same term, or the leader's own announcement, wins.
func (n *Node) observeLeader(g *group.Group) {
	_, id := g.Raft().LeaderWithID()
	if id == "" || string(id) == n.id {
		return
	}
	if li, ok := leaderOf(g, string(id)); ok {
		n.rt.observe(li)
	}
}

// leaderOf describes g as led by leader in its current term, with its
// members from the group's configuration; false when raft cannot tell.
func leaderOf(g *group.Group, leader string) (leaderInfo, bool) {
	li := leaderInfo{Shard: g.ID(), Leader: leader, Term: g.Raft().CurrentTerm(), Index: g.FSM().Applied()}
	f := g.Raft().GetConfiguration()
	if f.Error() != nil {
		return li, false
	}
	for _, s := range f.Configuration().Servers {
		if s.Suffrage == raft.Voter {
			li.Voters = append(li.Voters, string(s.ID))
		} else {
			li.Learns = append(li.Learns, string(s.ID))
		}
	}
	return li, true
}
