package difftest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ember-node/ember-node/rpc/resp"
)

// Drivers for the replies Redis leaves free: scans (cursors differ, the
// union of what a full iteration returns does not), random picks (checked
// against the state, then the two sides are made equal again) and
// transactions (EXEC's elements compare like the commands queued).

// scanOp is a SCAN-family command whose cursor is args[cpos]; pairs says
// it returns field/value (HSCAN) or member/score (ZSCAN) pairs.
func scanOp(cpos int, pairs bool, args ...string) op {
	return op{args: args, run: func(x *runner, p *pair, o op) error { return runScan(x, p, o, cpos, pairs) }}
}

func isScanReply(v resp.Value) bool {
	return v.Type == '*' && len(v.Elems) == 2 && v.Elems[0].Type == '$' && v.Elems[1].Type == '*'
}

func runScan(x *runner, p *pair, o op, cpos int, pairs bool) error {
	ev, rv, err := x.roundtrip(p, o.args)
	if err != nil {
		return err
	}
	if !isScanReply(ev) || !isScanReply(rv) {
		if !equal(ev, rv) {
			return &mismatch{args: o.args, e: ev.String(), r: rv.String()}
		}
		return nil
	}
	eAll, err := scanRest(p.e, o.args, cpos, ev, pairs)
	if err != nil {
		return err
	}
	rAll, err := scanRest(p.r, o.args, cpos, rv, pairs)
	if err != nil {
		return err
	}
	if !slices.Equal(eAll, rAll) {
		return &mismatch{args: o.args, e: render(eAll), r: render(rAll), why: "the union of a full iteration differs"}
	}
	return nil
}

// scanRest iterates from first's cursor to 0 and returns the sorted
// union of everything returned, pairs joined by a NUL.
func scanRest(c *conn, args []string, cpos int, first resp.Value, pairs bool) ([]string, error) {
	seen := map[string]bool{}
	add := func(v resp.Value) {
		n := 1
		if pairs {
			n = 2
		}
		for _, k := range elemKeys(v.Elems[1].Elems, n) {
			seen[k] = true
		}
	}
	add(first)
	cur := first.Elems[0].Str
	for i := 0; cur != "0"; i++ {
		if i > 100000 {
			return nil, fmt.Errorf("%s: %s did not finish in 100000 calls", c.name, quoteArgs(args))
		}
		a := cat(nil, args...)
		a[cpos] = cur
		v, err := c.do(a...)
		if err != nil {
			return nil, err
		}
		if !isScanReply(v) {
			return nil, &mismatch{args: a, e: v.String(), r: "(not asked)", why: c.name + "'s reply broke off the iteration"}
		}
		add(v)
		cur = v.Elems[0].Str
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	slices.Sort(out)
	return out, nil
}

func render(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = strconv.Quote(s)
	}
	return "{" + strings.Join(q, " ") + "}"
}

// state fetches a collection from both sides (SMEMBERS or HGETALL),
// requires them equal, and returns redis's reply.
func (x *runner) state(p *pair, name, key string) (resp.Value, error) {
	m := cmpUnordered
	if name == "HGETALL" {
		m = cmpPairs
	}
	_, rv, err := x.plain(p, []string{name, key}, m)
	return rv, err
}

// pickCheck describes a random pick: with a count or not, the count, and
// whether picks must be distinct.
type pickCheck struct {
	hasCount bool
	count    int64
	withVals bool
}

func parsePick(args []string, withVals bool) pickCheck {
	c := pickCheck{hasCount: len(args) > 2, withVals: withVals}
	if c.hasCount {
		c.count, _ = strconv.ParseInt(args[2], 10, 64)
	}
	return c
}

