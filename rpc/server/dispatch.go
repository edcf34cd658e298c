package server

import (
	"errors"
	"strings"

	"github.com/ember-node/ember-node/persistence"
	"github.com/ember-node/ember-node/shard"
	"github.com/ember-node/ember-node/shard/command"
	"github.com/ember-node/ember-node/shard/store"
)

// connSpec is a command the server itself answers (connection state,
// server information, transactions) rather than a keyspace.
type connSpec struct {
	command.Spec
	run func(c *client, argv [][]byte)
}

// dispatch runs one command. Replies must leave in command order, so any
// command that replies at once first waits for the writes still in flight
// (drain); only a write that goes to Raft asynchronously skips that.
// spec and cs are what lookup found for argv[0].
func (c *client) dispatch(argv [][]byte, spec *command.Spec, cs *connSpec) {
	if msg := c.check(spec, argv); msg != "" {
		c.drain()
		c.rejectInMulti()
		if spec != nil && spec.Name == "exec" {
			// Redis aborts the transaction when EXEC itself is rejected.
			c.multi, c.watch = nil, nil
			msg = "EXECABORT Transaction discarded because of: " + strings.TrimPrefix(msg, "ERR ")
		}
		c.w.Error(msg)
		return
	}
	// The time now, not the pipeline's arrival: a command may wait behind
	// a slow one or a Raft round in the same pipeline, and a record's time
	// is "now" for expiry on every replica.
	now := store.NowFrom(c.arrived)
	c.lastCmd.Store(now.UnixNano())
	c.lastSpec.Store(spec)
	if c.multi != nil && !multiControl(spec.Name) {
		c.drain()
		slot := firstSlot(spec, argv)
		if moved := c.movedFrom(slot); moved != "" {
			// Redis Cluster redirects before queueing and flags the
			// transaction: EXEC then aborts.
			c.rejectInMulti()
			c.w.Error(moved)
			return
		}
		if !c.admit(slot) {
			c.rejectInMulti()
			return
		}
		c.queue(spec, argv)
		return
	}
	if cs != nil {
		c.drain()
		cs.run(c, argv)
		return
	}
	c.execute(spec, argv, now.UnixMilli())
}

// check returns the error a command gets before it runs, or "".
func (c *client) check(spec *command.Spec, argv [][]byte) string {
	switch {
	case spec == nil:
		return unknownCommand(argv)
	case !spec.CheckArity(len(argv)): // before auth, as in Redis 7
		return command.ArityError(spec.Name)
	case !c.authed.Load() && spec.Flags&command.NoAuth == 0:
		return "NOAUTH Authentication required."
	case c.srv.cluster && crossSlot(spec, argv):
		return ErrCrossSlot
	}
	return ""
}

// ErrCrossSlot is Redis Cluster's refusal of a multi-key command whose
// keys live in different slots: no atomic operation spans shards.
const ErrCrossSlot = "CROSSSLOT Keys in request don't hash to the same slot"

func crossSlot(spec *command.Spec, argv [][]byte) bool {
	pos := spec.KeyPositions(argv)
	if len(pos) < 2 {
		return false
	}
	first := shard.KeySlot(argv[pos[0]])
	for _, p := range pos[1:] {
		if shard.KeySlot(argv[p]) != first {
			return true
		}
	}
	return false
}

// drain waits for the connection's writes in flight, writing their replies
// in order.
func (c *client) drain() {
	for i, p := range c.pending {
		if err := p.wait(&c.w); err != nil {
			c.w.Error(c.reply(p.slot, err))
		}
		c.pending[i] = pendingReply{}
	}
	c.pending = c.pending[:0]
}

// lookup finds a command in the keyspace table or the server's own.
func (s *Server) lookup(name []byte) (*command.Spec, *connSpec) {
	if spec := s.table.Lookup(name); spec != nil {
		return spec, nil
	}
	var buf [32]byte
	if len(name) > len(buf) {
		return nil, nil
	}
	for i, ch := range name {
		if ch >= 'A' && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		buf[i] = ch
	}
	if cs := s.connCmds[string(buf[:len(name)])]; cs != nil {
		return &cs.Spec, cs
	}
	return nil, nil
}

