// Package server is the front door: the client-facing RESP server, with a
// framing guard and a connection loop of its own (conn.go) for connections
// and pipelining, and one command table for dispatch and COMMAND. Commands
// run on a store.Store; only cmd/ember-node imports this package.
package server

import (
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ember-node/ember-node/shard/command"
	"github.com/ember-node/ember-node/shard/store"
)

// Version is the Redis version ember-node reports, the one whose
// behaviour it implements (clients pick features by it).
const Version = "7.0.15"

// Server serves RESP clients from a Store.
type Server struct {
	store      store.Store
	async      store.AsyncStore  // store, when it supports writes in flight
	guard      store.MemoryGuard // store, when it enforces maxmemory
	prefetcher store.Prefetcher  // store, when it can warm caches for a pipeline
	cluster    bool              // Config.Cluster, fixed at start
	table      *command.Table
	connCmds   map[string]*connSpec
	log        *slog.Logger
	started    time.Time

	mu      sync.Mutex
	cfg     Config
	clients map[int64]*client
	ln      net.Listener
	tlsLn   net.Listener
	closing bool

	obuf     atomic.Pointer[obufLimits] // normal clients' output limits
	mem      clientMem
	auth     authLimiter
	nextID   atomic.Int64
	lastSave atomic.Int64 // unix seconds of the last SAVE
	stats    serverStats
	runID    string
	procID   int
	seedMu   sync.Mutex
	seedRand *rand.Rand
}

type serverStats struct {
	connections atomic.Int64
	commands    atomic.Int64
	rejected    atomic.Int64
	errors      atomic.Int64 // error replies written
	netIn       atomic.Int64
}

// NewServer returns a server over st; Serve starts it.
func NewServer(cfg Config, st store.Store, table *command.Table, log *slog.Logger) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	s := &Server{
		store:    st,
		table:    table,
		cfg:      cfg,
		log:      log,
		clients:  map[int64]*client{},
		started:  time.Now(),
		procID:   os.Getpid(),
		seedRand: rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(os.Getpid()))),
	}
	s.lastSave.Store(s.started.Unix())
	s.runID = fmt.Sprintf("%016x%016x%08x", s.seedRand.Uint64(), s.seedRand.Uint64(), s.seedRand.Uint32())
	s.connCmds = connCommands()
	s.async, _ = st.(store.AsyncStore)
	s.guard, _ = st.(store.MemoryGuard)
	s.prefetcher, _ = st.(store.Prefetcher)
	if og, ok := st.(store.OverheadGuard); ok {
		og.SetOverhead(s.clientMemory)
	}
	s.applyConfig(cfg)
	s.cluster = cfg.Cluster
	return s, nil
}

func (s *Server) config() Config {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg
}

// Listen binds the configured address.
func (s *Server) Listen() (net.Listener, error) { return listen(s.config().Addr) }

func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("rpc: listen: %w", err)
	}
	return ln, nil
}

// Serve serves plain-text clients on ln until Close.
func (s *Server) Serve(ln net.Listener) error {
	if !s.register(&s.ln, ln) {
		return ln.Close()
	}
	return s.acceptLoop(guardListener{Listener: ln, srv: s}, false)
}

// register records ln in *slot, unless the server is closing.
func (s *Server) register(slot *net.Listener, ln net.Listener) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	*slot = ln
	return true
}

func (s *Server) isClosing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing
}

// Addr returns the listening address, once serving.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// Close stops accepting and closes every client connection.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closing = true
	lns := []net.Listener{s.ln, s.tlsLn}
	conns := make([]net.Conn, 0, len(s.clients))
	for _, c := range s.clients {
		conns = append(conns, c.nc)
	}
	s.mu.Unlock()
	var err error
	for _, ln := range lns {
		if ln != nil {
			err = errors.Join(err, ln.Close())
		}
	}
	for _, nc := range conns {
		nc.Close()
	}
	return err
}

// accept registers a new connection's client, or refuses it (nil) beyond
// maxclients or once the server is closing.
func (s *Server) accept(nc net.Conn) *client {
	s.mu.Lock()
	closing, full := s.closing, len(s.clients) >= s.cfg.MaxClients
	deny := !full && denied(&s.cfg, nc.RemoteAddr())
	var c *client
	if !closing && !full && !deny {
		c = newClient(s, nc)
		s.clients[c.id] = c
	}
	s.mu.Unlock()
	switch {
	case closing:
		nc.Close()
	case full:
		s.stats.rejected.Add(1)
		nc.Write([]byte("-ERR max number of clients reached\r\n"))
		nc.Close()
	case deny:
		s.stats.rejected.Add(1)
		nc.Write([]byte(errDenied))
		nc.Close()
	default:
		s.stats.connections.Add(1)
	}
	return c
}

func (s *Server) closed(c *client, err error) {
	if _, proto := err.(errGuard); proto {
		s.log.Info("closed client after protocol error", "client", c.id, "addr", c.addr, "error", err)
	}
	s.mu.Lock()
	delete(s.clients, c.id)
	s.mu.Unlock()
}

// seed draws the seed of a command's deterministic random source.
func (s *Server) seed() uint64 {
	s.seedMu.Lock()
	defer s.seedMu.Unlock()
	return s.seedRand.Uint64()
}
