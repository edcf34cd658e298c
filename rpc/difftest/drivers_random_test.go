package difftest

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ember-node/ember-node/rpc/resp"
)

// Drivers for random picks: each pick is checked against the state both
// sides agree on, and after SPOP the two sides are made equal again.

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
