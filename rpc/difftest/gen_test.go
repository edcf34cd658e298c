package difftest

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

// op is one generated step: a command compared under cmp, or a special
// step (random picks, scans, transactions) that run drives itself.
type op struct {
	args []string
	cmp  cmpMode
	run  func(x *runner, p *pair, o op) error
	sub  []op // MULTI/WATCH blocks: the commands inside
	// other is what a WATCH block runs on the other connection pair.
	other []string
	resp3 bool // run on the RESP3 connection pair
	keep  bool // never mutated: a mutation could make it nondeterministic
}

func cmd(args ...string) op              { return op{args: args} }
func cmdAs(m cmpMode, args ...string) op { return op{args: args, cmp: m} }
func special(f func(*runner, *pair, op) error, args ...string) op {
	return op{args: args, run: f}
}

// family generates the commands of one command family.
type family struct {
	name string
	gen  func(g *gen) op
}

var allFamilies = []family{
	{"strings", genStrings},
	{"lists", genLists},
	{"hashes", genHashes},
	{"sets", genSets},
	{"zsets", genZSets},
	{"keys", genKeys},
	{"conn", genConn},
}

// gen draws one sequence's commands. Keys come from a small pool shared by
// all families, so types collide (WRONGTYPE) often; each family prefers
// its two home keys so that its structures grow.
type gen struct {
	r     *rand.Rand
	fams  []family
	focus family
	rel   int // relative TTLs drawn so far: each lies 10 s after the last
}

func newGen(seed uint64, seq int, fams []family) *gen {
	g := &gen{r: rand.New(rand.NewPCG(seed, uint64(seq))), fams: fams}
	g.focus = fams[g.r.IntN(len(fams))]
	return g
}

// next draws a command: mostly from the sequence's focus family, with
// now and then a mutation (dropped, added or replaced argument) to reach
// the error paths.
func (g *gen) next() op {
	f := g.focus
	if g.r.IntN(10) < 3 {
		f = g.fams[g.r.IntN(len(g.fams))]
	}
	o := f.gen(g)
	if o.run == nil && o.sub == nil && !o.keep && g.chance(6) {
		o = g.mutate(o)
	}
	if len(o.args) > 0 && g.chance(5) {
		o.args = cat(nil, o.args...)
		o.args[0] = g.mixCase(o.args[0])
	}
	o.resp3 = g.chance(25)
	return o
}

// exact draws a command that compares without a special driver, for
// MULTI blocks.
func (g *gen) exact() op {
	for range 50 {
		f := g.focus
		if g.r.IntN(10) < 3 {
			f = g.fams[g.r.IntN(len(g.fams))]
		}
		o := f.gen(g)
		if o.run == nil && o.sub == nil && !endsMulti(o.args[0]) {
			return o
		}
	}
	return cmd("PING")
}

// endsMulti reports the commands that end a transaction (even when
// rejected, since Redis then aborts it): not for inside one.
func endsMulti(name string) bool {
	return strings.EqualFold(name, "EXEC") || strings.EqualFold(name, "DISCARD")
}

var junk = []string{"", "x", "-1", "0", "nan", "inf", "9223372036854775808", "-9223372036854775809",
	"1.5", "\x00\xff", "NX", "XX", "WITHSCORES", "LIMIT", "COUNT", "REV", "BYSCORE"}

// mutate breaks a command's shape. junk holds no small positive integer,
// so no mutation can turn a long TTL into one that races the clock.
func (g *gen) mutate(o op) op {
	args := append([]string(nil), o.args...)
	switch g.r.IntN(3) {
	case 0:
		if len(args) > 1 {
			args = args[:1+g.r.IntN(len(args)-1)]
		}
	case 1:
		args = append(args, g.pick(junk))
	default:
		if len(args) > 1 {
			args[1+g.r.IntN(len(args)-1)] = g.pick(junk)
		}
	}
	return op{args: args, cmp: o.cmp}
}

func (g *gen) has(fam string) bool {
	for _, f := range g.fams {
		if f.name == fam {
			return true
		}
	}
	return false
}

func (g *gen) pick(list []string) string { return list[g.r.IntN(len(list))] }
func (g *gen) n(k int) int               { return g.r.IntN(k) }
func (g *gen) chance(pct int) bool       { return g.r.IntN(100) < pct }

var homeKeys = map[string][]string{
	"strings": {"k1", "k2"},
	"lists":   {"l1", "l2"},
	"hashes":  {"h1", "h2"},
	"sets":    {"s1", "s2"},
	"zsets":   {"z1", "z2"},
}

var poolKeys = []string{"k1", "k2", "l1", "l2", "h1", "h2", "s1", "s2", "z1", "z2", "", "b\x00\r\n\xff"}

// key returns a key of family fam: a home key 75% of the time.
func (g *gen) key(fam string) string {
	if home := homeKeys[fam]; home != nil && g.chance(75) {
		return g.pick(home)
	}
	return g.pick(poolKeys)
}

// keys returns 1..max keys of fam.
func (g *gen) keys(fam string, max int) []string {
	out := make([]string, 1+g.n(max))
	for i := range out {
		out[i] = g.key(fam)
	}
	return out
}

