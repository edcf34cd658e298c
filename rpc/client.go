package rpc

import (
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/tidwall/redcon"

	"github.com/ember-node/ember-node/persistence"
	"github.com/ember-node/ember-node/rpc/resp"
	"github.com/ember-node/ember-node/shard"
	"github.com/ember-node/ember-node/shard/command"
)

// client is one connection's state. redcon calls the handler of one
// connection from one goroutine, so it needs no lock, except for the
// fields CLIENT LIST reads from other connections (under Server.mu).
type client struct {
	srv    *Server
	conn   redcon.Conn
	id     int64
	addr   string
	laddr  string
	w      resp.Writer
	authed atomic.Bool // the guard reads it too (guardLimits.needAuth)

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

	arrived time.Time        // when the pipeline was read
	batch   []redcon.Command // the pipeline being run
	pending []pendingReply   // writes in flight, in order

	readonly bool // READONLY: reads may be served by a replica

	multi *multiState
	watch []watched
}

// maxKeptReplyBuf is the largest reply buffer a connection keeps between
// commands: a huge reply must not pin its buffer for the connection's life.
const maxKeptReplyBuf = 64 << 10

func newClient(s *Server, conn redcon.Conn) *client {
	now := time.Now()
	c := &client{
		srv:     s,
		conn:    conn,
		id:      s.nextID.Add(1),
		addr:    conn.RemoteAddr(),
		created: now,
		w:       resp.Writer{Proto: 2},
		rnd:     rand.New(rand.NewPCG(s.seed(), s.seed())),
	}
	c.read = c.runRead
	c.authed.Store(s.cfg.RequirePass == "")
	attachGuard(conn, &c.authed)
	c.lastCmd.Store(now.UnixNano())
	c.proto.Store(2)
	if nc := conn.NetConn(); nc != nil {
		c.laddr = nc.LocalAddr().String()
	}
	return c
}

// flush hands the command's reply to redcon, which writes it with the rest
// of the pipeline.
func (c *client) flush() {
	c.conn.WriteRaw(c.w.B)
	if cap(c.w.B) > maxKeptReplyBuf {
		c.w.B = nil
	} else {
		c.w.B = c.w.B[:0]
	}
}

// pendingReply is a write in flight and the slot it went to.
type pendingReply struct {
	wait func(w command.Writer) error
	slot int
}