// picks returns the picked names (and values) of a reply, or why the
// reply is malformed.
func picks(v resp.Value, pc pickCheck) (names, vals []string, bad string) {
	if !pc.hasCount {
		if v.Type != '$' {
			return nil, nil, "not a bulk string"
		}
		return []string{v.Str}, nil, ""
	}
	if !pc.withVals {
		return strs(v), nil, ""
	}
	elems := v.Elems
	if len(elems) > 0 && elems[0].Type == '*' { // RESP3: [field, value] pairs
		var flat []resp.Value
		for _, e := range elems {
			if len(e.Elems) != 2 {
				return nil, nil, "a pair is not of 2 elements"
			}
			flat = append(flat, e.Elems...)
		}
		elems = flat
	}
	if len(elems)%2 != 0 {
		return nil, nil, "odd field/value list"
	}
	for i := 0; i < len(elems); i += 2 {
		names = append(names, elems[i].Str)
		vals = append(vals, elems[i+1].Str)
	}
	return names, vals, ""
}

// validPick checks a pick against the collection: names (and values) must
// be in it; a positive count gives min(count, size) distinct picks, a
// negative one |count| picks.
func validPick(v resp.Value, pc pickCheck, state map[string]string) string {
	names, vals, bad := picks(v, pc)
	if bad != "" {
		return bad
	}
	want := int64(1)
	if pc.hasCount {
		want = pc.count
		if want >= 0 {
			want = min(want, int64(len(state)))
		} else {
			want = -want
		}
	}
	if int64(len(names)) != want {
		return fmt.Sprintf("%d picks, want %d", len(names), want)
	}
	seen := map[string]bool{}
	for i, n := range names {
		sv, ok := state[n]
		if !ok {
			return fmt.Sprintf("%q is not in the collection", n)
		}
		if vals != nil && vals[i] != sv {
			return fmt.Sprintf("%q has value %q, not %q", n, vals[i], sv)
		}
		if seen[n] && (!pc.hasCount || pc.count >= 0) {
			return fmt.Sprintf("%q picked twice", n)
		}
		seen[n] = true
	}
	return ""
}

// checkPicks compares random picks: exactly when Redis's reply is fixed
// (errors, nulls, an empty collection), else by shape and validity.
func checkPicks(args []string, ev, rv resp.Value, pc pickCheck, state map[string]string) error {
	if ev.Type == '-' || rv.Type == '-' || ev.Null || rv.Null || len(state) == 0 {
		if !equal(ev, rv) {
			return &mismatch{args: args, e: ev.String(), r: rv.String()}
		}
		return nil
	}
	if !sameShape(ev, rv) {
		return &mismatch{args: args, e: ev.String(), r: rv.String(), why: "reply shapes differ"}
	}
	if why := validPick(ev, pc, state); why != "" {
		return &mismatch{args: args, e: ev.String(), r: rv.String(), why: "ember's pick: " + why}
	}
	if why := validPick(rv, pc, state); why != "" {
		return &mismatch{args: args, e: ev.String(), r: rv.String(), why: "redis's pick (test bug?): " + why}
	}
	return nil
}

func setState(v resp.Value) map[string]string {
	m := map[string]string{}
	if v.Type == '*' || v.Type == '~' {
		for _, e := range v.Elems {
			m[e.Str] = ""
		}
	}
	return m
}

func hashState(v resp.Value) map[string]string {
	m := map[string]string{}
	if v.Type == '*' || v.Type == '%' {
		for i := 0; i+1 < len(v.Elems); i += 2 {
			m[v.Elems[i].Str] = v.Elems[i+1].Str
		}
	}
	return m
}

func runSrandmember(x *runner, p *pair, o op) error {
	sv, err := x.state(p, "SMEMBERS", o.args[1])
	if err != nil {
		return err
	}
	ev, rv, err := x.roundtrip(p, o.args)
	if err != nil {
		return err
	}
	return checkPicks(o.args, ev, rv, parsePick(o.args, false), setState(sv))
}

