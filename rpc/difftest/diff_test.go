package difftest

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ember-node/ember-node/rpc/resp"
)

// TestDifferential runs seeded random command sequences of every family
// against ember-node and Redis 7 and requires the same replies. See the
// package doc for the knobs; a failure prints the line that replays it.
func TestDifferential(t *testing.T) {
	cfg := loadConfig(t)
	x := newRunner(t, cfg.self)
	defer x.close()
	if os.Getenv("EMBER_DIFF_STATS") == "1" {
		x.stats = map[string]*[2]int{}
		defer x.printStats()
	}
	flush := x.probeFlush()
	t.Logf("seed %d, families %s, ember-node has FLUSHDB: %v", cfg.seed, cfg.famNames(), flush)

	start := time.Now()
	ran, ops := 0, 0
	for i := range cfg.seqs {
		if cfg.only >= 0 && i != cfg.only {
			continue
		}
		if cfg.only < 0 && time.Since(start) > cfg.budget {
			t.Logf("time budget %v reached", cfg.budget)
			break
		}
		ran++
		ops += x.sequence(cfg, i, flush)
	}
	t.Logf("%d sequences, %d commands in %v", ran, ops, time.Since(start).Round(time.Millisecond))
	x.summary()
}

// config is the test's size and selection, from the environment.
type config struct {
	seed    uint64
	fams    []family
	seqs    int
	ops     int
	only    int
	budget  time.Duration
	self    bool
	verbose bool // report every mismatch in full, not the first of each command
}

func (c config) famNames() string {
	var names []string
	for _, f := range c.fams {
		names = append(names, f.name)
	}
	return strings.Join(names, ",")
}

func loadConfig(t *testing.T) config {
	c := config{seed: uint64(time.Now().UnixNano()), seqs: 1000, ops: 300, only: -1, budget: 40 * time.Second}
	if testing.Short() {
		c.seqs, c.ops, c.budget = 40, 150, 4*time.Second
	}
	if s := os.Getenv("EMBER_DIFF_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("EMBER_DIFF_SEED=%q: %v", s, err)
		}
		c.seed = v
	}
	c.seqs = envInt(t, "EMBER_DIFF_SEQS", c.seqs)
	c.ops = envInt(t, "EMBER_DIFF_OPS", c.ops)
	c.only = envInt(t, "EMBER_DIFF_SEQ", -1)
	if c.only >= c.seqs {
		c.seqs = c.only + 1
	}
	c.fams = selectFamilies(t, os.Getenv("EMBER_DIFF_FAMILIES"))
	c.self = os.Getenv("EMBER_DIFF_SELF") == "1"
	c.verbose = os.Getenv("EMBER_DIFF_VERBOSE") == "1"
	return c
}

func envInt(t *testing.T, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, s, err)
	}
	return v
}

func selectFamilies(t *testing.T, list string) []family {
	if list == "" || list == "all" {
		return allFamilies
	}
	var out []family
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		i := slices.IndexFunc(allFamilies, func(f family) bool { return f.name == name })
		if i < 0 {
			t.Fatalf("EMBER_DIFF_FAMILIES: unknown family %q (have strings,lists,hashes,sets,zsets,keys,conn)", name)
		}
		out = append(out, allFamilies[i])
	}
	return out
}

// runner drives both servers over two connection pairs, RESP2 and RESP3,
// that share one keyspace on each side.
type runner struct {
	t        *testing.T
	ember    *ember // nil when a second redis-server stands in
	eAddr    string
	rAddr    string
	p2, p3   *pair
	hist     []string
	failures map[string]int // mismatches by command name
	reported int
	stats    map[string]*[2]int // redis's replies by command: [not error, error]
}

// newRunner starts both servers. With self, a second redis-server takes
// ember-node's place: the test then checks itself (every mismatch is a
// test bug, such as a reply it wrongly takes for deterministic).
func newRunner(t *testing.T, self bool) *runner {
	x := &runner{t: t, rAddr: startRedis(t), failures: map[string]int{}}
	if self {
		x.eAddr = startRedis(t)
	} else {
		x.ember = startEmber(t)
		x.eAddr = x.ember.addr
	}
	x.connect()
	return x
}

func (x *runner) connect() {
	x.p2 = dialPair(x.t, x.eAddr, x.rAddr, 2)
	x.p3 = dialPair(x.t, x.eAddr, x.rAddr, 3)
}

func (x *runner) close() {
	x.p2.close()
	x.p3.close()
}

// probeFlush reports whether ember-node has FLUSHDB. Without it, a fresh
// ember-node serves each sequence.
func (x *runner) probeFlush() bool {
	ev, err := x.p2.e.do("FLUSHDB")
	if err != nil {
		x.t.Fatal(err)
	}
	if _, err := x.p2.r.do("FLUSHDB"); err != nil {
		x.t.Fatal(err)
	}
	return ev.Type == '+'
}

// sequence runs sequence i and returns how many commands it ran. It stops
// at the first mismatch, reports it, and reconnects.
func (x *runner) sequence(cfg config, i int, flush bool) int {
	g := newGen(cfg.seed, i, cfg.fams)
	x.hist = x.hist[:0]
	x.empty(flush)
	for j := range cfg.ops {
		o := g.next()
		err := x.exec(o)
		if err == nil {
			continue
		}
		x.fail(cfg, i, j, err)
		if m, ok := err.(*mismatch); ok && m.soft {
			continue
		}
		x.close()
		x.connect()
		return j + 1
	}
	return cfg.ops
}

