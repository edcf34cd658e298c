// Package transport is the node-to-node port: one TCP listener that carries
// the Raft streams of every shard group of a node plus admin calls. A
// dialer opens a connection with a small header naming what it wants; the
// listener hands the connection to that group's raft.StreamLayer.
package transport

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/hashicorp/raft"
)

// Kind says what a connection carries.
type Kind uint8

const (
	// KindRaft carries one Raft group's RPCs.
	KindRaft Kind = 1
	// KindAdmin carries cluster admin calls (join, leave, status).
	KindAdmin Kind = 2
)

// The header is: magic (4 bytes), version, kind, group id (uint32 BE),
// then a 32-byte HMAC-SHA256 of the first 10 bytes under the cluster
// secret (zeros when no secret is set).
var magic = [4]byte{'E', 'M', 'B', 'R'}

const (
	version    = 1
	headerSize = 4 + 1 + 1 + 4 + 32
	// headerTimeout bounds how long a peer may take to send its header.
	headerTimeout = 5 * time.Second
)

// Errors returned when accepting a peer.
var (
	ErrBadMagic   = errors.New("transport: not an ember-node peer")
	ErrBadVersion = errors.New("transport: unsupported protocol version")
	ErrAuth       = errors.New("transport: peer failed cluster secret check")
	ErrNoGroup    = errors.New("transport: no such group on this node")
	ErrClosed     = errors.New("transport: closed")
)

// Mux owns the cluster port.
type Mux struct {
	ln     net.Listener
	secret []byte
	log    *slog.Logger

	mu     sync.Mutex
	groups map[uint32]*StreamLayer
	admin  func(net.Conn)
	closed bool
	// isolated makes the node unreachable both ways: a fault hook for
	// tests that cut a node off, as a network partition would.
	isolated bool
	conns    map[net.Conn]struct{}
	// dials cancels a group's Raft dials in flight when the group closes:
	// a dial can sit in a DNS lookup of a peer that is gone for the whole
	// dial timeout, and Raft's shutdown waits for it.
	dials map[uint32]context.CancelFunc
	dctx  map[uint32]context.Context
}

// NewMux serves the cluster port on ln. secret, when not empty, must be
// shared by every node of the cluster.
func NewMux(ln net.Listener, secret []byte, log *slog.Logger) *Mux {
	return &Mux{ln: ln, secret: secret, log: log, groups: map[uint32]*StreamLayer{}, conns: map[net.Conn]struct{}{},
		dials: map[uint32]context.CancelFunc{}, dctx: map[uint32]context.Context{}}
}

// Addr returns the listening address.
func (m *Mux) Addr() net.Addr { return m.ln.Addr() }

// HandleAdmin sets the handler of admin connections.
func (m *Mux) HandleAdmin(h func(net.Conn)) {
	m.mu.Lock()
	m.admin = h
	m.mu.Unlock()
}

// Serve accepts connections until Close.
func (m *Mux) Serve() error {
	for {
		c, err := m.ln.Accept()
		if err != nil {
			m.mu.Lock()
			closed := m.closed
			m.mu.Unlock()
			if closed {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(10 * time.Millisecond)
				continue
			}
			return fmt.Errorf("transport: accept: %w", err)
		}
		go m.route(c)
	}
}

// route reads the header and hands the connection over. A peer that sends
// garbage or the wrong secret is logged and dropped; nothing else happens.
func (m *Mux) route(raw net.Conn) {
	c := m.track(raw)
	if c == nil {
		raw.Close()
		return
	}
	c.SetReadDeadline(time.Now().Add(headerTimeout))
	kind, group, err := m.readHeader(c)
	c.SetReadDeadline(time.Time{})
	m.label(c, kind, group)
	if err != nil {
		m.log.Warn("refused cluster connection", "remote", c.RemoteAddr().String(), "error", err)
		c.Close()
		return
	}
	m.mu.Lock()
	sl, admin := m.groups[group], m.admin
	m.mu.Unlock()
	switch {
	case kind == KindAdmin && admin != nil:
		admin(c)
	case kind == KindRaft && sl != nil:
		if !sl.deliver(c) {
			c.Close()
		}
	default:
		m.log.Warn("refused cluster connection", "remote", c.RemoteAddr().String(), "kind", kind, "group", group, "error", ErrNoGroup)
		c.Close()
	}
}

func (m *Mux) readHeader(r io.Reader) (Kind, uint32, error) {
	var h [headerSize]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return 0, 0, fmt.Errorf("transport: header: %w", err)
	}
	if [4]byte(h[:4]) != magic {
		return 0, 0, ErrBadMagic
	}
	if h[4] != version {
		return 0, 0, fmt.Errorf("%w %d", ErrBadVersion, h[4])
	}
	if !hmac.Equal(h[10:], m.mac(h[:10])) {
		return 0, 0, ErrAuth
	}
	return Kind(h[5]), binary.BigEndian.Uint32(h[6:10]), nil
}

func (m *Mux) mac(b []byte) []byte {
	if len(m.secret) == 0 {
		return make([]byte, 32)
	}
	h := hmac.New(sha256.New, m.secret)
	h.Write(b)
	return h.Sum(nil)
}

