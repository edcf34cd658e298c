package group

import (
	"time"

	"github.com/hashicorp/raft"

	"github.com/ember-node/ember-node/persistence"
	"github.com/ember-node/ember-node/shard"
	"github.com/ember-node/ember-node/shard/command"
	"github.com/ember-node/ember-node/shard/reclaim"
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
	g.prop.setRefusing(false) // a hand-off that succeeded earlier left it on
	noop := persistence.NewNoop(time.Now().UnixMilli())
	if err := g.Write(&noop, command.Discard{}); err != nil {
		g.log.Warn("leader no-op failed", "error", err)
		return
	}
	g.reads.allowLeases() // a transfer that succeeded earlier left them off
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
