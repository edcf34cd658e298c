package rpc

import "io"

// reqReader buffers one connection's input and cuts it into commands.
// The guard in front of it hands over only canonical multibulk frames
// ("*N\r\n", N >= 1, then N times "$L\r\n", L bytes, "\r\n"), so this is
// the whole parser, and a cheap one: an argument is never copied (argv
// points into the buffer until the next fill), the argument lists of the
// commands between two fills share one reused slice (each stays valid
// until the next fill, so a pipeline can be cut whole before it runs), and
// a frame cut by a read is resumed where its parse stopped rather than
// parsed from its start again.
type reqReader struct {
	buf  []byte
	r, w int // buf[r:w] is input not yet cut into commands

	// A frame that is not complete yet starts at r: its count (0 until
	// its header is read), where its parse resumes and the bounds of the
	// arguments read so far, all relative to r so that fill may move it.
	argc  int
	pos   int
	marks []int

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
	if rd.argc == 0 && cap(rd.marks) > reqArgsKeep {
		rd.marks = nil
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
func (rd *reqReader) next() (argv [][]byte, n int, ok bool, err error) {
	b := rd.buf[rd.r:rd.w]
	p := rd.pos
	if rd.argc == 0 {
		if p >= len(b) {
			return nil, 0, false, nil
		}
		count, end, ok, err := reqHeader(b, p, '*')
		if !ok || count == 0 {
			if err == nil && ok {
				err = errReqFrame
			}
			return nil, 0, false, err
		}
		rd.argc, p = count, end
		rd.marks = rd.marks[:0]
	}
	for len(rd.marks) < 2*rd.argc {
		size, end, ok, err := reqHeader(b, p, '$')
		if !ok || end+size+2 > len(b) {
			rd.pos = p
			return nil, 0, false, err
		}
		if b[end+size] != '\r' || b[end+size+1] != '\n' {
			return nil, 0, false, errReqFrame
		}
		rd.marks = append(rd.marks, end, end+size)
		p = end + size + 2
	}
	start := len(rd.argv)
	for i := 0; i < len(rd.marks); i += 2 {
		// Capacity cut at the argument: an append to one never writes
		// over the next.
		rd.argv = append(rd.argv, b[rd.marks[i]:rd.marks[i+1]:rd.marks[i+1]])
	}
	rd.r += p
	rd.argc, rd.pos = 0, 0
	return rd.argv[start:len(rd.argv):len(rd.argv)], p, true, nil
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
