package server

import (
	"math/rand/v2"
	"net"
	"sync/atomic"
	"time"

	"github.com/ember-node/ember-node/persistence"
	"github.com/ember-node/ember-node/rpc/resp"
	"github.com/ember-node/ember-node/shard"
	"github.com/ember-node/ember-node/shard/command"
)

// client is one connection's state. One goroutine serves a connection
// (conn.go), so it needs no lock, except for the fields CLIENT LIST reads
// from other connections (under Server.mu).
type client struct {
	srv    *Server
	nc     net.Conn // the guard around the socket
	rd     reqReader
	quit   bool // QUIT: close once its reply is written
	id     int64
	addr   string
	laddr  string
	w      resp.Writer
	authed atomic.Bool // the guard reads it too (guardLimits.needAuth)
	tls    bool        // came in on the TLS port: is told TLS addresses

	rnd *rand.Rand // seeds of commands' deterministic random sources

	// Read by CLIENT LIST on other connections: name under srv.mu, the
	// rest atomic, so the command path takes no shared lock.
	name     string
	created  time.Time
	lastCmd  atomic.Int64 // unix ns
	lastSpec atomic.Pointer[command.Spec]
	proto    atomic.Int32

	// The command being run, for runRead (bound once as read).
	ctx  command.Ctx
	argv [][]byte
	read func(ks *shard.Keyspace, now int64)
	rec  persistence.Record

	arrived time.Time      // when the pipeline was read
	cmds    []parsedCmd    // the pipeline being run
	keys    [][]byte       // its keys, for prefetch
	pending []pendingReply // writes in flight, in order

	readonly  bool // READONLY: reads may be served by a replica
	authFails uint // failed AUTHs since the last success (protect.go)

	// Output buffer limits (obuf.go), loaded once per pipeline.
	lim       *obufLimits
	outCheck  int       // reply bytes at which a command's end is checked
	softSince time.Time // when the soft limit was first met, or zero

	multi *multiState
	watch []watched
}

// maxKeptReplyBuf is the largest reply buffer a connection keeps between
// commands: a huge reply must not pin its buffer for the connection's life.
const maxKeptReplyBuf = 64 << 10

func newClient(s *Server, nc net.Conn) *client {
	now := time.Now()
	c := &client{
		srv:     s,
		nc:      nc,
		id:      s.nextID.Add(1),
		addr:    nc.RemoteAddr().String(),
		laddr:   nc.LocalAddr().String(),
		created: now,
		w:       resp.Writer{Proto: 2},
		rnd:     rand.New(rand.NewPCG(s.seed(), s.seed())),
	}
	c.read = c.runRead
	c.startPipeline()
	c.authed.Store(s.cfg.RequirePass == "")
	attachGuard(nc, &c.authed)
	c.lastCmd.Store(now.UnixNano())
	c.proto.Store(2)
	return c
}

// pendingReply is a write in flight and the slot it went to.
type pendingReply struct {
	wait func(w command.Writer) error
	slot int
}
