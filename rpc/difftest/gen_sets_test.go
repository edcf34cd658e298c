package difftest

import "strconv"

func genSets(g *gen) op {
	k := g.key("sets")
	switch g.n(26) {
	case 0, 1, 2, 3:
		return cmd(cat([]string{"SADD", k}, g.members(5)...)...)
	case 4:
		return cmd(cat([]string{"SREM", k}, g.members(3)...)...)
	case 5, 6:
		return cmdAs(cmpUnordered, "SMEMBERS", k)
	case 7:
		return cmd("SISMEMBER", k, g.member())
	case 8:
		return cmd(cat([]string{"SMISMEMBER", k}, g.members(4)...)...)
	case 9:
		return cmd("SCARD", k)
	case 10:
		if g.chance(40) {
			return special(runSpop, "SPOP", k)
		}
		return special(runSpop, "SPOP", k, g.popCount())
	case 11, 12:
		if g.chance(30) {
			return special(runSrandmember, "SRANDMEMBER", k)
		}
		return special(runSrandmember, "SRANDMEMBER", k, g.randCount())
	case 13:
		return cmd("SMOVE", k, g.key("sets"), g.member())
	case 14, 15:
		return cmdAs(cmpUnordered, cat([]string{g.pick([]string{"SINTER", "SUNION", "SDIFF"})}, g.keys("sets", 3)...)...)
	case 16, 17:
		return cmd(cat([]string{g.pick([]string{"SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"}), g.key("sets")}, g.keys("sets", 3)...)...)
	case 18:
		return g.sintercard()
	case 19:
		return scanOp(2, false, cat([]string{"SSCAN", k, g.cursor()}, g.scanOpts(false)...)...)
	case 20:
		// Integers only: an intset, past 512 a hash table.
		return cmd(cat([]string{"SADD", k}, g.many(g.chance(70))...)...)
	case 21:
		return cmd("SADD", k, g.pick([]string{"1", "2", "3", "-1", "100", "9223372036854775807", "-9223372036854775808"}))
	default:
		return cmd("SADD", k, g.member())
	}
}

// popCount returns SPOP's count: positive huge is fine (it pops all).
func (g *gen) popCount() string {
	switch {
	case g.chance(85):
		return g.pick([]string{"0", "1", "2", "3", "5", "10"})
	default:
		return g.pick([]string{"-1", "9223372036854775807", "x", "", "-9223372036854775808"})
	}
}

func (g *gen) sintercard() op {
	keys := g.keys("sets", 3)
	n := strconv.Itoa(len(keys))
	if g.chance(10) {
		n = g.pick([]string{"0", "-1", "x", "5", strconv.Itoa(len(keys) + 1)})
	}
	args := cat([]string{"SINTERCARD", n}, keys...)
	if g.chance(40) {
		args = append(args, g.word("LIMIT"), g.pick([]string{"0", "1", "2", "-1", "x", "100"}))
	}
	return cmd(args...)
}