// empty starts both servers over with no keys, so that every sequence
// replays alone.
func (x *runner) empty(flush bool) {
	if !flush {
		x.close()
		x.ember.stop(x.t)
		x.ember = startEmber(x.t)
		x.eAddr = x.ember.addr
		x.connect()
	}
	ev, rv, err := x.p2.do([]string{"FLUSHDB"})
	if err != nil || rv.Str != "OK" || (flush && ev.Str != "OK") {
		x.t.Fatalf("FLUSHDB: %v, ember %s, redis %s", err, ev, rv)
	}
}

func (x *runner) exec(o op) error {
	p := x.p2
	if o.resp3 {
		p = x.p3
	}
	if o.run != nil {
		return o.run(x, p, o)
	}
	ev, rv, err := x.plain(p, o.args, o.cmp)
	if m, ok := err.(*mismatch); ok && ev.Type == '-' && rv.Type == '-' && !connState(o.args[0]) {
		m.soft = true
	}
	return err
}

// connState names the commands whose errors may change a connection's
// state (a rejected EXEC discards the transaction in Redis).
func connState(name string) bool {
	switch strings.ToUpper(name) {
	case "EXEC", "MULTI", "DISCARD", "WATCH", "UNWATCH", "HELLO", "QUIT", "RESET", "SELECT", "AUTH":
		return true
	}
	return false
}

func (x *runner) other(p *pair) *pair {
	if p == x.p2 {
		return x.p3
	}
	return x.p2
}

// roundtrip runs args on both sides of p and keeps it in the history.
func (x *runner) roundtrip(p *pair, args []string) (ev, rv resp.Value, err error) {
	ev, rv, err = p.do(args)
	if x.stats != nil && len(args) > 0 {
		name := strings.ToUpper(args[0])
		if strings.HasPrefix(rv.Str, "ERR unknown command") {
			name = "(unknown command)"
		}
		if x.stats[name] == nil {
			x.stats[name] = new([2]int)
		}
		if rv.Type == '-' {
			x.stats[name][1]++
		} else {
			x.stats[name][0]++
		}
	}
	line := fmt.Sprintf("  [resp%d] %s", p.proto, clip(quoteArgs(args), 300))
	if err == nil {
		if equal(ev, rv) {
			line += " -> " + clip(ev.String(), 200)
		} else {
			line += " -> ember " + clip(ev.String(), 200) + " | redis " + clip(rv.String(), 200)
		}
	}
	x.hist = append(x.hist, line)
	if len(x.hist) > 30 {
		x.hist = x.hist[1:]
	}
	return
}

// plain runs one command and compares the replies under m.
func (x *runner) plain(p *pair, args []string, m cmpMode) (ev, rv resp.Value, err error) {
	ev, rv, err = x.roundtrip(p, args)
	if err == nil && !compare(m, ev, rv) {
		err = &mismatch{args: args, e: ev.String(), r: rv.String()}
	}
	return
}

// mismatch is a reply that differs where Redis fixes it. A soft one is
// an error on both sides, worded differently: neither changed the
// keyspace, so the sequence goes on after reporting it.
type mismatch struct {
	args []string
	e, r string
	why  string
	soft bool
}

func (m *mismatch) Error() string {
	s := fmt.Sprintf("command: %s\n  ember: %s\n  redis: %s", quoteArgs(m.args), clip(m.e, 3000), clip(m.r, 3000))
	if m.why != "" {
		s += "\n  " + m.why
	}
	return s
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + fmt.Sprintf("...(%d bytes)", len(s))
}

const maxReported = 60

// fail reports a failed sequence: in full for the first failure of each
// command name, as a count for the others.
func (x *runner) fail(cfg config, seq, idx int, err error) {
	name := "(io)"
	if m, ok := err.(*mismatch); ok && len(m.args) > 0 {
		name = strings.ToUpper(m.args[0])
		switch {
		case strings.HasPrefix(m.r, `-"ERR unknown command`):
			name = "(unknown command)"
		case strings.HasPrefix(m.r, `-"ERR unknown subcommand`):
			name += " (unknown subcommand)"
		}
	}
	x.failures[name]++
	if !cfg.verbose && (x.failures[name] > 1 || x.reported >= maxReported) {
		x.t.Fail()
		return
	}
	x.reported++
	x.t.Errorf("MISMATCH seed %d sequence %d command #%d%s\n%v\nrecent commands:\n%s\nreplay: EMBER_DIFF_SEED=%d EMBER_DIFF_SEQ=%d EMBER_DIFF_FAMILIES=%s go test ./rpc/difftest -run 'TestDifferential$' -v",
		cfg.seed, seq, idx, softNote(err), err, strings.Join(x.hist, "\n"), cfg.seed, seq, cfg.famNames())
}

// printStats logs how often each command ran and how often Redis refused
// it: a generator that only reaches error paths shows up here.
func (x *runner) printStats() {
	names := make([]string, 0, len(x.stats))
	for n := range x.stats {
		names = append(names, n)
	}
	slices.Sort(names)
	var sb strings.Builder
	for _, n := range names {
		st := x.stats[n]
		fmt.Fprintf(&sb, "\n  %-24s %7d ok %7d errors", clip(strconv.Quote(n), 22), st[0], st[1])
	}
	x.t.Logf("replies by command:%s", sb.String())
}

func softNote(err error) string {
	if m, ok := err.(*mismatch); ok && m.soft {
		return " (error text only: the sequence goes on)"
	}
	return ""
}

func (x *runner) summary() {
	if len(x.failures) == 0 {
		return
	}
	names := make([]string, 0, len(x.failures))
	for n := range x.failures {
		names = append(names, n)
	}
	slices.Sort(names)
	var sb strings.Builder
	for _, n := range names {
		fmt.Fprintf(&sb, " %s=%d", clip(strconv.Quote(n), 24), x.failures[n])
	}
	x.t.Errorf("mismatches by command:%s", sb.String())
}
