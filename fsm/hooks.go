package fsm

import "github.com/ember-node/ember-node/persistence"

// beforeApply is called with each record before it is applied. Slot
// copies for a snapshot in progress happen inside the keyspace, so there
// is nothing to do here yet; it is the seam for metrics and tracing.
func (f *FSM) beforeApply(*persistence.Record) {}
