// Package transport is the node-to-node port: one TCP listener that carries
// the Raft streams of every shard group of a node plus admin calls. A
// dialer opens a connection with a handshake (handshake.go) naming what it
// wants and proving it knows the cluster secret; the listener hands the
// connection to that group's raft.StreamLayer.
package transport

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/hashicorp/raft"

	"github.com/ember-node/ember-node/rpc/ratelog"
)

// Kind says what a connection carries.
type Kind uint8

const (
	// KindRaft carries one Raft group's RPCs.
	KindRaft Kind = 1
	// KindAdmin carries cluster admin calls (join, leave, status).
	KindAdmin Kind = 2
)

// Errors of the handshake and of routing a connection.
var (
	// ErrBadMagic: the peer is not an ember-node.
	ErrBadMagic = errors.New("transport: not an ember-node peer")
	// ErrBadVersion: the peer speaks another protocol version.
	ErrBadVersion = errors.New("transport: unsupported protocol version")
	// ErrAuth: the dialer's proof failed: it does not know the secret,
	// or it replayed a handshake captured from another connection.
	ErrAuth = errors.New("transport: peer failed the cluster secret challenge (wrong secret or replayed handshake)")
	// ErrSecretMismatch: the dialer found that the acceptor's secret
	// differs from its own.
	ErrSecretMismatch = errors.New("transport: cluster secret refused: the peer's cluster secret differs from this node's")
	// ErrNoGroup: the connection names a group this node does not hold.
	ErrNoGroup = errors.New("transport: no such group on this node")
	// ErrClosed: the mux or the group was closed.
	ErrClosed = errors.New("transport: closed")
	// ErrNoSecret: a mux needs a cluster secret.
	ErrNoSecret = errors.New("transport: no cluster secret")

	errHandshake = errors.New("transport: handshake cut short")
)

// refusalLogEvery bounds the log lines of refused peers: one per reason
// in this interval, with the count of those suppressed.
const refusalLogEvery = 5 * time.Second

// Mux owns the cluster port.
type Mux struct {
	ln      net.Listener
	secret  []byte
	log     *slog.Logger
	refused *ratelog.Limiter
	tls     *tls.Config // nil: plain TCP (SetTLS)

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

// NewMux serves the cluster port on ln. secret must be shared by every
// node of the cluster; peers prove they know it on every connection.
func NewMux(ln net.Listener, secret []byte, log *slog.Logger) (*Mux, error) {
	if len(secret) == 0 {
		return nil, ErrNoSecret
	}
	return &Mux{ln: ln, secret: secret, log: log, refused: ratelog.New(log, refusalLogEvery),
		groups: map[uint32]*StreamLayer{}, conns: map[net.Conn]struct{}{},
		dials: map[uint32]context.CancelFunc{}, dctx: map[uint32]context.Context{}}, nil
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

// route runs the handshake and hands the connection over. A peer that
// fails it is dropped and logged (rate-limited: strangers choose how
// many); nothing else happens.
func (m *Mux) route(raw net.Conn) {
	tc := m.track(raw)
	if tc == nil {
		raw.Close()
		return
	}
	c, err := m.secure(tc, true, headerTimeout)
	if err != nil {
		m.refuse(tc, err)
		return
	}
	c.SetDeadline(time.Now().Add(headerTimeout))
	kind, group, err := m.accept(c)
	c.SetDeadline(time.Time{})
	if err != nil {
		m.refuse(c, err)
		return
	}
	m.label(tc, kind, group)
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
		m.refuse(c, fmt.Errorf("%w: kind %d, group %d", ErrNoGroup, kind, group))
	}
}

// refuse closes c and logs why, at most once per reason per interval.
func (m *Mux) refuse(c net.Conn, err error) {
	c.Close()
	reason := "handshake cut short"
	for _, e := range []error{ErrTLS, ErrBadMagic, ErrBadVersion, ErrAuth, ErrNoGroup} {
		if errors.Is(err, e) {
			reason = e.Error()
		}
	}
	m.refused.Log(slog.LevelWarn, reason, "refused cluster connection", "reason", reason, "remote", c.RemoteAddr().String(), "error", err)
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
	tc := m.track(raw)
	if tc == nil {
		raw.Close()
		return nil, errIsolated
	}
	m.label(tc, kind, group)
	c, err := m.secure(tc, false, timeout)
	if err != nil {
		tc.Close()
		return nil, fmt.Errorf("transport: dial %s: %w", addr, err)
	}
	c.SetDeadline(time.Now().Add(timeout))
	if err := m.dial(c, kind, group); err != nil {
		c.Close()
		return nil, fmt.Errorf("transport: dial %s: %w", addr, err)
	}
	c.SetDeadline(time.Time{})
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
