// Package rpc is everything that crosses a socket. This file and its
// siblings hold the client-facing RESP server: tidwall/redcon for
// connections and pipelining, one command table for dispatch and COMMAND.
package rpc

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tidwall/redcon"

	"github.com/ember-node/ember-node/shard/command"
)

// Version is the Redis version ember-node reports, the one whose
// behaviour it implements (clients pick features by it).
const Version = "7.0.15"

// Server serves RESP clients from a Store.
type Server struct {
	store    Store
	async    AsyncStore  // store, when it supports writes in flight
	guard    MemoryGuard // store, when it enforces maxmemory
	cluster  bool        // Config.Cluster, fixed at start
	table    *command.Table
	connCmds map[string]*connSpec
	log      *slog.Logger
	started  time.Time

	mu      sync.Mutex
	cfg     Config
	clients map[int64]*client
	rc      *redcon.Server
	ln      net.Listener

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
	netIn       atomic.Int64
}

// NewServer returns a server over store; Serve starts it.
func NewServer(cfg Config, store Store, table *command.Table, log *slog.Logger) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	s := &Server{
		store:    store,
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
	s.async, _ = store.(AsyncStore)
	s.guard, _ = store.(MemoryGuard)
	s.setMaxMemory(cfg)
	s.cluster = cfg.Cluster
	return s, nil
}

func (s *Server) config() Config {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg
}

// Listen binds the configured address.
func (s *Server) Listen() (net.Listener, error) {
	ln, err := net.Listen("tcp", s.config().Addr)
	if err != nil {
		return nil, fmt.Errorf("rpc: listen: %w", err)
	}
	return ln, nil
}

// Serve serves clients on ln until Close.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	s.ln = ln
	s.mu.Unlock()
	rc := redcon.NewServerNetwork("tcp", "", s.handle, s.accept, s.closed)
	s.mu.Lock()
	s.rc = rc
	s.mu.Unlock()
	return rc.Serve(guardListener{Listener: ln, srv: s})
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
	rc, ln := s.rc, s.ln
	s.mu.Unlock()
	if rc != nil {
		return rc.Close()
	}
	if ln != nil {
		return ln.Close()
	}
	return nil
}

func (s *Server) accept(conn redcon.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.clients) >= s.cfg.MaxClients {
		s.stats.rejected.Add(1)
		conn.WriteError("ERR max number of clients reached")
		return false
	}
	c := newClient(s, conn)
	s.clients[c.id] = c
	conn.SetContext(c)
	s.stats.connections.Add(1)
	return true
}

func (s *Server) closed(conn redcon.Conn, err error) {
	c, ok := conn.Context().(*client)
	if !ok {
		return
	}
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
