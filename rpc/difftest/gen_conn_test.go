package difftest

import "strings"

var unknownNames = []string{"GETX", "FOO", "", "x", "SETT", "\x00get", "get\x00x", "GET\r\nX", "é", "CONFIGX", "CLUSTERX"}

func genConn(g *gen) op {
	switch g.n(21) {
	case 0:
		return cmd("PING")
	case 1:
		return cmd("PING", g.val())
	case 2:
		return cmd("PING", "a", "b")
	case 3, 4:
		return cmd("ECHO", g.val())
	case 5:
		return cmd(cat([]string{"ECHO"}, g.pick2([][]string{{}, {"a", "b"}})...)...)
	case 6:
		return cmd("SELECT", g.pick([]string{"0", "0", "16", "-1", "x", "", "2147483648", "00"}))
	case 7, 8:
		return g.unknown()
	case 9, 10, 11, 12:
		return g.multi()
	case 13, 14:
		return g.watch()
	case 15:
		return cmd(g.pick([]string{"EXEC", "DISCARD", "UNWATCH"}))
	case 16:
		return cmdAs(cmpShape, "TIME")
	case 17:
		return cmdAs(cmpShape, "CLIENT", "ID")
	case 18:
		o := cmd(g.pick([]string{"TIME", "MULTI", "EXEC"}), "extra")
		o.keep = true // dropping "extra" would open a transaction
		return o
	case 19:
		return special(runHello, "HELLO", g.pick([]string{"", "", "4", "1", "x", "-1", "2147483648"}))
	}
	return cmd("PING")
}

// unknown draws a command no server has, with arguments long enough now
// and then for Redis's 128-byte truncation of the error text.
func (g *gen) unknown() op {
	name := g.pick(unknownNames)
	if g.chance(10) {
		name = strings.Repeat("Z", 130+g.n(20))
	}
	args := []string{name}
	for range g.n(4) {
		if g.chance(20) {
			args = append(args, g.bytes(40+g.n(120)))
		} else {
			args = append(args, g.val())
		}
	}
	return cmd(args...)
}

// multi draws MULTI, a few commands (sometimes a rejected one, which
// makes EXEC abort), and EXEC or DISCARD.
func (g *gen) multi() op {
	var sub []op
	for range g.n(6) {
		switch g.n(30) {
		case 0:
			sub = append(sub, g.unknown())
		case 1:
			sub = append(sub, cmd(g.pick([]string{"GET", "SET", "LPUSH", "HSET", "ZADD", "SADD", "EXPIRE"})))
		case 2:
			sub = append(sub, cmd("MULTI"))
		case 3:
			sub = append(sub, cmd("WATCH", g.key("")))
		default:
			sub = append(sub, g.exact())
		}
	}
	tail := "EXEC"
	if g.chance(20) {
		tail = "DISCARD"
	}
	return op{args: []string{tail}, sub: sub, run: runMulti}
}

// watch draws WATCH keys on one connection, a command on the other
// connection pair (touching a watched key or not), then a transaction.
func (g *gen) watch() op {
	keys := g.keys("", 2)
	var other []string
	switch g.n(5) {
	case 0:
		other = []string{"SET", keys[0], g.val()}
	case 1:
		other = []string{"GET", keys[0]}
	case 2:
		other = []string{"SET", g.key("strings"), g.val()}
	case 3:
		if g.has("keys") {
			other = []string{"DEL", keys[0]}
		}
	}
	var sub []op
	for range 1 + g.n(3) {
		sub = append(sub, g.exact())
	}
	return op{args: cat([]string{"WATCH"}, keys...), sub: sub, other: other, run: runWatch}
}