// execute runs a keyspace command: a read against its shard, a write as
// a record through the store.
func (c *client) execute(spec *command.Spec, argv [][]byte, now int64) {
	s := c.srv
	slot := firstSlot(spec, argv)
	c.ctx = command.Ctx{Now: now, Seed: c.rnd.Uint64(), W: &c.w, Spec: spec}
	if spec.Flags&command.Write == 0 {
		c.drain()
		if spec.Flags&command.AllShards != 0 {
			c.ctx.Shards = s.store
			command.Run(&c.ctx, spec, argv)
			return
		}
		c.argv = argv
		err := s.store.Read(slot, c.arrived, c.read)
		if c.readonly && errors.Is(err, store.ErrNotLeader) {
			if sr, ok := s.store.(store.StaleReader); ok {
				err = sr.ReadStale(slot, c.read)
			}
		}
		c.argv = nil
		if err != nil {
			c.w.Error(c.reply(slot, err))
		}
		return
	}
	if spec.Flags&command.DenyOOM != 0 && !c.admit(slot) {
		return
	}
	if s.async != nil && slot >= 0 {
		if !c.prepare(&c.ctx, spec, argv) {
			return
		}
		c.pending = append(c.pending, pendingReply{s.async.Propose(slot, &c.rec), slot})
		c.rec.Args = nil
		return
	}
	c.drain()
	if !c.prepare(&c.ctx, spec, argv) {
		return
	}
	err := s.store.Write(slot, &c.rec, &c.w)
	c.rec.Args = nil
	if err != nil {
		c.w.Error(c.reply(slot, err))
	}
}

// read runs the pending read command on ks. It is a method value bound
// once per connection, so a read allocates no closure.
func (c *client) runRead(ks *shard.Keyspace, now int64) {
	c.ctx.KS, c.ctx.Now = ks, now
	command.Run(&c.ctx, c.ctx.Spec, c.argv)
}

// prepare turns a write into its record, or writes the error reply.
// It fills c.rec, reused by every write of the connection.
func (c *client) prepare(ctx *command.Ctx, spec *command.Spec, argv [][]byte) bool {
	if spec.Prepare != nil {
		out, err := spec.Prepare(ctx, argv)
		if err != nil {
			c.drain()
			c.w.Error(command.AsReply(err))
			return false
		}
		argv = out
	}
	c.rec = persistence.NewCommand(ctx.Now, ctx.Seed, argv)
	if c.w.Resp3() {
		c.rec.Flags |= persistence.FlagResp3
	}
	return true
}

// unknownCommand words the error as Redis does, quoting up to 128 bytes of
// the arguments.
func unknownCommand(argv [][]byte) string {
	name := command.CString(argv[0])
	if len(name) > 128 {
		name = name[:128]
	}
	msg := "ERR unknown command '" + name + "', with args beginning with: "
	args := 0
	for _, a := range argv[1:] {
		if args >= 128 {
			break
		}
		s := command.CString(a)
		if len(s) > 128-args {
			s = s[:128-args]
		}
		msg += "'" + s + "' "
		args += len(s) + 3
	}
	return msg
}

// prefetch hands the first keys of a pipeline's commands to the store,
// when it can use them and there is more than one.
func (c *client) prefetch(cmds []parsedCmd) {
	p := c.srv.prefetcher
	if p == nil || len(cmds) < 2 {
		return
	}
	keys := c.keys[:0]
	for _, cmd := range cmds {
		if spec := cmd.spec; spec != nil && cmd.cs == nil && spec.First > 0 && spec.First < len(cmd.argv) {
			keys = append(keys, cmd.argv[spec.First])
		}
	}
	if len(keys) > 1 {
		p.Prefetch(keys)
	}
	clear(keys)
	c.keys = keys[:0]
}
