package server

import (
	"io"

	"github.com/tidwall/redcon"
)

// reqReader buffers one connection's input and cuts it into commands with
// redcon's zero-copy parser (redcon.ReadNextCommand). The guard in front
// of it hands over only canonical multibulk frames ("*N\r\n", N >= 1,
// then N times "$L\r\n", L bytes, "\r\n"), so that is all it has to read:
// an argument is never copied (argv points into the buffer until the next
// fill), the argument lists of the commands between two fills share one
// reused slice (each stays valid until the next fill, so a pipeline can be
// cut whole before it runs), and a frame cut by a read is followed where
// its scan stopped rather than parsed from its start again.
type reqReader struct {
	buf  []byte
	r, w int // buf[r:w] is input not yet cut into commands

	// A frame that was not complete when first met starts at r (cut):
	// its count (0 until its header is read), the bulks still to come and
	// where scan resumes, relative to r so that fill may move it.
	cut  bool
	argc int
	left int
	pos  int

	argv [][]byte // the argument lists of the commands since the last fill
	full bool     // the last read filled all the room it was given
}

const (
	reqBufInit  = 4 << 10  // a connection's first buffer
	reqBufBusy  = 16 << 10 // Redis's read size, for a connection whose reads fill the buffer
	reqBufKeep  = 64 << 10
	reqMinRead  = 1 << 10 // fill never offers the socket less room than this
	reqArgsKeep = 1024
)

// errReqFrame means the guard let through what is not canonical RESP: a
// bug, answered as a protocol error rather than a misparse.
var errReqFrame = errGuard{"internal framing error"}

// fill reads the source once into the buffer, first moving a partial frame
// to the buffer's start and growing it when the frame fills it. It must
// only be called once every command next returned has run: their
// arguments point into the buffer.
func (rd *reqReader) fill(src io.Reader) (int, error) {
	if rd.r == rd.w {
		rd.r, rd.w = 0, 0
		if len(rd.buf) > reqBufKeep {
			rd.buf = nil // a huge command must not pin its buffer
		}
	}
	if cap(rd.argv) > reqArgsKeep {
		rd.argv = nil
	}
	clear(rd.argv)
	rd.argv = rd.argv[:0]
	if rd.buf == nil {
		rd.buf = make([]byte, reqBufInit)
	}
	busy := rd.full && len(rd.buf) < reqBufBusy
	if busy || len(rd.buf)-rd.w < reqMinRead {
		if rd.r > 0 {
			rd.w = copy(rd.buf, rd.buf[rd.r:rd.w])
			rd.r = 0
		}
		if busy || len(rd.buf)-rd.w < reqMinRead {
			// Doubling keeps a long frame's reads, and its copies, few.
			grown := make([]byte, 2*len(rd.buf))
			copy(grown, rd.buf[:rd.w])
			rd.buf = grown
		}
	}
	n, err := src.Read(rd.buf[rd.w:])
	rd.full = n == len(rd.buf)-rd.w
	rd.w += n
	return n, err
}

// next returns the next complete command, or ok false when the buffer
// holds none. n is the frame's length in bytes.
//
// redcon.ReadNextCommand cuts the frames. A frame the last read did not
// complete is parsed by it once, when it is first met, and from then on
// followed by scan, which resumes where it stopped: redcon would parse it
// from its start again after every read (a long MSET arriving in many
// reads would cost the square of its headers). Once scan has seen it
// whole, redcon parses exactly that frame.
func (rd *reqReader) next() (argv [][]byte, n int, ok bool, err error) {
	b := rd.buf[rd.r:rd.w]
	if len(b) == 0 {
		return nil, 0, false, nil
	}
	if rd.cut {
		end, ok, err := rd.scan(b)
		if !ok {
			return nil, 0, false, err
		}
		b = b[:end]
	}
	start := len(rd.argv)
	args, n, ok, err := readFrame(b, rd.argv[start:start])
	switch {
	case err != nil:
		return nil, 0, false, err
	case !ok && rd.cut:
		return nil, 0, false, errReqFrame // scan and redcon disagree
	case !ok:
		rd.cut = true
		_, _, err := rd.scan(b)
		return nil, 0, false, err
	}
	rd.cut = false
	// The arguments share one backing array per fill: redcon appended
	// them to the room left in it, unless it had to grow.
	if len(args) <= cap(rd.argv)-start {
		rd.argv = rd.argv[:start+len(args)]
	} else {
		rd.argv = append(rd.argv, args...)
	}
	argv = rd.argv[start:len(rd.argv):len(rd.argv)]
	for i, a := range argv {
		// Capacity cut at the argument: an append to one never writes
		// over the next.
		argv[i] = a[:len(a):len(a)]
	}
	rd.r += n
	return argv, n, true, nil
}

// readFrame has redcon parse the frame at the start of b into argsbuf's
// room. What is not canonical RESP is errReqFrame, and so is a panic:
// redcon trusts a negative bulk length ("$-2") to slice with.
func readFrame(b []byte, argsbuf [][]byte) (args [][]byte, n int, ok bool, err error) {
	if b[0] != '*' { // redcon would read an inline or Tile38 command
		return nil, 0, false, errReqFrame
	}
	parsed := false
	defer func() {
		if !parsed && recover() != nil {
			args, n, ok, err = nil, 0, false, errReqFrame
		}
	}()
	complete, args, _, left, perr := redcon.ReadNextCommand(b, argsbuf)
	parsed = true
	switch {
	case perr != nil:
		return nil, 0, false, errReqFrame
	case !complete:
		return nil, 0, false, nil
	case len(args) == 0: // "*0"
		return nil, 0, false, errReqFrame
	}
	return args, len(b) - len(left), true, nil
}

// scan follows the frame at the start of b, not complete when it was
// first met, from where it stopped: its length once it is complete.
func (rd *reqReader) scan(b []byte) (end int, ok bool, err error) {
	p := rd.pos
	if rd.argc == 0 {
		count, end, ok, err := reqHeader(b, p, '*')
		if !ok || count == 0 {
			if err == nil && ok {
				err = errReqFrame
			}
			return 0, false, err
		}
		rd.argc, rd.left, p = count, count, end
	}
	for rd.left > 0 {
		size, end, ok, err := reqHeader(b, p, '$')
		if !ok || end+size+2 > len(b) {
			rd.pos = p
			return 0, false, err
		}
		if b[end+size] != '\r' || b[end+size+1] != '\n' {
			return 0, false, errReqFrame
		}
		p = end + size + 2
		rd.left--
	}
	rd.argc, rd.pos = 0, 0
	return p, true, nil
}

// reqHeader reads the "<kind><digits>\r\n" line at b[p:]: its value and
// the offset after it, or ok false when the line has not fully arrived.
func reqHeader(b []byte, p int, kind byte) (v, end int, ok bool, err error) {
	if p >= len(b) {
		return 0, 0, false, nil
	}
	if b[p] != kind {
		return 0, 0, false, errReqFrame
	}
	i := p + 1
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		if i-p > 18 { // beyond any limit the guard lets through
			return 0, 0, false, errReqFrame
		}
		v = v*10 + int(b[i]-'0')
	}
	switch {
	case i == len(b) || b[i] == '\r' && i+1 == len(b):
		return 0, 0, false, nil
	case i == p+1 || b[i] != '\r' || b[i+1] != '\n':
		return 0, 0, false, errReqFrame
	}
	return v, i + 2, true, nil
}
