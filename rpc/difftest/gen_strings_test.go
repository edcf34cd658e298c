package difftest

var incrAmounts = []string{"1", "-1", "5", "-100", "0", "9223372036854775807", "-9223372036854775808",
	"9223372036854775808", "x", "1.5", ""}
var floatIncrs = []string{"1", "-1", "0.1", "1.5", "-2.25", "1e308", "-1e308", "1e-5", "3.0e2", "inf", "-inf",
	"nan", "x", "", "0x10", " 1", "5e4000", "1.7976931348623157e308"}

func genStrings(g *gen) op {
	k := g.key("strings")
	switch g.n(26) {
	case 0, 1:
		return cmd("GET", k)
	case 2, 3, 4:
		return cmd(cat([]string{"SET", k, g.val()}, g.setOpts()...)...)
	case 5:
		return cmd("SETNX", k, g.val())
	case 6:
		return cmd("SETEX", k, g.ttl(false, false), g.val())
	case 7:
		return cmd("PSETEX", k, g.ttl(true, false), g.val())
	case 8:
		return cmd("GETSET", k, g.val())
	case 9:
		return cmd("GETDEL", k)
	case 10:
		return cmd(cat([]string{"GETEX", k}, g.getexOpts()...)...)
	case 11:
		return cmd(cat([]string{"MGET"}, g.keys("strings", 4)...)...)
	case 12:
		return cmd(cat([]string{"MSET"}, g.kvs("strings", 3)...)...)
	case 13:
		return cmd(cat([]string{"MSETNX"}, g.kvs("strings", 3)...)...)
	case 14:
		return cmd(g.pick([]string{"INCR", "DECR"}), k)
	case 15, 16:
		return cmd(g.pick([]string{"INCRBY", "DECRBY"}), k, g.pick(incrAmounts))
	case 17:
		return cmd("INCRBYFLOAT", k, g.pick(floatIncrs))
	case 18:
		return cmd("APPEND", k, g.val())
	case 19:
		return cmd("STRLEN", k)
	case 20, 21:
		return cmd("GETRANGE", k, g.index(), g.index())
	case 22:
		return cmd("SETRANGE", k, g.offset(), g.val())
	case 23:
		// Land next to the integer limits so that INCR/DECR overflow.
		return cmd("SET", k, g.pick(edgeInts))
	case 24:
		return cmd("SET", k, g.pick([]string{"1.5", "1e308", "-1.7976931348623157e308", "0.1", "5.0e3", "3"}))
	default:
		return cmd(cat([]string{"SET", k, g.val()}, g.setOpts()...)...)
	}
}

// setOpts draws SET's options, sometimes contradictory ones.
func (g *gen) setOpts() []string {
	var opts [][]string
	switch g.n(6) {
	case 0:
		opts = append(opts, []string{g.word("NX")})
	case 1:
		opts = append(opts, []string{g.word("XX")})
	case 2:
		if g.chance(20) {
			opts = append(opts, []string{"NX"}, []string{"XX"})
		}
	}
	if g.chance(30) {
		opts = append(opts, []string{g.word("GET")})
	}
	switch g.n(8) {
	case 0:
		opts = append(opts, []string{g.word("EX"), g.ttl(false, false)})
	case 1:
		opts = append(opts, []string{g.word("PX"), g.ttl(true, false)})
	case 2:
		opts = append(opts, []string{g.word("EXAT"), g.ttl(false, true)})
	case 3:
		opts = append(opts, []string{g.word("PXAT"), g.ttl(true, true)})
	case 4:
		opts = append(opts, []string{g.word("KEEPTTL")})
	case 5:
		if g.chance(30) {
			opts = append(opts, []string{"EX", g.ttl(false, false)}, []string{g.pick([]string{"KEEPTTL", "PX", "PERSIST"})})
		}
	}
	return g.shuffle(opts)
}

func (g *gen) getexOpts() []string {
	switch g.n(8) {
	case 0:
		return []string{g.word("EX"), g.ttl(false, false)}
	case 1:
		return []string{g.word("PX"), g.ttl(true, false)}
	case 2:
		return []string{g.word("EXAT"), g.ttl(false, true)}
	case 3:
		return []string{g.word("PXAT"), g.ttl(true, true)}
	case 4:
		return []string{g.word("PERSIST")}
	case 5:
		return g.pick2([][]string{{"PERSIST", "EX", "2000"}, {"EX"}, {"KEEPTTL"}, {"EX", "5000", "PX", "5000000"}, {"FOO"}})
	}
	return nil
}

func (g *gen) pick2(list [][]string) []string { return list[g.r.IntN(len(list))] }

// kvs returns 1..max key/value pairs, and now and then an odd count.
func (g *gen) kvs(fam string, max int) []string {
	var out []string
	for range 1 + g.n(max) {
		out = append(out, g.key(fam), g.val())
	}
	if g.chance(5) {
		out = out[:len(out)-1]
	}
	return out
}

// offset returns a SETRANGE offset: small, or past the 512 MB limit (an
// error), never a valid huge one (that would allocate 512 MB).
func (g *gen) offset() string {
	switch {
	case g.chance(85):
		return g.pick([]string{"0", "1", "3", "5", "10", "33", "100"})
	default:
		return g.pick([]string{"-1", "536870912", "9223372036854775807", "x", ""})
	}
}
