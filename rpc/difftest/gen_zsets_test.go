package difftest

var scores = []string{"0", "1", "-1", "1.5", "-2.5", "2", "3", "10", "1e2", "0.1", "-0", "inf", "-inf", "+inf",
	"1e400", "0x10", "1e-320", "9007199254740993", "17"}
var badScores = []string{"nan", "abc", "", "(1", "1.5x", " 1", "[1"}
var scoreBounds = []string{"-inf", "+inf", "inf", "0", "1", "(1", "(0", "2.5", "(2.5", "-1", "10", "(10", "(-inf", "(+inf", "1e2"}
var badScoreBounds = []string{"nan", "x", "[1", "(", "", "((1"}
var lexBounds = []string{"-", "+", "[a", "(a", "[b", "(c", "[", "(", "[e", "(f", "[1", "[\xff", "[a\r\nb"}
var badLexBounds = []string{"a", "", "x", "-a", "+b"}

func (g *gen) score() string {
	if g.chance(6) {
		return g.pick(badScores)
	}
	return g.pick(scores)
}

func (g *gen) scoreBound() string {
	if g.chance(6) {
		return g.pick(badScoreBounds)
	}
	return g.pick(scoreBounds)
}

func (g *gen) lexBound() string {
	if g.chance(6) {
		return g.pick(badLexBounds)
	}
	return g.pick(lexBounds)
}

func genZSets(g *gen) op {
	k := g.key("zsets")
	switch g.n(30) {
	case 0, 1, 2, 3:
		return g.zadd(k)
	case 4:
		return cmd(cat([]string{"ZREM", k}, g.members(3)...)...)
	case 5:
		return cmd("ZSCORE", k, g.member())
	case 6:
		return cmd(cat([]string{"ZMSCORE", k}, g.members(4)...)...)
	case 7:
		return cmd("ZINCRBY", k, g.score(), g.member())
	case 8:
		return cmd("ZCARD", k)
	case 9:
		return cmd("ZCOUNT", k, g.scoreBound(), g.scoreBound())
	case 10:
		return cmd(g.pick([]string{"ZRANK", "ZREVRANK"}), k, g.member())
	case 11, 12, 13, 14:
		return g.zrange(k)
	case 15:
		return cmd(cat([]string{"ZREVRANGE", k, g.index(), g.index()}, g.opt(40, "WITHSCORES")...)...)
	case 16, 17:
		name := g.pick([]string{"ZRANGEBYSCORE", "ZREVRANGEBYSCORE"})
		args := []string{name, k, g.scoreBound(), g.scoreBound()}
		return cmd(g.shuffleTail(args, g.opt(40, "WITHSCORES"), g.limit(30))...)
	case 18:
		name := g.pick([]string{"ZRANGEBYLEX", "ZREVRANGEBYLEX"})
		return lexOp(1, cat([]string{name, k, g.lexBound(), g.lexBound()}, g.limit(30)...)...)
	case 19:
		return lexOp(1, "ZLEXCOUNT", k, g.lexBound(), g.lexBound())
	case 20:
		if g.chance(40) {
			return cmd(g.pick([]string{"ZPOPMIN", "ZPOPMAX"}), k)
		}
		return cmd(g.pick([]string{"ZPOPMIN", "ZPOPMAX"}), k, g.count())
	case 21:
		return cmd("ZREMRANGEBYRANK", k, g.index(), g.index())
	case 22:
		return cmd("ZREMRANGEBYSCORE", k, g.scoreBound(), g.scoreBound())
	case 23:
		return scanOp(2, true, cat([]string{"ZSCAN", k, g.cursor()}, g.scanOpts(false)...)...)
	case 24:
		// Past 128 members Redis turns a listpack into a skip list.
		var sm []string
		for i, m := range g.many(false) {
			sm = append(sm, scores[i%len(scores)], m)
		}
		return cmd(cat([]string{"ZADD", k}, sm...)...)
	case 25:
		// Equal scores: order by member, the ground of BYLEX.
		var sm []string
		for _, m := range g.members(5) {
			sm = append(sm, "0", m)
		}
		return cmd(cat([]string{"ZADD", k}, sm...)...)
	default:
		return cmd("ZADD", k, g.pick(scores), g.member())
	}
}

func (g *gen) zadd(k string) op {
	var opts [][]string
	for _, w := range []string{"NX", "XX", "GT", "LT", "CH", "INCR"} {
		if g.chance(12) {
			opts = append(opts, []string{g.word(w)})
		}
	}
	args := cat([]string{"ZADD", k}, g.shuffle(opts)...)
	n := 1 + g.n(4)
	if g.chance(50) {
		n = 1
	}
	for range n {
		args = append(args, g.score(), g.member())
	}
	if g.chance(4) {
		args = args[:len(args)-1]
	}
	return cmd(args...)
}

func (g *gen) zrange(k string) op {
	args := []string{"ZRANGE", k}
	by := g.n(3)
	var opts [][]string
	switch by {
	case 0:
		args = append(args, g.index(), g.index())
	case 1:
		args = append(args, g.scoreBound(), g.scoreBound())
		opts = append(opts, []string{g.word("BYSCORE")})
	default:
		args = append(args, g.lexBound(), g.lexBound())
		opts = append(opts, []string{g.word("BYLEX")})
	}
	if g.chance(30) {
		opts = append(opts, []string{g.word("REV")})
	}
	if l := g.limit(by*25 + 5); l != nil {
		opts = append(opts, l)
	}
	if g.chance(by*-15 + 40) {
		opts = append(opts, []string{g.word("WITHSCORES")})
	}
	args = cat(args, g.shuffle(opts)...)
	if by == 2 {
		return lexOp(1, args...)
	}
	return cmd(args...)
}

// limit returns "LIMIT offset count" with probability pct.
func (g *gen) limit(pct int) []string {
	if !g.chance(pct) {
		return nil
	}
	return []string{g.word("LIMIT"), g.pick([]string{"0", "1", "2", "-1", "5", "x"}), g.pick([]string{"-1", "0", "1", "2", "10", "x", "-5"})}
}

func (g *gen) opt(pct int, w string) []string {
	if g.chance(pct) {
		return []string{g.word(w)}
	}
	return nil
}

func (g *gen) shuffleTail(head []string, tails ...[]string) []string {
	var opts [][]string
	for _, t := range tails {
		if t != nil {
			opts = append(opts, t)
		}
	}
	return cat(head, g.shuffle(opts)...)
}
