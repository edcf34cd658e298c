package server

import (
	"crypto/subtle"
	"strconv"
	"strings"
	"time"

	"github.com/ember-node/ember-node/shard/command"
	"github.com/ember-node/ember-node/shard/store"
)

// connCommands returns the commands the server answers itself.
func connCommands() map[string]*connSpec {
	f := command.Fast
	specs := []*connSpec{
		{command.Spec{Name: "ping", Arity: -1, Flags: f, Group: "connection", Summary: "Returns the server's liveliness response."}, pingCmd},
		{command.Spec{Name: "echo", Arity: 2, Flags: f, Group: "connection", Summary: "Returns the given string."}, echoCmd},
		{command.Spec{Name: "hello", Arity: -1, Flags: command.NoAuth | f | command.Noscript | command.Loading | command.Stale, Group: "connection", Summary: "Handshakes with the Redis server."}, helloCmd},
		{command.Spec{Name: "auth", Arity: -2, Flags: command.NoAuth | f | command.Noscript | command.Loading | command.Stale, Group: "connection", Summary: "Authenticates the connection."}, authCmd},
		{command.Spec{Name: "select", Arity: 2, Flags: f | command.Loading | command.Stale, Group: "connection", Summary: "Changes the selected database."}, selectCmd},
		{command.Spec{Name: "quit", Arity: -1, Flags: command.NoAuth | f | command.Noscript | command.Loading | command.Stale, Group: "connection", Summary: "Closes the connection."}, quitCmd},
		{command.Spec{Name: "time", Arity: 1, Flags: f | command.Loading | command.Stale, Group: "server", Summary: "Returns the server time."}, timeCmd},
		{command.Spec{Name: "save", Arity: 1, Flags: command.Admin | command.Noscript | command.NoMulti, Group: "server", Summary: "Synchronously takes a snapshot of every shard."}, saveCmd},
		{command.Spec{Name: "bgsave", Arity: -1, Flags: command.Admin | command.Noscript, Group: "server", Summary: "Takes a snapshot of every shard in the background."}, bgsaveCmd},
		{command.Spec{Name: "lastsave", Arity: 1, Flags: f | command.Loading | command.Stale, Group: "server", Summary: "Returns the Unix timestamp of the last successful save to disk."}, lastsaveCmd},
		{command.Spec{Name: "multi", Arity: 1, Flags: f | command.Noscript | command.Loading | command.Stale, Group: "transactions", Summary: "Starts a transaction."}, multiCmd},
		{command.Spec{Name: "exec", Arity: 1, Flags: command.Noscript | command.Loading | command.Stale, Group: "transactions", Summary: "Executes all commands in a transaction."}, execCmd},
		{command.Spec{Name: "discard", Arity: 1, Flags: f | command.Noscript | command.Loading | command.Stale, Group: "transactions", Summary: "Discards a transaction."}, discardCmd},
		{command.Spec{Name: "watch", Arity: -2, Flags: f | command.Noscript | command.Loading | command.Stale, First: 1, Last: -1, Step: 1, Group: "transactions", Summary: "Monitors changes to keys to determine the execution of a transaction."}, watchCmd},
		{command.Spec{Name: "unwatch", Arity: 1, Flags: f | command.Noscript | command.Loading | command.Stale, Group: "transactions", Summary: "Forgets about watched keys of a transaction."}, unwatchCmd},
		{command.Spec{Name: "client", Arity: -2, Flags: command.Noscript | command.Loading | command.Stale, Group: "connection", Summary: "A container for client connection commands."}, clientCmd},
		{command.Spec{Name: "info", Arity: -1, Flags: command.Loading | command.Stale, Group: "server", Summary: "Returns information and statistics about the server."}, infoCmd},
		{command.Spec{Name: "command", Arity: -1, Flags: command.Loading | command.Stale, Group: "server", Summary: "Returns detailed information about all commands."}, commandCmd},
		{command.Spec{Name: "cluster", Arity: -2, Flags: command.Loading | command.Stale, Group: "cluster", Summary: "A container for Redis Cluster commands."}, clusterCmd},
		{command.Spec{Name: "readonly", Arity: 1, Flags: command.Fast | command.Loading | command.Stale, Group: "cluster", Summary: "Enables read-only queries for a connection to a Redis Cluster replica node."}, readonlyCmd},
		{command.Spec{Name: "readwrite", Arity: 1, Flags: command.Fast | command.Loading | command.Stale, Group: "cluster", Summary: "Enables read-write queries for a connection to a Reids Cluster replica node."}, readwriteCmd},
		{command.Spec{Name: "asking", Arity: 1, Flags: command.Fast, Group: "cluster", Summary: "Signals that a cluster client is following an -ASK redirect."}, askingCmd},
		{command.Spec{Name: "config", Arity: -2, Flags: command.Admin | command.Noscript | command.Loading | command.Stale, Group: "server", Summary: "A container for server configuration commands."}, configCmd},
	}
	m := make(map[string]*connSpec, len(specs))
	for _, s := range specs {
		if _, dup := m[s.Name]; dup {
			panic("rpc: duplicate command " + s.Name)
		}
		m[s.Name] = s
	}
	return m
}

