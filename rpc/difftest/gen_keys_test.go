package difftest

var patterns = []string{"*", "k*", "?1", "[hz]?", "*2", "[^k]*", "s[12]", "\\*", "", "b\\x00*", "b*", "*\r\n*", "[a-l]1", "h[", "??"}
var typeNames = []string{"string", "list", "hash", "set", "zset", "stream", "STRING", "nosuch"}

func genKeys(g *gen) op {
	k := g.key("")
	if g.chance(12) {
		return g.globalKeys()
	}
	switch g.n(20) {
	case 0, 1:
		return cmd(cat([]string{g.pick([]string{"DEL", "UNLINK"})}, g.keys("", 3)...)...)
	case 2:
		return cmd(cat([]string{"EXISTS"}, g.keys("", 4)...)...)
	case 3, 4:
		return cmd("TYPE", k)
	case 5, 6, 7:
		return g.expire(k)
	case 8, 9:
		return cmdAs(cmpSec, g.pick([]string{"TTL", "EXPIRETIME"}), k)
	case 10:
		return cmdAs(cmpMilli, g.pick([]string{"PTTL", "PEXPIRETIME"}), k)
	case 11:
		return cmd("PERSIST", k)
	case 12:
		return cmd(g.pick([]string{"RENAME", "RENAMENX"}), k, g.key(""))
	case 13, 14:
		args := []string{"COPY", k, g.key("")}
		var opts [][]string
		if g.chance(40) {
			opts = append(opts, []string{g.word("REPLACE")})
		}
		if g.chance(15) {
			opts = append(opts, []string{g.word("DB"), g.pick([]string{"0", "x", "-1", "99"})})
		}
		return cmd(cat(args, g.shuffle(opts)...)...)
	case 15:
		return cmd(cat([]string{"TOUCH"}, g.keys("", 3)...)...)
	default:
		return g.expire(k)
	}
}

// expire draws one of the four EXPIRE commands with NX/XX/GT/LT.
func (g *gen) expire(k string) op {
	ms, abs := g.chance(50), g.chance(50)
	name := map[[2]bool]string{{false, false}: "EXPIRE", {true, false}: "PEXPIRE", {false, true}: "EXPIREAT", {true, true}: "PEXPIREAT"}[[2]bool{ms, abs}]
	args := []string{name, k, g.ttl(ms, abs)}
	switch g.n(8) {
	case 0, 1, 2:
	case 3:
		args = append(args, g.word(g.pick([]string{"NX", "XX", "GT", "LT"})), g.pick([]string{"NX", "XX", "GT", "LT", "FOO"}))
	default:
		args = append(args, g.word(g.pick([]string{"NX", "XX", "GT", "LT"})))
	}
	return cmd(args...)
}

// globalKeys draws a keyspace-wide command.
func (g *gen) globalKeys() op {
	switch g.n(10) {
	case 0, 1, 2:
		return scanOp(1, false, cat([]string{"SCAN", g.cursor()}, g.scanOpts(true)...)...)
	case 3, 4:
		return cmdAs(cmpUnordered, "KEYS", g.pick(patterns))
	case 5:
		return special(runRandomkey, "RANDOMKEY")
	case 6, 7:
		return special(runDbsize, "DBSIZE")
	case 8:
		// Invalid cursors; kept from mutation, which could make them valid.
		bad := g.pick([]string{"abc", "1.5", " 0", "18446744073709551616", "-"})
		o := cmd("SCAN", bad)
		if g.chance(50) {
			o = cmd(g.pick([]string{"SSCAN", "HSCAN", "ZSCAN"}), g.pick(poolKeys), bad)
		}
		o.keep = true
		return o
	}
	if g.chance(70) {
		return cmd("FLUSHDB")
	}
	return cmd("FLUSHDB", g.word(g.pick([]string{"ASYNC", "SYNC", "NOW"})))
}

// cursor is where a scan starts: 0 in its accepted spellings.
func (g *gen) cursor() string {
	if g.chance(90) {
		return "0"
	}
	return g.pick([]string{"", "00", "+0"})
}

// scanOpts draws MATCH/COUNT (and TYPE for SCAN), sometimes malformed.
func (g *gen) scanOpts(typ bool) []string {
	var opts [][]string
	if g.chance(40) {
		opts = append(opts, []string{g.word("MATCH"), g.pick(patterns)})
	}
	if g.chance(40) {
		opts = append(opts, []string{g.word("COUNT"), g.pick([]string{"1", "2", "10", "1000", "0", "-1", "x"})})
	}
	if typ && g.chance(30) {
		opts = append(opts, []string{g.word("TYPE"), g.pick(typeNames)})
	}
	if g.chance(4) {
		opts = append(opts, []string{g.pick([]string{"MATCH", "COUNT", "NOVALUES", "TYPE"})})
	}
	return g.shuffle(opts)
}