func runHrandfield(x *runner, p *pair, o op) error {
	hv, err := x.state(p, "HGETALL", o.args[1])
	if err != nil {
		return err
	}
	ev, rv, err := x.roundtrip(p, o.args)
	if err != nil {
		return err
	}
	withVals := len(o.args) == 4 && strings.EqualFold(o.args[3], "WITHVALUES")
	return checkPicks(o.args, ev, rv, parsePick(o.args, withVals), hashState(hv))
}

// runSpop checks SPOP like SRANDMEMBER with distinct picks, then removes
// on each side what the other popped, so that both sets agree again.
func runSpop(x *runner, p *pair, o op) error {
	key := o.args[1]
	sv, err := x.state(p, "SMEMBERS", key)
	if err != nil {
		return err
	}
	ev, rv, err := x.roundtrip(p, o.args)
	if err != nil {
		return err
	}
	pc := parsePick(o.args, false)
	if pc.count < 0 {
		pc.count = 0 // an error reply anyway
	}
	if err := checkPicks(o.args, ev, rv, pc, setState(sv)); err != nil {
		return err
	}
	if ev.Type == '-' || ev.Null {
		return nil
	}
	pe, _, _ := picks(ev, pc)
	pr, _, _ := picks(rv, pc)
	if sameMultiset(pe, pr) {
		return nil
	}
	if err := srem(p.e, key, pr); err != nil {
		return err
	}
	return srem(p.r, key, pe)
}

func srem(c *conn, key string, members []string) error {
	if len(members) == 0 {
		return nil
	}
	v, err := c.do(cat([]string{"SREM", key}, members...)...)
	if err == nil && v.Type != ':' {
		err = fmt.Errorf("%s: re-syncing after SPOP: SREM replied %s", c.name, v)
	}
	return err
}

// runRandomkey requires both sides to pick a key (or none) that exists on
// both sides.
func runRandomkey(x *runner, p *pair, o op) error {
	ev, rv, err := x.roundtrip(p, o.args)
	if err != nil {
		return err
	}
	if ev.Type != rv.Type || ev.Null != rv.Null || ev.Type != '$' || ev.Null {
		if !equal(ev, rv) {
			return &mismatch{args: o.args, e: ev.String(), r: rv.String()}
		}
		return nil
	}
	for _, k := range []string{ev.Str, rv.Str} {
		ex, rx, err := x.roundtrip(p, []string{"EXISTS", k})
		if err != nil {
			return err
		}
		if ex.Int != 1 || rx.Int != 1 {
			return &mismatch{args: o.args, e: ev.String(), r: rv.String(),
				why: fmt.Sprintf("picked %q: EXISTS gives ember %s, redis %s", k, ex, rx)}
		}
	}
	return nil
}

// lexOp is a lexicographic range command on the sorted set args[kpos].
// Redis defines its result only when all scores are equal (with mixed
// scores it depends on the skip list's random levels), so then it is
// compared exactly, else by type only.
func lexOp(kpos int, args ...string) op {
	return op{args: args, run: func(x *runner, p *pair, o op) error { return runLex(x, p, o, kpos) }}
}

func runLex(x *runner, p *pair, o op, kpos int) error {
	_, zv, err := x.plain(p, []string{"ZRANGE", o.args[kpos], "0", "-1", "WITHSCORES"}, cmpExact)
	if err != nil {
		return err
	}
	ev, rv, err := x.roundtrip(p, o.args)
	if err != nil {
		return err
	}
	if sameScores(zv) || ev.Type == '-' || rv.Type == '-' {
		if !equal(ev, rv) {
			return &mismatch{args: o.args, e: ev.String(), r: rv.String()}
		}
		return nil
	}
	if ev.Type != rv.Type {
		return &mismatch{args: o.args, e: ev.String(), r: rv.String(), why: "reply types differ"}
	}
	return nil
}

// sameScores reports whether a ZRANGE WITHSCORES reply (RESP2 flat or
// RESP3 pairs) has one score throughout, or is not a sorted set's.
func sameScores(v resp.Value) bool {
	var scores []string
	for i, e := range v.Elems {
		switch {
		case len(e.Elems) == 2:
			scores = append(scores, e.Elems[1].String())
		case i%2 == 1:
			scores = append(scores, e.String())
		}
	}
	for _, s := range scores {
		if s != scores[0] {
			return false
		}
	}
	return true
}

