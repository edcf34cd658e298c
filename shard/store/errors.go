package store

import (
	"errors"
	"strconv"

	"github.com/ember-node/ember-node/shard/command"
)

// The errors both sides of the contract speak.
var (
	// ErrNotLeader means this node cannot serve the shard now: another node
	// leads it, or none does. Nothing was appended to any log, so a client
	// may retry elsewhere: Reply answers MOVED to the leader, or TRYAGAIN.
	ErrNotLeader = errors.New("not the shard leader")
	// ErrUnknownOutcome means leadership was lost while a write was in
	// flight: it may or may not have been applied. Never redirect it: a
	// retry elsewhere could apply INCR twice.
	ErrUnknownOutcome error = command.ReplyError("ERR write outcome unknown: leadership changed while it was in flight")
	// ErrStopped is returned for every operation of a shard whose state
	// machine stopped on an entry or a snapshot it could not apply: it
	// serves nothing rather than a state its peers do not have.
	ErrStopped = errors.New("shard stopped")
)

// tryAgain is Redis Cluster's answer while a slot has no leader.
const tryAgain = "TRYAGAIN shard has no leader, try again later"

// Reply turns an engine's error for a command on slot into the error reply
// a client gets. v is the cluster as the node sees it, nil when the node
// runs alone: not-leader becomes MOVED to the slot's leader when another
// node leads it, TRYAGAIN when none does.
func Reply(err error, slot int, v *ClusterView) string {
	switch {
	case errors.Is(err, ErrNotLeader):
		if v != nil {
			if sh, ok := v.ShardOf(slot); ok && sh.Leader != "" && sh.Leader != v.Self {
				if n, ok := v.Node(sh.Leader); ok {
					return "MOVED " + strconv.Itoa(slot) + " " + n.Addr
				}
			}
		}
		return tryAgain
	case errors.Is(err, ErrUnknownOutcome):
		return ErrUnknownOutcome.Error()
	}
	var re command.ReplyError
	if errors.As(err, &re) {
		return string(re)
	}
	return "ERR " + err.Error()
}
