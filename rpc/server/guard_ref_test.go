package server

import (
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"testing"
	"time"

	"github.com/ember-node/ember-node/shard/command"
)

// guardEnv is what the framing depends on, and the commands that change
// it: "AUTH pw" authenticates, "RAISE" lifts proto-max-bulk-len.
type guardEnv struct {
	requirePass, authed bool
	maxBulk, maxQuery   int64
}

func defaultEnv() guardEnv { return guardEnv{maxBulk: 512 << 20, maxQuery: 1 << 30} }

func (e *guardEnv) limits() guardLimits {
	return guardLimits{maxBulk: e.maxBulk, maxQuery: e.maxQuery, needAuth: e.requirePass && !e.authed}
}

func (e *guardEnv) exec(argv [][]byte) {
	switch {
	case len(argv) == 2 && string(argv[0]) == "AUTH" && string(argv[1]) == "pw":
		e.authed = true
	case len(argv) == 1 && string(argv[0]) == "RAISE":
		e.maxBulk = 1 << 20
	}
}

// outcome is what a server made of a byte stream: the commands it ran,
// and the protocol error it closed the connection with ("" if none).
type outcome struct {
	cmds []string
	err  string
}

func (o outcome) String() string { return fmt.Sprintf("%s err %q", o.cmds, o.err) }

func (o outcome) equal(p outcome) bool { return o.String() == p.String() }

// chunkConn is a net.Conn whose reads return the chunks it was given, no
// more than one at a time, as a socket would; writes are kept.
type chunkConn struct {
	chunks [][]byte
	wrote  []byte
}

func (c *chunkConn) Read(p []byte) (int, error) {
	for len(c.chunks) > 0 && len(c.chunks[0]) == 0 {
		c.chunks = c.chunks[1:]
	}
	if len(c.chunks) == 0 {
		return 0, io.EOF
	}
	n := copy(p, c.chunks[0])
	c.chunks[0] = c.chunks[0][n:]
	return n, nil
}

func (c *chunkConn) Write(p []byte) (int, error) {
	c.wrote = append(c.wrote, p...)
	return len(p), nil
}

func (c *chunkConn) Close() error                     { return nil }
func (c *chunkConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c *chunkConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (c *chunkConn) SetDeadline(time.Time) error      { return nil }
func (c *chunkConn) SetReadDeadline(time.Time) error  { return nil }
func (c *chunkConn) SetWriteDeadline(time.Time) error { return nil }

// runGuard serves chunks as a connection does: the guard, the
// connection's reader, and the commands run between reads. It fails on a
// panic, on the reader refusing the guard's output, and on a frame cut
// between arguments (which redcon, the reader before reqReader, walked
// whole; the guard still never does it).
func runGuard(t testing.TB, env guardEnv, chunks [][]byte) (out outcome) {
	t.Helper()
	conn := &chunkConn{chunks: cloneChunks(chunks)}
	g := &guardConn{Conn: conn, lim: env.limits(), fresh: env.limits}
	v := &viewReader{g: g}
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("panic on %q: %v", chunks, r)
		}
	}()
	err := readCommands(v, func(argv [][]byte) {
		out.cmds = append(out.cmds, fmt.Sprintf("%q", argv))
		env.exec(argv)
	})
	if v.bad != "" {
		t.Fatalf("the reader was given a frame cut between arguments: ...%q", v.bad)
	}
	var ge errGuard
	switch {
	case err == errReqFrame:
		t.Fatalf("the reader refused the guard's output for %q", chunks)
	case errors.As(err, &ge):
		out.err = ge.msg
		if want := "-ERR Protocol error: " + ge.msg + "\r\n"; string(conn.wrote) != want {
			t.Fatalf("guard wrote %q, want %q", conn.wrote, want)
		}
	case err != io.EOF:
		t.Fatalf("reading the guard's output for %q: %v", chunks, err)
	}
	return out
}

// readCommands reads src as a connection does, running each command before
// the next read, until src fails.
func readCommands(src io.Reader, run func(argv [][]byte)) error {
	var rd reqReader
	for {
		for {
			argv, _, ok, err := rd.next()
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			run(argv)
		}
		if _, err := rd.fill(src); err != nil {
			return err
		}
	}
}

func cloneChunks(chunks [][]byte) [][]byte {
	c := make([][]byte, len(chunks))
	copy(c, chunks)
	return c
}