// runDbsize compares DBSIZE once neither side holds expired keys. Both
// count keys that expired (SET ... PXAT in the past) until something
// deletes them: active expiry, at its own pace, or in Redis a SCAN that
// meets them. So redis gets a full SCAN and ember-node an expiry cycle.
func runDbsize(x *runner, p *pair, o op) error {
	sides := []*conn{p.r}
	if x.ember != nil {
		x.ember.store.ExpireOnce(1 << 30)
	} else {
		sides = append(sides, p.e)
	}
	scan := []string{"SCAN", "0", "COUNT", "1000"}
	for _, c := range sides {
		first, err := c.do(scan...)
		if err != nil {
			return err
		}
		if !isScanReply(first) {
			return &mismatch{args: scan, e: "(not asked)", r: first.String(), why: c.name + "'s reply, in the SCAN before DBSIZE"}
		}
		if _, err := scanRest(c, scan, 1, first, false); err != nil {
			return err
		}
	}
	_, _, err := x.plain(p, o.args, cmpExact)
	return err
}

// runHello sends HELLO with the pair's own protocol version when args[1]
// is empty (the connection stays as it is; the reply is compared but for
// the connection id), else with a bad version (an error, compared exactly).
func runHello(x *runner, p *pair, o op) error {
	args := o.args
	if args[1] == "" {
		args = []string{args[0], strconv.Itoa(p.proto)}
	}
	ev, rv, err := x.roundtrip(p, args)
	if err != nil {
		return err
	}
	if !equal(helloSansID(ev), helloSansID(rv)) {
		return &mismatch{args: args, e: ev.String(), r: rv.String(), why: "compared without the connection id"}
	}
	return nil
}

// runMulti runs MULTI, the queued commands and EXEC or DISCARD on p.
func runMulti(x *runner, p *pair, o op) error {
	if _, _, err := x.plain(p, []string{"MULTI"}, cmpExact); err != nil {
		return err
	}
	return x.transaction(p, o)
}

// runWatch runs WATCH on p, o.other on the other pair, then the
// transaction on p.
func runWatch(x *runner, p *pair, o op) error {
	if _, _, err := x.plain(p, o.args, cmpExact); err != nil {
		return err
	}
	if o.other != nil {
		if _, _, err := x.plain(x.other(p), o.other, cmpExact); err != nil {
			return err
		}
	}
	if _, _, err := x.plain(p, []string{"MULTI"}, cmpExact); err != nil {
		return err
	}
	o.args = []string{"EXEC"}
	return x.transaction(p, o)
}

// transaction queues o.sub and ends with o.args (EXEC or DISCARD). EXEC's
// elements compare like the commands that were queued.
func (x *runner) transaction(p *pair, o op) error {
	var queued []op
	for _, s := range o.sub {
		_, rv, err := x.plain(p, s.args, cmpExact)
		if err != nil {
			return err
		}
		if rv.Type == '+' && rv.Str == "QUEUED" {
			queued = append(queued, s)
		}
	}
	ev, rv, err := x.roundtrip(p, o.args)
	if err != nil {
		return err
	}
	if ev.Type != '*' || rv.Type != '*' || ev.Null || rv.Null || len(ev.Elems) != len(queued) || len(rv.Elems) != len(queued) {
		if !equal(ev, rv) {
			return &mismatch{args: o.args, e: ev.String(), r: rv.String()}
		}
		return nil
	}
	for i, q := range queued {
		if !compare(q.cmp, ev.Elems[i], rv.Elems[i]) {
			return &mismatch{args: q.args, e: ev.Elems[i].String(), r: rv.Elems[i].String(),
				why: fmt.Sprintf("element %d of EXEC", i)}
		}
	}
	return nil
}