func pingCmd(c *client, argv [][]byte) {
	switch len(argv) {
	case 1:
		c.w.Simple("PONG")
	case 2:
		c.w.Bulk(argv[1])
	default:
		c.w.Error(command.ArityError("ping"))
	}
}

func echoCmd(c *client, argv [][]byte) { c.w.Bulk(argv[1]) }

func selectCmd(c *client, argv [][]byte) {
	db, ok := command.ParseInt(argv[1])
	switch {
	case !ok:
		c.w.Error(command.ErrNotInt)
	case db < -2147483648 || db > 2147483647:
		c.w.Error("ERR value is out of range, value must between -2147483648 and 2147483647")
	case db != 0:
		c.w.Error("ERR DB index is out of range")
	default:
		c.w.Simple("OK")
	}
}

// quitCmd replies; the connection closes once the reply is written, and
// nothing after QUIT in the pipeline runs (Redis's close-after-reply).
func quitCmd(c *client, _ [][]byte) {
	c.w.Simple("OK")
	c.quit = true
}

func timeCmd(c *client, _ [][]byte) {
	now := time.Now()
	c.w.Array(2)
	c.w.BulkString(strconv.FormatInt(now.Unix(), 10))
	c.w.BulkString(strconv.FormatInt(int64(now.Nanosecond()/1000), 10))
}

// saveCmd snapshots every shard group: the Raft snapshot is the RDB file
// of ember-node.
func saveCmd(c *client, _ [][]byte) {
	sn, ok := c.srv.store.(store.Snapshotter)
	if !ok {
		c.w.Simple("OK")
		return
	}
	if err := sn.Snapshot(); err != nil {
		c.w.Error(store.Reply(err, -1, nil))
		return
	}
	c.srv.lastSave.Store(time.Now().Unix())
	c.w.Simple("OK")
}

func bgsaveCmd(c *client, argv [][]byte) {
	if len(argv) > 2 || len(argv) == 2 && !command.Eq(argv[1], "SCHEDULE") {
		c.w.Error(command.ErrSyntax)
		return
	}
	if sn, ok := c.srv.store.(store.Snapshotter); ok {
		srv := c.srv
		go func() {
			if err := sn.Snapshot(); err != nil {
				srv.log.Error("background snapshot failed", "error", err)
				return
			}
			srv.lastSave.Store(time.Now().Unix())
		}()
	}
	c.w.Simple("Background saving started")
}

func lastsaveCmd(c *client, _ [][]byte) { c.w.Int(c.srv.lastSave.Load()) }

