package server

import (
	"bytes"
	"time"

	"github.com/ember-node/ember-node/persistence"
	"github.com/ember-node/ember-node/rpc/resp"
	"github.com/ember-node/ember-node/shard"
	"github.com/ember-node/ember-node/shard/command"
)

// multiState is a transaction being queued.
type multiState struct {
	argvs  [][][]byte // copies: argv aliases the read buffer
	specs  []*command.Spec
	failed bool // a queued command was rejected: EXEC aborts
}

// watched is one WATCHed key.
type watched = command.Watch

// multiControl names the commands that run at once inside MULTI.
func multiControl(name string) bool {
	switch name {
	case "exec", "discard", "multi", "watch", "quit", "reset":
		return true
	}
	return false
}

func (c *client) rejectInMulti() {
	if c.multi != nil {
		c.multi.failed = true
	}
}

func (c *client) queue(spec *command.Spec, argv [][]byte) {
	cp := make([][]byte, len(argv))
	for i, a := range argv {
		cp[i] = bytes.Clone(a)
	}
	c.multi.argvs = append(c.multi.argvs, cp)
	c.multi.specs = append(c.multi.specs, spec)
	c.w.Simple("QUEUED")
}

// crossSlot reports whether the queued commands' keys span slots: a
// transaction runs in one shard's log.
func (m *multiState) crossSlot(watch []watched) bool {
	slot := -1
	for _, w := range watch {
		if slot >= 0 && w.Slot != slot {
			return true
		}
		slot = w.Slot
	}
	for i, argv := range m.argvs {
		for _, p := range m.specs[i].KeyPositions(argv) {
			s := shard.KeySlot(argv[p])
			if slot >= 0 && s != slot {
				return true
			}
			slot = s
		}
	}
	return false
}

func multiCmd(c *client, _ [][]byte) {
	if c.multi != nil {
		c.w.Error("ERR MULTI calls can not be nested")
		return
	}
	c.multi = &multiState{}
	c.w.Simple("OK")
}

func discardCmd(c *client, _ [][]byte) {
	if c.multi == nil {
		c.w.Error("ERR DISCARD without MULTI")
		return
	}
	c.multi, c.watch = nil, nil
	c.w.Simple("OK")
}

func watchCmd(c *client, argv [][]byte) {
	if c.multi != nil {
		c.w.Error("ERR WATCH inside MULTI is not allowed")
		return
	}
	for _, key := range argv[1:] {
		slot := shard.KeySlot(key)
		w := watched{Slot: slot}
		err := c.srv.store.Read(slot, time.Now(), func(ks *shard.Keyspace, now int64) {
			w.Version = ks.SlotVersion(slot)
			if o := ks.Peek(key); o != nil && !o.Expired(now) {
				w.ExpireAt = o.ExpireAt
			}
		})
		if err != nil {
			c.w.Error(c.reply(slot, err))
			return
		}
		c.watch = append(c.watch, w)
	}
	c.w.Simple("OK")
}

func unwatchCmd(c *client, _ [][]byte) {
	c.watch = nil
	c.w.Simple("OK")
}

// execCmd replicates the whole transaction as one record, so it applies
// atomically on every replica, with the WATCHed versions checked inside.
func execCmd(c *client, _ [][]byte) {
	m := c.multi
	if m == nil {
		c.w.Error("ERR EXEC without MULTI")
		return
	}
	c.multi = nil
	watch := c.watch
	c.watch = nil
	if msg := c.admitExec(m); msg != "" {
		c.w.Error("EXECABORT Transaction discarded because of: " + msg)
		return
	}
	if m.failed {
		c.w.Error("EXECABORT Transaction discarded because of previous errors.")
		return
	}
	if c.srv.cluster && m.crossSlot(watch) {
		c.w.Error(ErrCrossSlot)
		return
	}
	rec, slot := c.execRecord(m, watch)
	if err := c.srv.store.Write(slot, &rec, &c.w); err != nil {
		// A slot that moved since the commands were queued: MOVED, as
		// Redis Cluster answers EXEC then (the transaction is gone).
		c.w.Error(c.reply(slot, err))
	}
}

// execRecord builds the EXEC record: the watch list, then one entry per
// queued command. Writes are prepared here, on the leader; commands the
// server answers itself are answered now and carried as their reply.
func (c *client) execRecord(m *multiState, watch []watched) (persistence.Record, int) {
	ctx := command.Ctx{Now: nowMs(), Seed: c.rnd.Uint64(), W: &c.w}
	rec := persistence.NewExec(ctx.Now, ctx.Seed, c.w.Resp3(), command.EncodeWatch(watch))
	slot := -1
	for i, argv := range m.argvs {
		spec := m.specs[i]
		if pos := spec.KeyPositions(argv); len(pos) > 0 && slot < 0 {
			slot = shard.KeySlot(argv[pos[0]])
		}
		if cs := c.srv.connCmds[spec.Name]; cs != nil && c.srv.table.Lookup([]byte(spec.Name)) == nil {
			rec.Args = append(rec.Args, command.ExecReplyEntry(c.answerNow(cs, argv)))
			continue
		}
		if spec.Flags&command.Write != 0 && spec.Prepare != nil {
			out, err := spec.Prepare(&ctx, argv)
			if err != nil {
				rec.Args = append(rec.Args, command.ExecFailedEntry(command.AsReply(err)))
				continue
			}
			argv = out
		}
		rec.Args = append(rec.Args, command.ExecEntry(argv))
	}
	return rec, slot
}

// answerNow runs a server command inside EXEC into its own buffer.
func (c *client) answerNow(cs *connSpec, argv [][]byte) []byte {
	saved := c.w
	c.w = resp.Writer{Proto: saved.Proto}
	cs.run(c, argv)
	out := c.w.B
	saved.Proto = c.w.Proto
	c.w = saved
	return out
}
