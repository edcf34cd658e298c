package difftest

var ends = []string{"LEFT", "RIGHT"}

func genLists(g *gen) op {
	k := g.key("lists")
	switch g.n(24) {
	case 0, 1, 2:
		return cmd(cat([]string{g.pick([]string{"LPUSH", "RPUSH"}), k}, g.members(4)...)...)
	case 3:
		return cmd(cat([]string{g.pick([]string{"LPUSHX", "RPUSHX"}), k}, g.members(3)...)...)
	case 4, 5:
		if g.chance(50) {
			return cmd(g.pick([]string{"LPOP", "RPOP"}), k)
		}
		return cmd(g.pick([]string{"LPOP", "RPOP"}), k, g.count())
	case 6, 7, 8:
		return cmd("LRANGE", k, g.index(), g.index())
	case 9:
		return cmd("LLEN", k)
	case 10, 11:
		return cmd("LINDEX", k, g.index())
	case 12:
		return cmd("LSET", k, g.index(), g.member())
	case 13:
		return cmd("LTRIM", k, g.index(), g.index())
	case 14:
		return cmd("LREM", k, g.pick([]string{"0", "1", "-1", "2", "-2", "100", "-9223372036854775808", "x"}), g.member())
	case 15:
		return cmd("LINSERT", k, g.word(g.pick([]string{"BEFORE", "AFTER", "BEFORE", "AFTER", "MIDDLE"})), g.member(), g.member())
	case 16, 17:
		return cmd(cat([]string{"LPOS", k, g.member()}, g.lposOpts()...)...)
	case 18, 19:
		return cmd("LMOVE", k, g.key("lists"), g.word(g.pick(ends)), g.word(g.pick(append(ends, "UP"))))
	case 20:
		// Past 128 entries Redis turns a listpack into a quicklist.
		return cmd(cat([]string{"RPUSH", k}, g.many(false)...)...)
	case 21:
		return cmd("LRANGE", k, "0", "-1")
	default:
		return cmd("RPUSH", k, g.val())
	}
}

func (g *gen) lposOpts() []string {
	var opts [][]string
	if g.chance(40) {
		opts = append(opts, []string{g.word("RANK"), g.pick([]string{"1", "2", "-1", "-2", "0", "3", "-9223372036854775808", "9223372036854775807", "x"})})
	}
	if g.chance(40) {
		opts = append(opts, []string{g.word("COUNT"), g.pick([]string{"0", "1", "2", "5", "-1", "x"})})
	}
	if g.chance(30) {
		opts = append(opts, []string{g.word("MAXLEN"), g.pick([]string{"0", "1", "2", "10", "-1", "x"})})
	}
	if g.chance(5) {
		opts = append(opts, []string{"BOGUS"})
	}
	return g.shuffle(opts)
}