// refRedis is Redis 7.0's processInputBuffer, transcribed over a whole
// query buffer the way the C code reads it (strchr included): the oracle
// for the streaming guard. client-query-buffer-limit is ember's rule (the
// bytes one command's headers announce).
type refRedis struct {
	env      *guardEnv
	q        []byte
	reqtype  int // 0 unknown, 1 inline, 2 multibulk
	multi    int64
	bulk     int64
	argv     [][]byte
	cmdBytes int64
	out      outcome
}

func runRef(env guardEnv, chunks [][]byte) outcome {
	s := &refRedis{env: &env, bulk: -1}
	for _, c := range chunks {
		s.q = append(s.q, c...)
		if !s.process() {
			break
		}
	}
	return s.out
}

// strchr is C's: the first c before a NUL.
func strchr(b []byte, c byte) int {
	for i, x := range b {
		switch x {
		case 0:
			return -1
		case c:
			return i
		}
	}
	return -1
}

func (s *refRedis) process() bool {
	for len(s.q) > 0 {
		if s.reqtype == 0 {
			s.reqtype = 1
			if s.q[0] == '*' {
				s.reqtype = 2
			}
		}
		var done bool
		var err string
		if s.reqtype == 1 {
			done, err = s.inline()
		} else {
			done, err = s.multibulk()
		}
		if err != "" {
			s.out.err = err
			return false
		}
		if !done {
			return true
		}
		if len(s.argv) > 0 {
			s.out.cmds = append(s.out.cmds, fmt.Sprintf("%q", s.argv))
			s.env.exec(s.argv)
		}
		s.argv, s.reqtype, s.multi, s.bulk, s.cmdBytes = nil, 0, 0, -1, 0
	}
	return true
}

func (s *refRedis) inline() (bool, string) {
	nl := strchr(s.q, '\n')
	if nl < 0 {
		if len(s.q) > maxInlineSize {
			return false, "too big inline request"
		}
		return false, ""
	}
	line := s.q[:nl]
	if nl > 0 && s.q[nl-1] == '\r' {
		line = s.q[:nl-1]
	}
	args, ok := splitArgs(line)
	if !ok {
		return false, errUnbalancedQuot
	}
	s.q, s.argv = s.q[nl+1:], args
	return true, ""
}

func (s *refRedis) multibulk() (bool, string) {
	lim := s.env.limits()
	if s.multi == 0 {
		cr := strchr(s.q, '\r')
		if cr < 0 {
			if len(s.q) > maxInlineSize {
				return false, "too big mbulk count string"
			}
			return false, ""
		}
		if cr > len(s.q)-2 {
			return false, ""
		}
		ll, ok := command.ParseInt(s.q[1:cr])
		switch {
		case !ok || ll > math.MaxInt32:
			return false, errInvalidMulti
		case ll > 10 && lim.needAuth:
			return false, "unauthenticated multibulk length"
		}
		if s.cmdBytes = int64(cr + 2); s.cmdBytes > lim.maxQuery {
			return false, errQueryLimit
		}
		s.q = s.q[cr+2:]
		if ll <= 0 {
			return true, ""
		}
		s.multi = ll
	}
	for s.multi > 0 {
		if s.bulk == -1 {
			if wait, err := s.bulkHeader(lim); wait || err != "" {
				return false, err
			}
		}
		if int64(len(s.q)) < s.bulk+2 {
			break
		}
		s.argv = append(s.argv, s.q[:s.bulk])
		s.q, s.bulk = s.q[s.bulk+2:], -1
		s.multi--
	}
	return s.multi == 0, ""
}

// bulkHeader reads a bulk length; wait reports that its line is not all
// there yet.
func (s *refRedis) bulkHeader(lim guardLimits) (wait bool, err string) {
	cr := strchr(s.q, '\r')
	if cr < 0 {
		if len(s.q) > maxInlineSize {
			return false, "too big bulk count string"
		}
		return true, ""
	}
	if cr > len(s.q)-2 {
		return true, ""
	}
	if c := s.q[0]; c != '$' {
		if c == '\r' || c == '\n' {
			c = ' '
		}
		return false, "expected '$', got '" + string([]byte{c}) + "'"
	}
	ll, ok := command.ParseInt(s.q[1:cr])
	switch {
	case !ok || ll < 0 || ll > lim.maxBulk:
		return false, errInvalidBulk
	case ll > 16384 && lim.needAuth:
		return false, "unauthenticated bulk length"
	}
	if s.cmdBytes += int64(cr+2) + ll + 2; s.cmdBytes > lim.maxQuery {
		return false, errQueryLimit
	}
	s.q, s.bulk = s.q[cr+2:], ll
	return false, ""
}
