package server

import (
	"errors"
	"os"
	"sync/atomic"
	"time"
)

// Output buffers. A connection's replies gather in c.w.B and leave in one
// write per pipeline; what is in c.w.B (and blocked in a write) is its
// output buffer in Redis's sense. Three things bound it:
//   - a pipeline's replies are written once they reach midFlush bytes,
//     so a client that sends many commands and never reads blocks its
//     connection (TCP back-pressure) instead of growing its buffer;
//   - one reply past the hard limit closes the connection without the
//     reply (SRANDMEMBER key -huge stops building it: resp.Writer.Limit);
//   - a write blocked with more than the soft limit pending for the soft
//     seconds closes the connection (a write deadline).
// Buffers of acctMin bytes and more count in used_memory, and so toward
// maxmemory, while they wait for the socket.

const (
	midFlush = 256 << 10
	acctMin  = 16 << 10
)

// errOutputLimit closes a connection over its output buffer limit.
var errOutputLimit = errors.New("closed for overcoming of output buffer limits")

// clientMem is the memory of the server's client buffers, as INFO and
// maxmemory count it.
type clientMem struct {
	out       atomic.Int64 // bytes of pending replies being written
	recentMax atomic.Int64 // largest output buffer in the current window
	window    atomic.Int64 // that window's number (unix seconds / 8)
	closed    atomic.Int64 // clients closed over the limits
}

// note records an output buffer of n bytes at now for
// client_recent_max_output_buffer (the largest of the last 8 seconds or
// so, as Redis's).
func (m *clientMem) note(n int64, now time.Time) {
	w := now.Unix() / 8
	if m.window.Load() != w {
		m.window.Store(w)
		m.recentMax.Store(n)
		return
	}
	for {
		old := m.recentMax.Load()
		if n <= old || m.recentMax.CompareAndSwap(old, n) {
			return
		}
	}
}

// recent returns the largest output buffer of the current or last window.
func (m *clientMem) recent(now time.Time) int64 {
	if now.Unix()/8-m.window.Load() > 1 {
		return 0
	}
	return m.recentMax.Load()
}

// startPipeline loads the limits once per pipeline: CONFIG SET swaps them
// atomically, and no lock is taken on the hot path.
func (c *client) startPipeline() {
	c.lim = c.srv.obuf.Load()
	c.w.Limit = int(min(c.lim.hard, 1<<62))
	c.outCheck = int(min(c.lim.check, midFlush))
}

// afterCommand runs when a command left at least c.outCheck bytes of
// replies: it closes the connection over its limits, or writes the
// replies so far.
func (c *client) afterCommand() error {
	if c.overLimit(len(c.w.B)) {
		return c.closeOverLimit()
	}
	if len(c.w.B) >= midFlush {
		return c.flush()
	}
	return nil
}

// overLimit applies the hard and soft limits to a buffer of n bytes, as
// Redis's checkClientOutputBufferLimits does (the soft timer starts the
// first time the soft limit is met).
func (c *client) overLimit(n int) bool {
	l, used := c.lim, int64(n)
	if l.hard > 0 && used >= l.hard {
		return true
	}
	if l.soft == 0 || used < l.soft {
		c.softSince = time.Time{}
		return false
	}
	if c.softSince.IsZero() {
		c.softSince = time.Now()
		return false
	}
	return time.Since(c.softSince) > l.softFor
}

// closeOverLimit drops the replies and ends the connection, with Redis's
// log line.
func (c *client) closeOverLimit() error {
	c.drain()
	c.srv.log.Warn("client scheduled to be closed ASAP for overcoming of output buffer limits",
		"client", c.id, "addr", c.addr, "omem", len(c.w.B))
	c.srv.mem.closed.Add(1)
	c.w.B = nil
	return errOutputLimit
}

// writeOut writes buf, counting it as client memory while it waits for a
// slow reader, under a deadline when it is over the soft limit.
func (c *client) writeOut(buf []byte) error {
	n := int64(len(buf))
	if n >= acctMin {
		m := &c.srv.mem
		m.note(n, c.arrived)
		m.out.Add(n)
		defer m.out.Add(-n)
	}
	if c.lim.soft == 0 || n < c.lim.soft {
		c.softSince = time.Time{}
		_, err := c.nc.Write(buf)
		return err
	}
	if c.softSince.IsZero() {
		c.softSince = time.Now()
	}
	c.nc.SetWriteDeadline(c.softSince.Add(c.lim.softFor + time.Second))
	_, err := c.nc.Write(buf)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		c.w.B = buf[:0]
		return c.closeOverLimit()
	}
	c.nc.SetWriteDeadline(time.Time{})
	c.softSince = time.Time{}
	return err
}
