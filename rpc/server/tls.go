package server

import (
	"crypto/tls"
	"fmt"
	"net"
	"time"

	"github.com/ember-node/ember-node/shard/store"
)

// TLS for clients, as Redis 6+ serves it: a second port (tls-port) whose
// connections run the same loop behind the same guard, over crypto/tls.
// The plain port's path is untouched: only the accept loop asks which
// port a connection came in on.

// tlsHandshakeTimeout bounds a handshake: a connection that does not
// finish it holds a client slot and a goroutine only this long.
const tlsHandshakeTimeout = 10 * time.Second

// ListenTLS binds the TLS port (Config.TLSAddr).
func (s *Server) ListenTLS() (net.Listener, error) { return listen(s.config().TLSAddr) }

// ServeTLS serves TLS clients on ln, a TCP listener (the server speaks the
// TLS), until Close.
func (s *Server) ServeTLS(ln net.Listener) error {
	cfg := s.config().TLS
	if cfg == nil {
		ln.Close()
		return fmt.Errorf("rpc: serve tls: no TLS configuration")
	}
	if !s.register(&s.tlsLn, ln) {
		return ln.Close()
	}
	return s.acceptLoop(guardListener{Listener: tls.NewListener(ln, cfg), srv: s}, true)
}

// TLSAddr returns the TLS listening address, once serving.
func (s *Server) TLSAddr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tlsLn == nil {
		return nil
	}
	return s.tlsLn.Addr()
}

// serveTLS registers a TLS connection (counting toward maxclients before
// its handshake, as Redis creates the client first), completes the
// handshake within tlsHandshakeTimeout and serves it. A client that
// fails the handshake (no certificate when one is required, plain text)
// is closed without a byte of RESP.
func (s *Server) serveTLS(nc net.Conn) {
	nc.SetDeadline(time.Now().Add(tlsHandshakeTimeout))
	c := s.accept(nc) // a refusal is written after the handshake, in time
	if c == nil {
		return
	}
	if err := handshake(nc); err != nil {
		s.log.Debug("error accepting a tls client connection", "addr", c.addr, "error", err)
		nc.Close()
		s.closed(c, nil)
		return
	}
	nc.SetDeadline(time.Time{})
	c.tls = true
	s.serveConn(c)
}

// handshake runs the TLS handshake of nc, a guard around a *tls.Conn.
func handshake(nc net.Conn) error {
	if g, ok := nc.(*guardConn); ok {
		nc = g.Conn
	}
	tc, ok := nc.(*tls.Conn)
	if !ok {
		return fmt.Errorf("rpc: not a TLS connection: %T", nc)
	}
	if err := tc.Handshake(); err != nil {
		return fmt.Errorf("tls handshake: %w", err)
	}
	return nil
}

// advertisedTLS returns the TLS address this node tells TLS clients, ""
// without a TLS port.
func (s *Server) advertisedTLS() string {
	cfg := s.config()
	switch {
	case cfg.TLSAddr == "":
		return ""
	case cfg.TLSAdvertise != "":
		return cfg.TLSAdvertise
	}
	if a := s.TLSAddr(); a != nil {
		return a.String()
	}
	return cfg.TLSAddr
}

// view returns the cluster as this client is to see it: with the TLS
// addresses of nodes when it came in on the TLS port.
func (c *client) view() store.ClusterView {
	v := c.srv.view()
	if c.tls {
		return v.ForTLS()
	}
	return v
}

// reply turns a store error for slot into the client's reply (store.Reply):
// with the cluster's view when the node is part of one, so a command for a
// shard led elsewhere gets MOVED, to the address this client is told.
func (c *client) reply(slot int, err error) string {
	if !c.srv.cluster {
		return store.Reply(err, slot, nil)
	}
	v := c.view()
	return store.Reply(err, slot, &v)
}

// portOf is the port of a listening address, "0" for none (CONFIG GET
// port and tls-port).
func portOf(addr string) string {
	if addr == "" {
		return "0"
	}
	_, p := splitHostPort(addr)
	return p
}

// tlsAuthClients is CONFIG GET tls-auth-clients.
func tlsAuthClients(c *Config) string {
	if c.TLS == nil {
		return "yes" // Redis's default, shown without a TLS port too
	}
	switch c.TLS.ClientAuth {
	case tls.NoClientCert:
		return "no"
	case tls.RequireAndVerifyClientCert:
		return "yes"
	}
	return "optional"
}
