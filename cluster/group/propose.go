package group

import (
	"sync"

	"github.com/hashicorp/raft"

	"github.com/ember-node/ember-node/fsm"
	"github.com/ember-node/ember-node/persistence"
	"github.com/ember-node/ember-node/shard/command"
	"github.com/ember-node/ember-node/shard/store"
)

// Group commit: every write waiting for a shard when its proposer may
// propose goes into one Raft entry (a TagBatch record), so the per-entry
// costs of Raft and bolt (a log transaction on every replica, encoding, a
// future, an apply call) are paid once per batch, not once per write.
// The proposer keeps at most maxInFlight entries between raft.Apply and
// their outcome: proposing each write the moment it arrives would hand
// Raft one entry per write whenever clients wait for their replies (one
// write each), while writes queue meanwhile and go out together. Writes of
// one connection keep their order: the queue is FIFO and a batch applies
// its records in order.

const (
	maxBatchRecords = 1024
	maxBatchBytes   = 512 << 10
	maxInFlight     = 2
)

type pendingWrite struct {
	size  int // its bytes in the proposer's body
	stop  <-chan struct{}
	done  chan struct{}
	reply []byte
	err   error
}

type proposer struct {
	g      *Group
	mu     sync.Mutex
	queue  []*pendingWrite
	wake   chan struct{}
	closed bool
	// refusing turns new writes away as not-leader (nothing appended, so
	// clients retry elsewhere) while leadership is handed over.
	refusing bool
	// inFlight counts batches taken from the queue whose outcome is not
	// known yet.
	inFlight int
	// body holds the queued writes' records, encoded as the entries of
	// the next batch (persistence.AppendBatchEntry); scratch is the
	// encoding buffer.
	body, scratch []byte
}

func newProposer(g *Group) *proposer {
	return &proposer{g: g, wake: make(chan struct{}, 1)}
}

// submit queues rec, encoding it at once (its args may point into a
// connection's buffer), and returns its pending write.
func (p *proposer) submit(rec *persistence.Record) *pendingWrite {
	pw := &pendingWrite{stop: p.g.stop, done: make(chan struct{})}
	p.mu.Lock()
	if p.closed || p.refusing {
		// Never given to Raft: another node may take it (a group is
		// closed while its node still serves after a hand-off).
		p.mu.Unlock()
		pw.err = store.ErrNotLeader
		close(pw.done)
		return pw
	}
	n := len(p.body)
	p.body, p.scratch = persistence.AppendBatchEntry(p.body, p.scratch, rec)
	pw.size = len(p.body) - n
	p.queue = append(p.queue, pw)
	p.mu.Unlock()
	select {
	case p.wake <- struct{}{}:
	default:
	}
	return pw
}

// run proposes batches until the group stops, at most maxInFlight at a
// time; complete wakes it when one ends.
func (p *proposer) run(stop <-chan struct{}) {
	defer p.g.wg.Done()
	for {
		select {
		case <-stop:
			p.mu.Lock()
			p.closed = true
			rest := p.queue
			p.queue, p.body = nil, nil
			p.mu.Unlock()
			for _, pw := range rest {
				pw.err = store.ErrNotLeader // never given to Raft
				close(pw.done)
			}
			return
		case <-p.wake:
		}
		for p.proposeSome() {
		}
	}
}

// proposeSome proposes one batch from the queue; false when it was empty.
func (p *proposer) proposeSome() bool {
	p.mu.Lock()
	if p.inFlight >= maxInFlight {
		p.mu.Unlock()
		return false // complete wakes the proposer
	}
	n, size := 0, 0
	for n < len(p.queue) && n < maxBatchRecords && (n == 0 || size+p.queue[n].size <= maxBatchBytes) {
		size += p.queue[n].size
		n++
	}
	batch := append([]*pendingWrite(nil), p.queue[:n]...)
	clear(p.queue[:n])
	p.queue = p.queue[n:]
	var data []byte
	if n > 0 {
		p.inFlight++
		data = persistence.EncodeBatch(n, p.body[:size])
		p.body = append(p.body[:0], p.body[size:]...)
		if len(p.body) == 0 && cap(p.body) > maxBatchBytes {
			p.body = nil // a burst's buffer is not kept
		}
	}
	p.mu.Unlock()
	if n == 0 {
		return false
	}
	f := p.g.raft.Apply(data, 0)
	go p.complete(f, batch)
	return true
}

func (p *proposer) complete(f raft.ApplyFuture, batch []*pendingWrite) {
	defer func() {
		for _, pw := range batch {
			close(pw.done)
		}
		p.mu.Lock()
		p.inFlight--
		p.mu.Unlock()
		select {
		case p.wake <- struct{}{}:
		default:
		}
	}()
	if err := f.Error(); err != nil {
		for _, pw := range batch {
			pw.err = applyError(err)
		}
		return
	}
	res, ok := f.Response().(*fsm.Result)
	switch {
	case !ok || res == nil:
		for _, pw := range batch {
			pw.err = store.ErrNotLeader
		}
	case res.Err != nil:
		for _, pw := range batch {
			pw.err = res.Err
		}
	case len(res.Batch) != len(batch): // every proposal is a batch
		for _, pw := range batch {
			pw.err = store.ErrUnknownOutcome
		}
	default:
		for i, pw := range batch {
			pw.reply, pw.err = res.Batch[i].Reply, res.Batch[i].Err
		}
	}
}

// wait blocks until the write's outcome and writes its reply. A group
// shutting down may never resolve a future raft had queued, so the wait
// also ends with the group: the outcome is then unknown.
func (pw *pendingWrite) wait(w command.Writer) error {
	select {
	case <-pw.done:
	case <-pw.stop:
		select {
		case <-pw.done:
		default:
			return applyError(raft.ErrRaftShutdown)
		}
	}
	if pw.err != nil {
		return pw.err
	}
	if rw, ok := w.(command.RawWriter); ok {
		rw.Raw(pw.reply)
	}
	return nil
}

// setRefusing starts or stops turning new writes away.
func (p *proposer) setRefusing(on bool) {
	p.mu.Lock()
	p.refusing = on
	p.mu.Unlock()
}

// idle reports whether every queued write has its outcome.
func (p *proposer) idle() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.queue) == 0 && p.inFlight == 0
}
