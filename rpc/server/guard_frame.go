package server

import (
	"bytes"
	"math"
	"strconv"

	"github.com/ember-node/ember-node/shard/command"
)

// frameState is the guard's place in the client's byte stream. It follows
// Redis 7.0's processMultibulkBuffer and processInlineBuffer, made
// incremental: a header line ends at its first '\r' plus one byte of any
// value, an inline line at its first '\n', and a NUL before that end
// hides it (Redis searches with strchr), so the line never ends and only
// its size limit can end the connection.
type frameState struct {
	st guardState

	// The line being read: a multibulk or bulk header, or an inline command.
	lineLen int64 // its bytes so far
	lineAt  int   // where it starts in this Read's input, or -1
	cr      bool  // header: '\r' seen; the next byte, whatever it is, ends it
	stuck   bool  // a NUL came before the line's end
	first   byte  // header's first byte: '*', or '$' if the client is right
	digits  [20]byte
	ndig    int    // digits kept; more than 20 is never a number
	inl     []byte // the inline line, when it spans reads

	bulks    int64 // bulks left in the command
	left     int64 // payload bytes left in the bulk
	skip     int   // bytes after the payload still to drop
	cmdBytes int64 // the command's bytes, for client-query-buffer-limit

	// lf holds back the '\n' ending the multibulk header or a bulk that is
	// not the command's last, until the next bulk's header goes out with
	// it. redcon, the reader this guard was first written for, walked a
	// frame's whole declared count (up to 2^31) when its data ended
	// between arguments; reqReader resumes where it stopped, so this is
	// no longer needed, only harmless.
	lf   bool
	lfOK bool // the held byte was a '\n', still in place in dst

	// This Read's input and output. Output goes to dst, and in place over
	// input already consumed when they alias (in starting at dst[off]), so
	// valid RESP is framed without a copy. Multibulk frames never spill
	// (a reader may cut spill anywhere): framing stops where dst is full.
	in    []byte
	r     int
	dst   []byte
	w     int
	off   int
	alias bool
	cmds  int // commands completed in this Read
}

type guardState uint8

const (
	gStart guardState = iota
	gMultiLine
	gBulkLine
	gBulkBody
	gBulkEnd
	gInline
)

const (
	// maxHeaderLine is the longest header line that can be valid: '*' or
	// '$', 20 digits, '\r' and one more byte.
	maxHeaderLine     = 23
	maxUnauthMulti    = 10
	maxUnauthBulk     = 16 * 1024
	errQueryLimit     = "client query buffer limit exceeded"
	errInvalidBulk    = "invalid bulk length"
	errInvalidMulti   = "invalid multibulk length"
	errUnbalancedQuot = "unbalanced quotes in request"
)

// begin starts framing in into dst; off < 0 means they do not alias.
func (g *guardConn) begin(dst, in []byte, off int) {
	g.dst, g.in, g.r, g.w, g.cmds = dst, in, 0, 0, 0
	g.off, g.alias = off, off >= 0
	g.lineAt = -1
	if g.lineLen == 0 {
		g.lineAt = 0 // a fragment carried back, to be framed again
	}
}

// run frames in until it is consumed, a violation (failed is set), or a
// stop: a frame waiting for the commands before it to run, or no room.
func (g *guardConn) run() {
	for g.r < len(g.in) && g.step() {
	}
}

func (g *guardConn) step() bool {
	switch g.st {
	case gStart:
		if !g.fastFrame() {
			g.startCommand()
		}
		return true
	case gMultiLine, gBulkLine:
		return g.headerLine()
	case gBulkBody:
		return g.payload()
	case gBulkEnd:
		return g.bulkEnd()
	default:
		return g.inlineLine()
	}
}

// endRead runs once a read's input is consumed: Redis checks then the size
// of a line whose end it has not found.
func (g *guardConn) endRead() {
	if g.lineLen <= maxInlineSize {
		return
	}
	switch {
	case g.st == gInline:
		g.fail("too big inline request")
	case g.st == gMultiLine && !g.cr:
		g.fail("too big mbulk count string")
	case g.st == gBulkLine && !g.cr:
		g.fail("too big bulk count string")
	}
}

// finish ends a Read's framing: what a stop left is carried, and so is a
// header fragment, to be framed whole in place by the next Read.
func (g *guardConn) finish() int {
	switch {
	case g.failed != "":
		g.keep(nil)
	case g.r < len(g.in):
		g.resume = true
		g.keep(g.in[g.r:])
	default:
		g.keep(nil)
		header := g.st == gMultiLine || g.st == gBulkLine
		if header && !g.stuck && g.lineAt >= 0 && len(g.in)-g.lineAt <= maxHeaderLine {
			g.keep(g.in[g.lineAt:])
			multi := g.st == gMultiLine
			if g.bulkLine(); multi {
				g.st = gStart
			}
		}
	}
	w := g.w
	g.in, g.dst = nil, nil
	return w
}

