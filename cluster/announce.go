package cluster

import "github.com/hashicorp/raft"

// announceGroup tells the cluster that this node leads g, with its
// members, so every node can route the shard's slots here.
func (n *Node) announceGroup(g *Group) {
	li := leaderInfo{Shard: g.ID(), Leader: n.id, Term: g.raft.CurrentTerm(), Index: g.fsm.Applied()}
	f := g.raft.GetConfiguration()
	if f.Error() != nil {
		return
	}
	for _, s := range f.Configuration().Servers {
		if s.Suffrage == raft.Voter {
			li.Voters = append(li.Voters, string(s.ID))
		} else {
			li.Learns = append(li.Learns, string(s.ID))
		}
	}
	if n.ml != nil {
		n.ml.announce(li)
	} else {
		n.rt.observe(li)
	}
}
