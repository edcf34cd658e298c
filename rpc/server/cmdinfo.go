package server

import (
	"slices"

	"github.com/ember-node/ember-node/shard/command"
)

// allSpecs returns every command the server knows, sorted by name.
func (s *Server) allSpecs() []*command.Spec {
	out := slices.Clone(s.table.All())
	for _, cs := range s.connCmds {
		out = append(out, &cs.Spec)
	}
	slices.SortFunc(out, func(a, b *command.Spec) int {
		switch {
		case a.Name < b.Name:
			return -1
		case a.Name > b.Name:
			return 1
		}
		return 0
	})
	return out
}

func commandCmd(c *client, argv [][]byte) {
	if len(argv) == 1 {
		specs := c.srv.allSpecs()
		c.w.Array(len(specs))
		for _, s := range specs {
			commandInfo(c, s)
		}
		return
	}
	sub := lowerASCII(argv[1])
	switch sub {
	case "count":
		c.w.Int(int64(len(c.srv.allSpecs())))
	case "list":
		specs := c.srv.allSpecs()
		c.w.Array(len(specs))
		for _, s := range specs {
			c.w.BulkString(s.Name)
		}
	case "info":
		names := argv[2:]
		if len(names) == 0 {
			commandCmd(c, argv[:1])
			return
		}
		c.w.Array(len(names))
		for _, n := range names {
			if s, _ := c.srv.lookup(n); s != nil {
				commandInfo(c, s)
			} else {
				c.w.NullArray()
			}
		}
	case "docs":
		c.commandDocs(argv[2:])
	case "getkeys":
		c.commandGetKeys(argv[2:])
	default:
		c.w.Error(unknownSubcommand(argv[1], "COMMAND"))
	}
}

// commandInfo writes the 10-field reply of Redis 7's COMMAND INFO.
func commandInfo(c *client, s *command.Spec) {
	w := &c.w
	w.Array(10)
	w.BulkString(s.Name)
	w.Int(int64(s.Arity))
	flags := s.Flags.Names()
	if s.Keys != nil {
		flags = append(flags, "movablekeys")
	}
	w.Set(len(flags))
	for _, f := range flags {
		w.Simple(f)
	}
	w.Int(int64(s.First))
	w.Int(int64(s.Last))
	w.Int(int64(s.Step))
	cats := aclCategories(s)
	w.Set(len(cats))
	for _, cat := range cats {
		w.Simple(cat)
	}
	w.Set(0)   // tips
	w.Array(0) // key specifications: first/last/step describe our keys
	w.Array(0) // subcommands
}

func aclCategories(s *command.Spec) []string {
	var out []string
	switch {
	case s.Flags&command.Write != 0:
		out = append(out, "@write")
	case s.Flags&command.ReadOnly != 0:
		out = append(out, "@read")
	}
	if s.Flags&command.Fast != 0 {
		out = append(out, "@fast")
	} else {
		out = append(out, "@slow")
	}
	switch s.Group {
	case "string", "list", "hash", "set", "connection", "transactions":
		out = append(out, "@"+s.Group)
	case "sorted-set", "sorted_set", "zset":
		out = append(out, "@sortedset")
	case "generic", "keyspace":
		out = append(out, "@keyspace")
	}
	if s.Flags&command.Admin != 0 {
		out = append(out, "@admin", "@dangerous")
	}
	return out
}

func (c *client) commandDocs(names [][]byte) {
	var specs []*command.Spec
	if len(names) == 0 {
		specs = c.srv.allSpecs()
	} else {
		for _, n := range names {
			if s, _ := c.srv.lookup(n); s != nil {
				specs = append(specs, s)
			}
		}
	}
	c.w.Map(len(specs))
	for _, s := range specs {
		c.w.BulkString(s.Name)
		c.w.Map(3)
		c.w.BulkString("summary")
		c.w.BulkString(s.Summary)
		c.w.BulkString("since")
		c.w.BulkString("1.0.0")
		c.w.BulkString("group")
		c.w.BulkString(s.Group)
	}
}

func (c *client) commandGetKeys(argv [][]byte) {
	if len(argv) == 0 {
		c.w.Error(command.ArityError("command|getkeys"))
		return
	}
	s, _ := c.srv.lookup(argv[0])
	switch {
	case s == nil:
		c.w.Error("ERR Invalid command specified")
		return
	case !s.CheckArity(len(argv)):
		c.w.Error("ERR Invalid number of arguments specified for command")
		return
	}
	pos := s.KeyPositions(argv)
	if len(pos) == 0 {
		c.w.Error("ERR The command has no key arguments")
		return
	}
	c.w.Array(len(pos))
	for _, p := range pos {
		c.w.Bulk(argv[p])
	}
}