// longLine reports a line that spans reads and can no longer be a valid
// header (so it is only counted, never carried).
func (g *guardConn) longLine() bool {
	switch g.st {
	case gInline:
		return g.lineLen > 0
	case gMultiLine, gBulkLine:
		return g.stuck || g.lineLen > maxHeaderLine
	}
	return false
}

func (g *guardConn) fail(msg string) bool {
	g.failed = msg
	return false
}

// recheck re-reads the limits a frame breaks: an AUTH or CONFIG SET
// earlier in the pipeline may have changed them. That is sound only once
// the connection has run every command before the frame, so if this Read
// has framed anything it reports false and the frame waits for the next
// Read (a connection reads only when it has run all it was given).
func (g *guardConn) recheck() bool {
	if g.w > 0 || len(g.spill) > 0 {
		return false
	}
	if g.fresh != nil {
		g.lim = g.fresh()
	}
	return true
}

// avail is the room for multibulk output once consumed more bytes are.
func (g *guardConn) avail(consumed int) int {
	switch {
	case len(g.spill) > 0:
		return 0
	case g.alias:
		return g.off + g.r + consumed - g.w
	}
	return len(g.dst) - g.w
}

func (g *guardConn) startCommand() {
	g.cmdBytes = 0
	g.newLine()
	if g.in[g.r] != '*' {
		g.st = gInline
		return
	}
	g.st, g.first, g.lineLen = gMultiLine, '*', 1
	g.r++
}

func (g *guardConn) newLine() {
	g.lineLen, g.lineAt, g.cr, g.stuck, g.ndig = 0, g.r, false, false, 0
}

func (g *guardConn) bulkLine() {
	g.st = gBulkLine
	g.newLine()
}

func (g *guardConn) headerLine() bool {
	if g.stuck {
		g.lineLen += int64(len(g.in) - g.r)
		g.r = len(g.in)
		return true
	}
	for g.r < len(g.in) {
		if g.cr {
			return g.endHeader()
		}
		c := g.in[g.r]
		g.r++
		g.lineLen++
		if g.lineLen == 1 {
			g.first = c
		}
		switch {
		case c == '\r':
			g.cr = true
		case c == 0:
			g.stuck = true
			return true
		case g.lineLen == 1:
		case g.ndig < len(g.digits):
			g.digits[g.ndig] = c
			g.ndig++
		default:
			g.ndig = len(g.digits) + 1
		}
	}
	return true
}

// endHeader decides a complete header line; r is at the byte after its
// '\r', which it consumes unless the line is refused or must wait.
func (g *guardConn) endHeader() bool {
	size := g.cmdBytes + g.lineLen + 1
	if g.st == gMultiLine {
		return g.endMultibulk(size)
	}
	return g.endBulkHeader(size)
}

func (g *guardConn) number() (int64, bool) {
	if g.ndig > len(g.digits) {
		return 0, false
	}
	return command.ParseInt(g.digits[:g.ndig])
}

func (g *guardConn) endMultibulk(size int64) bool {
	n, ok := g.number()
	if !ok || n > math.MaxInt32 {
		return g.fail(errInvalidMulti)
	}
	refused := func() string {
		switch {
		case n > maxUnauthMulti && g.lim.needAuth:
			return "unauthenticated multibulk length"
		case size > g.lim.maxQuery:
			return errQueryLimit
		}
		return ""
	}
	if refused() != "" && !g.recheck() {
		return false
	}
	if msg := refused(); msg != "" {
		return g.fail(msg)
	}
	if n <= 0 {
		g.r++
		g.st = gStart // Redis ignores an empty or negative count
		return true
	}
	canon := g.canonical()
	if !canon && g.avail(1) < g.ndig+2 {
		return false
	}
	g.lf, g.lfOK = true, g.in[g.r] == '\n'
	g.r++
	g.cmdBytes = size
	if canon {
		g.w = g.off + g.r - 1 // "*N\r" is there already
	} else {
		g.putHeader('*', false)
	}
	g.bulks = n
	g.bulkLine()
	return true
}

func (g *guardConn) endBulkHeader(size int64) bool {
	if g.first != '$' {
		c := g.first
		if c == '\r' || c == '\n' {
			c = ' ' // as Redis's addReplyErrorFormat does
		}
		return g.fail("expected '$', got '" + string([]byte{c}) + "'")
	}
	n, ok := g.number()
	if !ok || n < 0 {
		return g.fail(errInvalidBulk)
	}
	need := size + n + 2
	refused := func() string {
		switch {
		case n > g.lim.maxBulk:
			return errInvalidBulk
		case n > maxUnauthBulk && g.lim.needAuth:
			return "unauthenticated bulk length"
		case need > g.lim.maxQuery:
			return errQueryLimit
		}
		return ""
	}
	if refused() != "" && !g.recheck() {
		return false
	}
	if msg := refused(); msg != "" {
		return g.fail(msg)
	}
	canon := g.canonical()
	if !canon && g.avail(1) < 1+g.ndig+3 {
		return false
	}
	g.r++
	g.cmdBytes = need
	if canon {
		g.w = g.off + g.r
	} else {
		g.putHeader('$', true)
	}
	g.lf = false
	g.st, g.left = gBulkBody, n
	if n == 0 {
		g.st, g.skip = gBulkEnd, 2
	}
	return true
}