// Dial opens a connection of kind to group on the node at addr.
func (m *Mux) Dial(addr string, kind Kind, group uint32, timeout time.Duration) (net.Conn, error) {
	ctx := context.Background()
	if kind == KindRaft {
		ctx = m.dialContext(group)
	}
	d := net.Dialer{Timeout: timeout}
	raw, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	c := m.track(raw)
	if c == nil {
		raw.Close()
		return nil, errIsolated
	}
	m.label(c, kind, group)
	var h [headerSize]byte
	copy(h[:4], magic[:])
	h[4], h[5] = version, byte(kind)
	binary.BigEndian.PutUint32(h[6:10], group)
	copy(h[10:], m.mac(h[:10]))
	c.SetWriteDeadline(time.Now().Add(timeout))
	if _, err := c.Write(h[:]); err != nil {
		c.Close()
		return nil, fmt.Errorf("transport: send header to %s: %w", addr, err)
	}
	c.SetWriteDeadline(time.Time{})
	return c, nil
}

var errIsolated = errors.New("transport: node isolated")

// dialContext returns the context of group's Raft dials, cancelled by
// CloseGroup and Close.
func (m *Mux) dialContext(group uint32) context.Context {
	m.mu.Lock()
	defer m.mu.Unlock()
	if ctx, ok := m.dctx[group]; ok {
		return ctx
	}
	ctx, cancel := context.WithCancel(context.Background())
	if m.closed {
		cancel()
	}
	m.dctx[group], m.dials[group] = ctx, cancel
	return ctx
}

// cancelDials cancels the Raft dials of group, or of all groups, in
// flight and to come (until the group opens again). Must hold m.mu.
func (m *Mux) cancelDials(group uint32, all bool) {
	if !all {
		if _, ok := m.dctx[group]; !ok {
			m.dctx[group], m.dials[group] = context.WithCancel(context.Background())
		}
	}
	for g, cancel := range m.dials {
		if all || g == group {
			cancel()
		}
	}
}

// track registers a live connection, unless the node is isolated, and
// returns it wrapped so that closing it forgets it.
func (m *Mux) track(c net.Conn) net.Conn {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.isolated {
		return nil
	}
	tc := &trackedConn{Conn: c, m: m}
	m.conns[tc] = struct{}{}
	return tc
}

type trackedConn struct {
	net.Conn
	m     *Mux
	group uint32
	raft  bool // carries group's Raft stream
}

func (c *trackedConn) Close() error {
	c.m.mu.Lock()
	delete(c.m.conns, c)
	c.m.mu.Unlock()
	return c.Conn.Close()
}

func (m *Mux) label(c net.Conn, kind Kind, group uint32) {
	if tc, ok := c.(*trackedConn); ok && kind == KindRaft {
		m.mu.Lock()
		tc.group, tc.raft = group, true
		m.mu.Unlock()
	}
}

// CloseGroup closes every live connection of group's Raft streams, both
// directions. Raft's pipelined replication can wait for ever on a peer
// that stopped answering; a group shutting down cuts its streams so that
// nothing waits on it.
func (m *Mux) CloseGroup(group uint32) {
	m.mu.Lock()
	m.cancelDials(group, false)
	var victims []net.Conn
	for c := range m.conns {
		if tc, ok := c.(*trackedConn); ok && tc.raft && tc.group == group {
			victims = append(victims, c)
		}
	}
	m.mu.Unlock()
	for _, c := range victims {
		c.Close()
	}
}

// Isolate cuts the node off (true) or reconnects it (false): while
// isolated, every connection is closed and new ones are refused.
func (m *Mux) Isolate(on bool) {
	m.mu.Lock()
	m.isolated = on
	conns := m.conns
	if on {
		m.conns = map[net.Conn]struct{}{}
	}
	m.mu.Unlock()
	if on {
		for c := range conns {
			c.Close()
		}
	}
}

// Group returns the stream layer of a Raft group, creating it.
func (m *Mux) Group(id uint32) *StreamLayer {
	m.mu.Lock()
	defer m.mu.Unlock()
	if sl := m.groups[id]; sl != nil {
		return sl
	}
	sl := &StreamLayer{mux: m, id: id, conns: make(chan net.Conn, 16), done: make(chan struct{})}
	m.groups[id] = sl
	if ctx, ok := m.dctx[id]; ok && ctx.Err() != nil && !m.closed {
		delete(m.dctx, id) // the group was closed and opens again
		delete(m.dials, id)
	}
	return sl
}

// Close stops the listener and every stream layer.
func (m *Mux) Close() error {
	m.mu.Lock()
	m.closed = true
	m.cancelDials(0, true)
	groups := m.groups
	m.groups = map[uint32]*StreamLayer{}
	m.mu.Unlock()
	for _, sl := range groups {
		sl.Close()
	}
	return m.ln.Close()
}

// StreamLayer is one Raft group's view of the shared port.
type StreamLayer struct {
	mux   *Mux
	id    uint32
	conns chan net.Conn
	once  sync.Once
	done  chan struct{}
}

func (s *StreamLayer) deliver(c net.Conn) bool {
	select {
	case s.conns <- c:
		return true
	case <-s.done:
		return false
	case <-time.After(headerTimeout):
		return false
	}
}

// Accept waits for the next connection of this group.
func (s *StreamLayer) Accept() (net.Conn, error) {
	select {
	case c := <-s.conns:
		return c, nil
	case <-s.done:
		return nil, ErrClosed
	}
}

// Close stops this group's layer; the shared listener stays up.
func (s *StreamLayer) Close() error {
	s.once.Do(func() {
		close(s.done)
		s.mux.mu.Lock()
		if s.mux.groups[s.id] == s {
			delete(s.mux.groups, s.id)
		}
		s.mux.mu.Unlock()
	})
	return nil
}

// Addr is the shared listener's address.
func (s *StreamLayer) Addr() net.Addr { return s.mux.Addr() }

// Dial connects to the same group on another node.
func (s *StreamLayer) Dial(addr raft.ServerAddress, timeout time.Duration) (net.Conn, error) {
	return s.mux.Dial(string(addr), KindRaft, s.id, timeout)
}
