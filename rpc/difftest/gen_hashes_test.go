package difftest

func genHashes(g *gen) op {
	k := g.key("hashes")
	switch g.n(22) {
	case 0, 1, 2:
		return cmd(cat([]string{"HSET", k}, g.fieldValues(4)...)...)
	case 3:
		return cmd("HSETNX", k, g.member(), g.val())
	case 4, 5:
		return cmd("HGET", k, g.member())
	case 6:
		return cmd(cat([]string{"HMGET", k}, g.members(4)...)...)
	case 7:
		return cmdAs(cmpPairs, "HGETALL", k)
	case 8:
		return cmd(cat([]string{"HDEL", k}, g.members(3)...)...)
	case 9:
		return cmd("HEXISTS", k, g.member())
	case 10:
		return cmd("HLEN", k)
	case 11:
		return cmdAs(cmpUnordered, g.pick([]string{"HKEYS", "HVALS"}), k)
	case 12:
		return cmd("HINCRBY", k, g.member(), g.pick(incrAmounts))
	case 13:
		return cmd("HINCRBYFLOAT", k, g.member(), g.pick(floatIncrs))
	case 14:
		return cmd("HSTRLEN", k, g.member())
	case 15, 16:
		return g.hrandfield(k)
	case 17:
		return scanOp(2, true, cat([]string{"HSCAN", k, g.cursor()}, g.scanOpts(false)...)...)
	case 18:
		// Past 128 fields (or a 64-byte value) Redis leaves listpack.
		var fv []string
		for _, m := range g.many(false) {
			fv = append(fv, m, g.val())
		}
		return cmd(cat([]string{"HSET", k}, fv...)...)
	case 19:
		return cmd("HSET", k, g.member(), g.pick(edgeInts))
	default:
		return cmd("HSET", k, g.member(), g.val())
	}
}

func (g *gen) fieldValues(max int) []string {
	var out []string
	for range 1 + g.n(max) {
		out = append(out, g.member(), g.val())
	}
	if g.chance(5) {
		out = out[:len(out)-1]
	}
	return out
}

func (g *gen) hrandfield(k string) op {
	switch g.n(4) {
	case 0:
		return special(runHrandfield, "HRANDFIELD", k)
	case 1:
		return special(runHrandfield, "HRANDFIELD", k, g.randCount())
	case 2:
		return special(runHrandfield, "HRANDFIELD", k, g.randCount(), g.word("WITHVALUES"))
	}
	return special(runHrandfield, "HRANDFIELD", k, g.randCount(), g.pick([]string{"WITHSCORES", "x", "WITHVALUES"}), g.pick([]string{"", "1"}))
}

// randCount returns a count for SRANDMEMBER/HRANDFIELD: never a huge
// negative one, for which Redis 7.0 builds a reply that size (and dies).
func (g *gen) randCount() string {
	switch {
	case g.chance(85):
		return g.pick([]string{"0", "1", "2", "3", "5", "10", "-1", "-2", "-5", "-20"})
	default:
		return g.pick([]string{"9223372036854775807", "-9223372036854775808", "x", "", "1.5"})
	}
}
