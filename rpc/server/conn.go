package server

import (
	"errors"
	"net"
	"runtime/debug"
	"time"

	"github.com/ember-node/ember-node/shard/command"
)

// The connection loop. It replaced redcon's (its Conn), which copied every
// command out of its buffer and allocated its argument list, and whose
// replies were copied once more into its writer: here a command's
// arguments point into the connection's input buffer, and the replies of
// everything one read brought are written with one system call, as Redis
// does. The codec is still redcon's: redcon.ReadNextCommand cuts the
// commands (reqreader.go) and its Append functions encode RESP2 replies
// (resp/writer.go).

// serveConn serves one client until it quits, breaks the protocol or goes.
func (s *Server) serveConn(c *client) {
	err := c.serve()
	c.nc.Close()
	s.closed(c, err)
}

// serve reads, runs every command the read completed, writes their
// replies, and reads again only then: the guard relies on that (a frame
// beyond the cached limits waits until the commands before it have run).
func (c *client) serve() error {
	for {
		n, err := c.rd.fill(c.nc)
		if n > 0 {
			// One clock read per pipeline: the read-index of the Raft
			// store needs when the request arrived, not each command.
			c.arrived = time.Now()
			if werr := c.runInput(); werr != nil {
				return werr
			}
			if c.quit {
				return nil
			}
		}
		if err != nil {
			return err
		}
	}
}

// runInput runs the complete commands in the input buffer and writes their
// replies. The writes among them are in flight in Raft together: replies
// wait (drain) only when a command replies at once, and at the end.
func (c *client) runInput() error {
	in := 0
	var ferr error
	cmds := c.cmds[:0]
	for {
		argv, n, ok, err := c.rd.next()
		if err != nil {
			ferr = err
			break
		}
		if !ok {
			break
		}
		spec, cs := c.srv.lookup(argv[0])
		cmds = append(cmds, parsedCmd{argv, spec, cs})
		in += n
	}
	c.prefetch(cmds)
	c.startPipeline()
	for _, cmd := range cmds {
		if c.quit {
			break
		}
		c.run(cmd)
		if len(c.w.B) >= c.outCheck {
			if err := c.afterCommand(); err != nil {
				ferr = err
				break
			}
		}
	}
	ran := len(cmds)
	clear(cmds)
	c.cmds = cmds[:0]
	c.drain()
	if errors.Is(ferr, errOutputLimit) {
		return ferr
	}
	if ferr != nil {
		var ge errGuard
		if errors.As(ferr, &ge) {
			c.w.Error("ERR Protocol error: " + ge.msg)
		}
	}
	// Shared counters once per pipeline, not per command: connections on
	// different cores would otherwise fight over their cache line.
	if ran > 0 {
		c.srv.stats.commands.Add(int64(ran))
		c.srv.stats.netIn.Add(int64(in))
	}
	if err := c.flush(); err != nil {
		return err
	}
	return ferr
}

// parsedCmd is a command of the input and what it was looked up as (nil,
// nil when unknown): prefetch and dispatch share the lookup.
type parsedCmd struct {
	argv [][]byte
	spec *command.Spec
	cs   *connSpec
}

// run dispatches one command; a panic in it becomes an error reply and
// the connection goes on.
func (c *client) run(cmd parsedCmd) {
	defer func() {
		if r := recover(); r != nil {
			c.srv.log.Error("panic in command", "panic", r, "stack", string(debug.Stack()))
			c.drain()
			c.w.Error("ERR internal error")
		}
	}()
	c.dispatch(cmd.argv, cmd.spec, cmd.cs)
}

// flush writes the replies gathered so far.
func (c *client) flush() error {
	if len(c.w.B) == 0 {
		return nil
	}
	err := c.writeOut(c.w.B)
	if errors.Is(err, errOutputLimit) {
		return err
	}
	if c.w.Errors != 0 {
		c.srv.stats.errors.Add(c.w.Errors)
		c.w.Errors = 0
	}
	if cap(c.w.B) > maxKeptReplyBuf {
		c.w.B = nil
	} else {
		c.w.B = c.w.B[:0]
	}
	if err != nil {
		return errWrite{err}
	}
	return nil
}

// errWrite is a failed reply write: the client went away.
type errWrite struct{ err error }

func (e errWrite) Error() string { return "write reply: " + e.err.Error() }
func (e errWrite) Unwrap() error { return e.err }

// acceptLoop hands every accepted connection its goroutine until the
// listener closes. A failing Accept (out of file descriptors) is retried
// after a pause that doubles up to a second, as net/http does. A TLS
// connection is registered and refused in its own goroutine, since a
// write on it waits for the handshake (tls.go).
func (s *Server) acceptLoop(ln net.Listener, secure bool) error {
	var pause time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if s.isClosing() || errors.Is(err, net.ErrClosed) {
				return nil
			}
			pause = min(max(2*pause, 5*time.Millisecond), time.Second)
			s.log.Warn("accept failed", "error", err, "retry_in", pause)
			time.Sleep(pause)
			continue
		}
		pause = 0
		if secure {
			go s.serveTLS(nc)
			continue
		}
		if c := s.accept(nc); c != nil {
			go s.serveConn(c)
		}
	}
}
