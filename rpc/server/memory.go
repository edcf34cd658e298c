package server

import (
	"github.com/ember-node/ember-node/shard"
	"github.com/ember-node/ember-node/shard/command"
	"github.com/ember-node/ember-node/shard/store"
)

// applyConfig hands the settings read on the hot path to where they are
// read: the maxmemory limit to a store that enforces it, the output
// buffer limits to the connections.
func (s *Server) applyConfig(cfg Config) {
	if s.guard != nil {
		s.guard.SetMaxMemory(cfg.MaxMemory, cfg.MaxMemoryPolicy)
	}
	s.obuf.Store(newObufLimits(cfg.OutputLimits[classNormal]))
}

// clientMemory is the memory of client buffers that counts in used_memory
// and toward maxmemory, as in Redis.
func (s *Server) clientMemory() int64 { return s.mem.out.Load() }

// admit runs the maxmemory check before a denyoom write, or before any
// command is queued in MULTI (Redis refuses to grow a transaction while
// out of memory). It writes the refusal and returns false when refused.
// slot is the command's first key's, or -1.
func (c *client) admit(slot int) bool {
	if c.srv.guard == nil {
		return true
	}
	err := c.srv.guard.Admit(slot)
	if err == nil {
		return true
	}
	c.drain()
	c.w.Error(store.Reply(err, -1, nil))
	return false
}

// admitExec runs the check for EXEC when a queued command is denyoom, and
// returns the refusal's text or "".
func (c *client) admitExec(m *multiState) string {
	if c.srv.guard == nil {
		return ""
	}
	slot, deny := -1, false
	for i, spec := range m.specs {
		deny = deny || spec.Flags&command.DenyOOM != 0
		if s := firstSlot(spec, m.argvs[i]); slot < 0 {
			slot = s
		}
	}
	if !deny {
		return ""
	}
	if err := c.srv.guard.Admit(slot); err != nil {
		return store.Reply(err, -1, nil)
	}
	return ""
}

// firstSlot returns the slot of argv's first key, or -1.
func firstSlot(spec *command.Spec, argv [][]byte) int {
	if spec.First > 0 && spec.First < len(argv) {
		return shard.KeySlot(argv[spec.First])
	}
	if pos := spec.KeyPositions(argv); len(pos) > 0 {
		return shard.KeySlot(argv[pos[0]])
	}
	return -1
}
