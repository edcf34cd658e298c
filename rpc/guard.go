package rpc

import (
	"net"
	"strconv"
)

// guardConn checks the RESP framing of everything a client sends before
// redcon parses it. redcon has no limit on bulk or query size and trusts
// lengths (a length near 2^63 overflows its index arithmetic), so the
// guard enforces Redis's limits and, on a violation, answers
// "-ERR Protocol error: ..." itself and ends the connection. It passes
// bytes through untouched and keeps only a few counters.
type guardConn struct {
	net.Conn
	maxBulk  int64 // proto-max-bulk-len
	maxQuery int64 // client-query-buffer-limit: one command's bytes
	st       guardState
	hdr      [24]byte // digits of the header being read
	hdrLen   int
	inline   int   // bytes of the inline command being read
	bulks    int   // bulks left in the command
	left     int64 // payload bytes left in the bulk, CRLF included
	cmdBytes int64 // bytes of the command being read
	failed   string
}

type guardState uint8

const (
	gStart guardState = iota
	gMultiHeader
	gBulkStart
	gBulkHeader
	gBulkBody
	gInline
)

const (
	maxMultibulk  = 1024 * 1024
	maxInlineSize = 64 * 1024
)

func (g *guardConn) Read(p []byte) (int, error) {
	if g.failed != "" {
		g.Conn.Write([]byte("-ERR Protocol error: " + g.failed + "\r\n"))
		return 0, errGuard{g.failed}
	}
	n, err := g.Conn.Read(p)
	if ok := g.scan(p[:n]); ok < n {
		// Pass what came before the violation; the next Read reports it.
		return ok, nil
	}
	return n, err
}

// errGuard ends a connection whose client broke the protocol.
type errGuard struct{ msg string }

func (e errGuard) Error() string { return "protocol error: " + e.msg }

// scan advances the framing state over b and returns how many bytes are
// acceptable (len(b) unless a violation was found).
func (g *guardConn) scan(b []byte) int {
	for i := 0; i < len(b); i++ {
		if g.st == gBulkBody {
			skip := min(g.left, int64(len(b)-i))
			g.left -= skip
			if g.cmdBytes += skip; g.cmdBytes > g.maxQuery {
				g.failed = "client query buffer limit exceeded"
				return i
			}
			i += int(skip) - 1
			if g.left == 0 {
				g.endBulk()
			}
			continue
		}
		if g.step(b[i]); g.failed != "" {
			return i
		}
		if g.cmdBytes++; g.cmdBytes > g.maxQuery {
			g.failed = "client query buffer limit exceeded"
			return i
		}
	}
	return len(b)
}

func (g *guardConn) endBulk() {
	if g.left = 0; g.nextBulk() {
		g.st = gBulkStart
	} else {
		g.st, g.cmdBytes = gStart, 0
	}
}

// bulks counts down the bulks of the current command.
func (g *guardConn) nextBulk() bool {
	g.bulks--
	return g.bulks > 0
}

func (g *guardConn) step(c byte) {
	switch g.st {
	case gStart:
		g.cmdBytes = 0
		if c == '*' {
			g.st, g.hdrLen = gMultiHeader, 0
		} else {
			g.st, g.inline = gInline, 0
			g.stepInline(c)
		}
	case gInline:
		g.stepInline(c)
	case gMultiHeader:
		n, done := g.header(c, "too big mbulk count string")
		if !done {
			return
		}
		switch {
		case n > maxMultibulk:
			g.failed = "invalid multibulk length"
		case n <= 0:
			g.st = gStart // redcon rejects it with its own error
		default:
			g.bulks, g.st = int(n), gBulkStart
		}
	case gBulkStart:
		if c != '$' {
			g.failed = "expected '$', got '" + string(c) + "'"
			return
		}
		g.st, g.hdrLen = gBulkHeader, 0
	case gBulkHeader:
		n, done := g.header(c, "invalid bulk length")
		if !done {
			return
		}
		if n < 0 || n > g.maxBulk {
			g.failed = "invalid bulk length"
			return
		}
		g.st, g.left = gBulkBody, n+2
	}
}

func (g *guardConn) stepInline(c byte) {
	if c == '\n' {
		g.st = gStart
		return
	}
	if g.inline++; g.inline > maxInlineSize {
		g.failed = "too big inline request"
	}
}

// header accumulates a header line's digits; at '\n' it returns the number.
func (g *guardConn) header(c byte, tooLong string) (int64, bool) {
	if c != '\n' {
		if g.hdrLen == len(g.hdr) {
			g.failed = tooLong
			return 0, false
		}
		g.hdr[g.hdrLen] = c
		g.hdrLen++
		return 0, false
	}
	digits := g.hdr[:g.hdrLen]
	if len(digits) > 0 && digits[len(digits)-1] == '\r' {
		digits = digits[:len(digits)-1]
	}
	n, err := strconv.ParseInt(string(digits), 10, 64)
	if err != nil {
		g.failed = "invalid bulk length"
		if g.st == gMultiHeader {
			g.failed = "invalid multibulk length"
		}
		return 0, false
	}
	return n, true
}

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
	cfg := l.srv.config()
	return &guardConn{Conn: c, maxBulk: cfg.ProtoMaxBulkLen, maxQuery: cfg.QueryBufferLimit}, nil
}
