package server

import (
	"bytes"
	"net"
	"strconv"
	"sync/atomic"
)

// guardConn sits between the socket and the connection's reader
// (reqReader) and reframes what a client sends the way Redis's own parser
// reads it. The reader parses canonical multibulk frames and nothing else
// (so it is small and fast), and has no limits, so it is only ever shown
// canonical RESP multibulk frames: the guard enforces Redis's limits,
// converts inline commands itself (splitArgs), passes on what Redis would
// accept, and on a violation answers "-ERR Protocol error: ..." and ends
// the connection, after the replies to the commands before it.
//
// Valid RESP passes through untouched and is framed in place in the
// reader's own buffer: the guard copies only what it rewrites at greater length
// (inline commands), input it holds back, and lines longer than any valid
// header (read 16KB at a time, as Redis reads, for its 64KB line limit).
type guardConn struct {
	net.Conn
	lim    guardLimits
	fresh  func() guardLimits // the limits now; nil keeps lim
	authed *atomic.Bool       // the client's, once it exists

	carry   []byte // input for the next Read: a header fragment, or what a frame stopped at
	resume  bool   // carry is to be framed before the socket is read again
	spill   []byte // inline commands' frames that did not fit in the reader's buffer
	spos    int
	snext   int    // spill offset of the next frame or bulk header
	sleft   int64  // bulks left in the frame spos is in
	small   []byte // what a too small reader's buffer could not take
	scratch []byte // a read of a long line
	rerr    error  // the socket's error, reported once the bytes before it are
	failed  string

	frameState
}

// guardLimits are the settings the framing depends on.
type guardLimits struct {
	maxBulk  int64 // proto-max-bulk-len
	maxQuery int64 // client-query-buffer-limit: one command's bytes
	needAuth bool  // Redis's authRequired: smaller limits before AUTH
}

const (
	maxInlineSize = 64 * 1024 // Redis's PROTO_INLINE_MAX_SIZE
	maxGuardChunk = 16 * 1024 // Redis's PROTO_IOBUF_LEN: one read
	minGuardRead  = 64
	maxKeptBuf    = 64 << 10
)

func (g *guardConn) Read(p []byte) (int, error) {
	if len(p) < minGuardRead || len(g.small) > 0 {
		return g.readSmall(p)
	}
	for {
		if g.spos < len(g.spill) {
			return g.drainSpill(p), nil
		}
		if g.failed != "" {
			g.Conn.Write([]byte("-ERR Protocol error: " + g.failed + "\r\n"))
			return 0, errGuard{g.failed}
		}
		var w int
		switch {
		case g.resume:
			w = g.frameCarry(p)
		case g.rerr != nil:
			return 0, g.rerr
		case g.longLine():
			w = g.readLong(p)
		default:
			w = g.fill(p)
		}
		if w > 0 {
			return w, nil
		}
	}
}

// fill reads the socket into p and frames it there, until a command is
// complete or p is full: the reader moves a partial command to its
// buffer's start before every read, so handing it pieces of a long command
// would make its copying quadratic, while full buffers double (and copies
// are few). (redcon, the reader this guard was first written for, even
// parsed a partial command again from its start.)
func (g *guardConn) fill(p []byte) int {
	off := 0
	if g.lf {
		p[0], g.lfOK, off = '\n', true, 1 // the held '\n' goes out first
	}
	end := off + copy(p[off:], g.carry)
	g.carry = g.carry[:0]
	g.begin(p, p[off:end], off)
	for {
		n, err := g.Conn.Read(p[end:min(len(p), end+maxGuardChunk)])
		end += n
		g.in, g.rerr = p[off:end], err
		if g.run(); g.r < len(g.in) {
			break
		}
		g.endRead()
		if g.failed != "" || g.cmds > 0 || err != nil || end == len(p) || g.longLine() {
			break
		}
	}
	return g.finish()
}

// frameCarry frames input a previous Read stopped at, into p.
func (g *guardConn) frameCarry(p []byte) int {
	g.resume = false
	g.begin(p, g.carry, -1)
	if g.run(); g.r == len(g.in) {
		g.endRead()
	}
	return g.finish()
}