var values = []string{"", "a", "b", "hello", "0", "1", "-1", "10", "3.5", "-0", "1e3", "0x10", " 1", "1 ",
	"01", "+5", "9223372036854775807", "-9223372036854775808", "9223372036854775806", "inf", "-inf", "nan",
	"1.7976931348623157e308", "\x00", "a\r\nb", "\r\n", "\xff\xfe\x00\x01", "*1\r\n$4\r\nPING\r\n"}

// val returns a string value: usually from a pool of tricky ones, else
// random bytes, now and then long enough to change Redis's encoding.
func (g *gen) val() string {
	switch {
	case g.chance(75):
		return g.pick(values)
	case g.chance(85):
		return g.bytes(g.n(24))
	default:
		return g.bytes(60 + g.n(200))
	}
}

func (g *gen) bytes(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(g.r.IntN(256))
	}
	return string(b)
}

var members = []string{"a", "b", "c", "d", "e", "f", "1", "2", "10", "-5", "", "\x00x", "a\r\nb", "\xff"}

// member returns an element of a list, set, hash field or sorted set:
// from a small pool, so that they collide.
func (g *gen) member() string {
	if g.chance(90) {
		return g.pick(members)
	}
	return g.val()
}

func (g *gen) members(max int) []string {
	out := make([]string, 1+g.n(max))
	for i := range out {
		out[i] = g.member()
	}
	return out
}

// many returns n distinct generated members, to push a collection past
// Redis's compact-encoding thresholds (128 entries, 512 for intsets).
func (g *gen) many(ints bool) []string {
	n := 100 + g.n(500)
	out := make([]string, n)
	base := g.n(1000)
	for i := range out {
		if ints {
			out[i] = strconv.Itoa(base + i)
		} else {
			out[i] = "m" + strconv.Itoa(base+i)
		}
	}
	return out
}

var smallInts = []string{"0", "1", "-1", "2", "-2", "3", "5", "-5", "10", "100"}
var badInts = []string{"", "x", "1.5", " 1", "1 ", "9223372036854775808", "-9223372036854775809", "0x10", "+1", "01"}
var edgeInts = []string{"9223372036854775807", "-9223372036854775808", "9223372036854775806", "-9223372036854775807",
	"2147483647", "2147483648", "-2147483649", "4294967296"}

// index returns a list/string index or count: small mostly, sometimes
// extreme or malformed.
func (g *gen) index() string {
	switch {
	case g.chance(80):
		return g.pick(smallInts)
	case g.chance(60):
		return g.pick(edgeInts)
	default:
		return g.pick(badInts)
	}
}

// count returns a COUNT argument: 0..6 mostly, negative, huge or bad now
// and then. Huge counts are only positive: Redis would try to build a
// reply of |count| elements for a huge negative one.
func (g *gen) count() string {
	switch {
	case g.chance(80):
		return strconv.Itoa(g.n(7))
	case g.chance(40):
		return g.pick([]string{"-1", "-3", "-9223372036854775808"})
	case g.chance(50):
		return g.pick([]string{"9223372036854775807", "2147483648", "1000000"})
	default:
		return g.pick(badInts)
	}
}

// Relative TTLs grow by 10 s with each draw, so GT/LT comparisons between
// them never depend on how far apart the two servers' clocks are.
func (g *gen) relSec() string {
	g.rel++
	return strconv.Itoa(1000 + 10*g.rel)
}

func (g *gen) relMs() string {
	g.rel++
	return strconv.Itoa((1000+10*g.rel)*1000 + 123)
}

var futureSec = []string{"4102444800", "4102444801", "3000000000", "2000000000"}
var pastSec = []string{"1", "1000000000", "1700000000"}
var futureMs = []string{"4102444800000", "4102444800001", "3000000000000", "2000000000999"}
var pastMs = []string{"1", "1000000000000", "1700000000123"}
var badTimes = []string{"0", "-1", "x", "", "1.5", "9223372036854775807", "-9223372036854775808", "9223372036854775"}

// ttl returns the argument of an expiry option in unit "s" or "ms",
// relative or absolute.
func (g *gen) ttl(ms, abs bool) string {
	if g.chance(10) {
		return g.pick(badTimes)
	}
	switch {
	case !abs && ms:
		return g.relMs()
	case !abs:
		return g.relSec()
	case ms && g.chance(25):
		return g.pick(pastMs)
	case ms:
		return g.pick(futureMs)
	case g.chance(25):
		return g.pick(pastSec)
	default:
		return g.pick(futureSec)
	}
}

// shuffle returns the option words in random order.
func (g *gen) shuffle(opts [][]string) []string {
	g.r.Shuffle(len(opts), func(i, j int) { opts[i], opts[j] = opts[j], opts[i] })
	var out []string
	for _, o := range opts {
		out = append(out, o...)
	}
	return out
}

// word returns w in random letter case now and then: Redis options are
// case-insensitive.
func (g *gen) word(w string) string {
	if g.chance(85) {
		return w
	}
	return g.mixCase(w)
}

func (g *gen) mixCase(w string) string {
	b := []byte(w)
	for i, c := range b {
		if g.chance(50) && (c|0x20 >= 'a' && c|0x20 <= 'z') {
			b[i] = c ^ 0x20
		}
	}
	return string(b)
}

func cat(head []string, tail ...string) []string {
	return append(append([]string(nil), head...), tail...)
}