// payload passes a bulk's bytes on unchanged (and uncopied, in place).
func (g *guardConn) payload() bool {
	k := int(min(g.left, int64(len(g.in)-g.r)))
	if k = min(k, g.avail(k)); k == 0 {
		return false
	}
	if !g.alias || g.w != g.off+g.r {
		copy(g.dst[g.w:], g.in[g.r:g.r+k])
	}
	g.w += k
	g.r += k
	if g.left -= int64(k); g.left == 0 {
		g.st, g.skip = gBulkEnd, 2
	}
	return true
}

// bulkEnd drops the two bytes after a payload, which Redis never looks
// at, and gives the reader the "\r\n" it insists on instead.
func (g *guardConn) bulkEnd() bool {
	last := g.bulks == 1
	if (g.skip == 2 || last) && g.avail(1) < 1 {
		return false
	}
	c := g.in[g.r]
	g.r++
	if g.skip--; g.skip == 1 {
		g.putByte('\r', c)
		return true
	}
	if g.bulks--; !last {
		g.lf, g.lfOK = true, c == '\n'
		g.bulkLine()
		return true
	}
	g.putByte('\n', c)
	g.st = gStart
	g.cmds++
	return true
}

// canonical reports that a complete header line (r at the byte after its
// '\r') and the '\n' held before it are just what the reader is to be given,
// and already where the output is: valid RESP is framed without a write.
func (g *guardConn) canonical() bool {
	held := 0
	if g.lf {
		if !g.lfOK {
			return false
		}
		held = 1
	}
	return g.alias && g.lineAt >= 0 && g.w+held == g.off+g.lineAt &&
		g.in[g.r] == '\n' && g.lineLen == int64(g.ndig)+2
}

// putHeader writes a header the input did not have as is, for which
// avail has made room: "*N\r" or ["\n"]"$N\r\n".
func (g *guardConn) putHeader(prefix byte, bulk bool) {
	var b [maxHeaderLine + 1]byte
	n := 0
	if g.lf && bulk {
		b[0], n = '\n', 1
	}
	b[n] = prefix
	n += 1 + copy(b[n+1:], g.digits[:g.ndig])
	b[n] = '\r'
	if n++; bulk {
		b[n], n = '\n', n+1
	}
	g.w += copy(g.dst[g.w:], b[:n])
}

// putByte outputs c for the input byte in just consumed.
func (g *guardConn) putByte(c, in byte) {
	if !g.alias || g.w != g.off+g.r-1 || in != c {
		g.dst[g.w] = c
	}
	g.w++
}

func (g *guardConn) inlineLine() bool {
	rest := g.in[g.r:]
	nl := bytes.IndexByte(rest, '\n')
	end := nl
	if nl < 0 {
		end = len(rest)
	}
	if g.stuck || bytes.IndexByte(rest[:end], 0) >= 0 {
		g.stuck, g.inl = true, g.inl[:0]
		g.lineLen += int64(len(rest))
		g.r = len(g.in)
		return true
	}
	if nl < 0 {
		g.inl = append(g.inl, rest...)
		g.lineLen += int64(len(rest))
		g.r = len(g.in)
		return true
	}
	line := rest[:nl]
	if len(g.inl) > 0 {
		g.inl = append(g.inl, line...)
		line = g.inl
	}
	g.r += nl + 1
	return g.endInline(line)
}

// endInline converts an inline command to the multibulk frame the reader
// reads: Redis's processInlineBuffer, whose sdssplitargs is splitArgs.
// The frame goes whole in place, or whole to spill.
func (g *guardConn) endInline(line []byte) bool {
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	args, ok := splitArgs(line)
	if g.inl = g.inl[:0]; cap(g.inl) > 4096 {
		g.inl = nil
	}
	if !ok {
		return g.fail(errUnbalancedQuot)
	}
	g.st = gStart
	if len(args) == 0 {
		return true
	}
	size := len(strconv.Itoa(len(args))) + 3
	for _, a := range args {
		size += len(strconv.Itoa(len(a))) + 3 + len(a) + 2
	}
	if g.avail(0) >= size {
		g.w += len(appendFrame(g.dst[g.w:g.w], args))
	} else {
		g.spill = appendFrame(g.spill, args)
	}
	g.cmds++
	return true
}