// readLong reads a line longer than any valid header 16KB at a time.
// Redis checks the 64KB limit on a line whose end it has not found after
// each read of up to 16KB: reading so too, the guard passes and refuses
// the same long lines (as far as the network cuts reads alike).
func (g *guardConn) readLong(p []byte) int {
	if g.scratch == nil {
		g.scratch = make([]byte, maxGuardChunk)
	}
	n, err := g.Conn.Read(g.scratch)
	g.rerr = err
	g.begin(p, g.scratch[:n], -1)
	if g.run(); g.r == len(g.in) {
		g.endRead()
	}
	w := g.finish()
	if !g.longLine() {
		g.scratch = nil
	}
	return w
}

func (g *guardConn) drainSpill(p []byte) int {
	n := copy(p, g.spill[g.spos:g.spos+g.spillCut(len(p))])
	if g.spos += n; g.spos == len(g.spill) {
		g.spill, g.spos, g.snext = g.spill[:0], 0, 0
		if cap(g.spill) > maxKeptBuf {
			g.spill = nil
		}
	}
	return n
}

// spillCut is how much of spill, at most n bytes, may go out now: never
// up to a point between two bulks, or inside a bulk's header (see lf).
// spill holds whole frames, walked once across Reads.
func (g *guardConn) spillCut(n int) int {
	end := min(len(g.spill), g.spos+n)
	for g.snext < end {
		line := g.spill[g.snext:]
		nl := bytes.IndexByte(line, '\n')
		hdrEnd := g.snext + nl + 1
		v, _ := strconv.ParseInt(string(line[1:nl-1]), 10, 64)
		switch {
		case g.sleft == 0 && end < hdrEnd:
			return end - g.spos // in the "*N" line
		case g.sleft == 0:
			g.sleft, g.snext = v, hdrEnd
		case end < hdrEnd:
			return g.snext - 1 - g.spos // back before the '\n' ending the last bulk
		default:
			g.sleft--
			g.snext = hdrEnd + int(v) + 2
		}
	}
	if end == g.snext && g.sleft > 0 {
		return end - 1 - g.spos
	}
	return end - g.spos
}

// readSmall serves a reader whose buffer cannot hold a header fragment
// and a read (the connection's never is that small: reqMinRead).
func (g *guardConn) readSmall(p []byte) (int, error) {
	if len(g.small) == 0 {
		buf := make([]byte, 4096)
		n, err := g.Read(buf)
		if n == 0 {
			return 0, err
		}
		g.small = buf[:n]
	}
	n := copy(p, g.small)
	g.small = g.small[n:]
	return n, nil
}

// keep saves b, which may lie in carry itself, as the input of the next
// Read.
func (g *guardConn) keep(b []byte) {
	g.carry = append(g.carry[:0], b...)
	if len(g.carry) == 0 && cap(g.carry) > maxKeptBuf {
		g.carry = nil
	}
}

// errGuard ends a connection whose client broke the protocol.
type errGuard struct{ msg string }

func (e errGuard) Error() string { return "protocol error: " + e.msg }

// guardListener wraps every accepted connection in a guardConn.
type guardListener struct {
	net.Listener
	srv *Server
}

func (l guardListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	g := &guardConn{Conn: c}
	g.fresh = func() guardLimits {
		cfg := l.srv.config()
		return guardLimits{
			maxBulk:  cfg.ProtoMaxBulkLen,
			maxQuery: cfg.QueryBufferLimit,
			needAuth: cfg.RequirePass != "" && (g.authed == nil || !g.authed.Load()),
		}
	}
	g.lim = g.fresh()
	return g, nil
}

// attachGuard lets nc's guard see whether its client has authenticated.
// It runs when the connection is accepted, before its goroutine starts
// reading.
func attachGuard(nc net.Conn, authed *atomic.Bool) {
	if g, ok := nc.(*guardConn); ok {
		g.authed = authed
	}
}
