package server

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ember-node/ember-node/shard/command"
)

func unknownSubcommand(sub []byte, container string) string {
	return "ERR unknown subcommand '" + command.CString(sub) + "'. Try " + container + " HELP."
}

func subArityError(container string, sub []byte) string {
	return command.ArityError(container + "|" + lowerASCII(sub))
}

func clientCmd(c *client, argv [][]byte) {
	sub := lowerASCII(argv[1])
	n := len(argv)
	switch {
	case sub == "id" && n == 2:
		c.w.Int(c.id)
	case sub == "getname" && n == 2:
		c.srv.mu.Lock()
		name := c.name
		c.srv.mu.Unlock()
		if name == "" {
			c.w.Null()
		} else {
			c.w.BulkString(name)
		}
	case sub == "setname" && n == 3:
		if msg := validName(argv[2]); msg != "" {
			c.w.Error(msg)
			return
		}
		c.setName(string(argv[2]))
		c.w.Simple("OK")
	case sub == "setinfo" && n == 4:
		c.w.Simple("OK")
	case sub == "info" && n == 2:
		c.w.Verbatim(c.srv.clientLine(c) + "\n")
	case sub == "list":
		c.clientList(argv[2:])
	case sub == "help":
		c.w.Array(len(clientHelp))
		for _, l := range clientHelp {
			c.w.Simple(l)
		}
	case slices.Contains([]string{"id", "getname", "setname", "setinfo", "info"}, sub):
		c.w.Error(subArityError("client", argv[1]))
	default:
		c.w.Error(unknownSubcommand(argv[1], "CLIENT"))
	}
}

var clientHelp = []string{
	"CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"GETNAME", "    Return the name of the current connection.",
	"ID", "    Return the ID of the current connection.",
	"INFO", "    Return information about the current client connection.",
	"LIST [TYPE NORMAL] [ID <id> [<id> ...]]", "    Return information about client connections.",
	"SETNAME <name>", "    Assign the name <name> to the current connection.",
	"SETINFO <LIB-NAME|LIB-VER> <value>", "    Accepted and ignored.",
	"HELP", "    Print this help.",
}

func (c *client) clientList(opts [][]byte) {
	var ids []int64
	for i := 0; i < len(opts); i++ {
		switch {
		case command.Eq(opts[i], "TYPE") && i+1 < len(opts):
			t := lowerASCII(opts[i+1])
			if t != "normal" && t != "master" && t != "replica" && t != "pubsub" {
				c.w.Error("ERR Unknown client type '" + string(opts[i+1]) + "'")
				return
			}
			if t != "normal" {
				ids = []int64{-1}
			}
			i++
		case command.Eq(opts[i], "ID") && i+1 < len(opts):
			for i++; i < len(opts); i++ {
				id, ok := command.ParseInt(opts[i])
				if !ok || id <= 0 {
					c.w.Error("ERR Invalid client ID")
					return
				}
				ids = append(ids, id)
			}
		default:
			c.w.Error(command.ErrSyntax)
			return
		}
	}
	c.w.Verbatim(c.srv.clientList(ids))
}

// clientList renders CLIENT LIST for the given ids, or all when none.
func (s *Server) clientList(ids []int64) string {
	s.mu.Lock()
	all := make([]*client, 0, len(s.clients))
	for _, c := range s.clients {
		if len(ids) == 0 || slices.Contains(ids, c.id) {
			all = append(all, c)
		}
	}
	s.mu.Unlock()
	slices.SortFunc(all, func(a, b *client) int { return int(a.id - b.id) })
	var sb strings.Builder
	for _, c := range all {
		sb.WriteString(s.clientLine(c))
		sb.WriteByte('\n')
	}
	return sb.String()
}

// clientLine renders one client as CLIENT LIST and CLIENT INFO do, with
// the fields that mean something here.
func (s *Server) clientLine(c *client) string {
	s.mu.Lock()
	name := c.name
	s.mu.Unlock()
	created, last := c.created, time.Unix(0, c.lastCmd.Load())
	cmd := ""
	if sp := c.lastSpec.Load(); sp != nil {
		cmd = sp.Name
	}
	now := time.Now()
	multi, flags := "-1", "N"
	return "id=" + strconv.FormatInt(c.id, 10) + " addr=" + c.addr + " laddr=" + c.laddr +
		" fd=-1 name=" + name + " age=" + strconv.Itoa(int(now.Sub(created).Seconds())) +
		" idle=" + strconv.Itoa(int(now.Sub(last).Seconds())) + " flags=" + flags +
		" db=0 sub=0 psub=0 ssub=0 multi=" + multi + " qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0" +
		" rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd=" + cmd +
		" user=default redir=-1 resp=" + strconv.Itoa(int(c.proto.Load()))
}
