package difftest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ember-node/ember-node/rpc/resp"
)

// Drivers for replies whose form Redis leaves free but whose content it
// fixes: scans (cursors differ, the union of a full iteration does not),
// lexicographic ranges, and DBSIZE.

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
// meets them. So redis gets a full SCAN and ember-node time for its
// active expiry (awaitExpiry).
func runDbsize(x *runner, p *pair, o op) error {
	sides := []*conn{p.r}
	if x.ember == nil {
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
	if x.ember != nil {
		if err := awaitExpiry(p); err != nil {
			return err
		}
	}
	_, _, err := x.plain(p, o.args, cmpExact)
	return err
}

// expiryWait bounds awaitExpiry: ember-node's active expiry runs every
// 100ms and covers a sequence's few volatile keys in two runs.
const expiryWait = 5 * time.Second

// awaitExpiry waits, at most expiryWait, until ember-node counts no more
// keys than redis, whose SCAN just deleted every expired key. Every TTL
// the generator draws is in the past or years ahead, so no key expires
// meanwhile: what ember-node counts beyond redis's is expired keys its
// active expiry has yet to delete, or a bug, which the DBSIZE compared
// afterwards shows.
func awaitExpiry(p *pair) error {
	deadline := time.Now().Add(expiryWait)
	for {
		ev, rv, err := p.do([]string{"DBSIZE"})
		if err != nil || ev.Type != ':' || rv.Type != ':' || ev.Int <= rv.Int || time.Now().After(deadline) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}