func authCmd(c *client, argv [][]byte) {
	if len(argv) > 3 {
		c.w.Error(command.ErrSyntax)
		return
	}
	pass := c.srv.config().RequirePass
	if pass == "" && len(argv) == 2 {
		c.w.Error("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?")
		return
	}
	if !c.checkAuth(argv[1:]) {
		c.w.Error("WRONGPASS invalid username-password pair or user is disabled.")
		return
	}
	c.w.Simple("OK")
}

// checkAuth checks [username] password against the default user.
func (c *client) checkAuth(cred [][]byte) bool {
	user, pass := []byte("default"), cred[0]
	if len(cred) == 2 {
		user, pass = cred[0], cred[1]
	}
	want := c.srv.config().RequirePass
	ok := string(user) == "default" && (want == "" ||
		subtle.ConstantTimeCompare(pass, []byte(want)) == 1)
	if !ok {
		c.authFailed()
		return false
	}
	c.authed.Store(true)
	c.authFails = 0
	return true
}

func helloCmd(c *client, argv [][]byte) {
	proto := c.w.Proto
	i := 1
	if len(argv) > 1 {
		v, ok := command.ParseInt(argv[1])
		if !ok {
			c.w.Error("ERR Protocol version is not an integer or out of range")
			return
		}
		if v != 2 && v != 3 {
			c.w.Error("NOPROTO unsupported protocol version")
			return
		}
		proto, i = int(v), 2
	}
	var name []byte
	for ; i < len(argv); i++ {
		more := len(argv) - i - 1
		switch {
		case command.Eq(argv[i], "AUTH") && more >= 2:
			if !c.checkAuth(argv[i+1 : i+3]) {
				c.w.Error("WRONGPASS invalid username-password pair or user is disabled.")
				return
			}
			i += 2
		case command.Eq(argv[i], "SETNAME") && more >= 1:
			if msg := validName(argv[i+1]); msg != "" {
				c.w.Error(msg)
				return
			}
			name = argv[i+1]
			i++
		default:
			c.w.Error("ERR Syntax error in HELLO option '" + string(argv[i]) + "'")
			return
		}
	}
	if !c.authed.Load() {
		c.w.Error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time")
		return
	}
	if name != nil {
		c.setName(string(name))
	}
	c.w.Proto = proto
	c.proto.Store(int32(proto))
	c.helloReply()
}

func (c *client) helloReply() {
	w := &c.w
	w.Map(7)
	w.BulkString("server")
	w.BulkString("redis")
	w.BulkString("version")
	w.BulkString(Version)
	w.BulkString("proto")
	w.Int(int64(w.Proto))
	w.BulkString("id")
	w.Int(c.id)
	w.BulkString("mode")
	w.BulkString(c.srv.mode())
	w.BulkString("role")
	w.BulkString("master")
	w.BulkString("modules")
	w.Array(0)
}

func (s *Server) mode() string {
	if s.cluster {
		return "cluster"
	}
	return "standalone"
}

// readonlyCmd lets the connection read from replicas, possibly stale, as
// Redis Cluster's READONLY does.
func readonlyCmd(c *client, _ [][]byte) {
	c.readonly = true
	c.w.Simple("OK")
}

func readwriteCmd(c *client, _ [][]byte) {
	c.readonly = false
	c.w.Simple("OK")
}

// askingCmd is accepted for clients following -ASK; ember-node moves
// slots inside Raft groups and never answers -ASK.
func askingCmd(c *client, _ [][]byte) { c.w.Simple("OK") }

// validName applies Redis's rule for client names: no spaces, newlines or
// special characters.
func validName(n []byte) string {
	for _, ch := range n {
		if ch < '!' || ch > '~' {
			return "ERR Client names cannot contain spaces, newlines or special characters."
		}
	}
	return ""
}

func (c *client) setName(n string) {
	c.srv.mu.Lock()
	c.name = n
	c.srv.mu.Unlock()
}

// lowerASCII lower-cases a subcommand name for lookups.
func lowerASCII(b []byte) string { return strings.ToLower(string(b)) }

func nowMs() int64 { return time.Now().UnixMilli() }
