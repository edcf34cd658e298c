package difftest

import (
	"testing"

	"github.com/ember-node/ember-node/rpc/resp"
)

func bulk(s string) resp.Value { return resp.Value{Type: '$', Str: s} }
func arr(t byte, vs ...resp.Value) resp.Value {
	return resp.Value{Type: t, Elems: append([]resp.Value{}, vs...)}
}
func num(n int64) resp.Value { return resp.Value{Type: ':', Int: n} }

// TestCompare pins down the freedoms the differential test grants, so
// that a change to them is deliberate.
func TestCompare(t *testing.T) {
	t.Parallel()
	errA := resp.Value{Type: '-', Str: "ERR a"}
	errB := resp.Value{Type: '-', Str: "ERR b"}
	cases := []struct {
		name string
		mode cmpMode
		e, r resp.Value
		want bool
	}{
		{"exact order matters", cmpExact, arr('*', bulk("a"), bulk("b")), arr('*', bulk("b"), bulk("a")), false},
		{"unordered", cmpUnordered, arr('*', bulk("a"), bulk("b")), arr('*', bulk("b"), bulk("a")), true},
		{"unordered counts duplicates", cmpUnordered, arr('*', bulk("a"), bulk("a")), arr('*', bulk("a"), bulk("b")), false},
		{"unordered keeps the type byte", cmpUnordered, arr('~', bulk("a")), arr('*', bulk("a")), false},
		{"pairs stay pairs", cmpPairs, arr('%', bulk("f"), bulk("1"), bulk("g"), bulk("2")), arr('%', bulk("g"), bulk("2"), bulk("f"), bulk("1")), true},
		{"pairs not mixed", cmpPairs, arr('%', bulk("f"), bulk("1"), bulk("g"), bulk("2")), arr('%', bulk("f"), bulk("2"), bulk("g"), bulk("1")), false},
		{"seconds within 1", cmpSec, num(100), num(99), true},
		{"seconds beyond 1", cmpSec, num(100), num(98), false},
		{"no TTL is exact", cmpSec, num(-1), num(-2), false},
		{"milliseconds within 1000", cmpMilli, num(100000), num(99001), true},
		{"errors always exact", cmpShape, errA, errB, false},
		{"shape ignores content", cmpShape, arr('*', bulk("1"), bulk("2")), arr('*', bulk("3"), bulk("4")), true},
		{"shape checks length", cmpShape, arr('*', bulk("1")), arr('*', bulk("3"), bulk("4")), false},
	}
	for _, c := range cases {
		if got := compare(c.mode, c.e, c.r); got != c.want {
			t.Errorf("%s: compare = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestValidPick(t *testing.T) {
	t.Parallel()
	state := map[string]string{"a": "1", "b": "2", "c": "3"}
	cases := []struct {
		name string
		pc   pickCheck
		v    resp.Value
		ok   bool
	}{
		{"single", pickCheck{}, bulk("a"), true},
		{"single not a member", pickCheck{}, bulk("z"), false},
		{"positive count is capped", pickCheck{hasCount: true, count: 5}, arr('*', bulk("a"), bulk("b"), bulk("c")), true},
		{"positive count is distinct", pickCheck{hasCount: true, count: 2}, arr('*', bulk("a"), bulk("a")), false},
		{"negative count repeats", pickCheck{hasCount: true, count: -3}, arr('*', bulk("a"), bulk("a"), bulk("a")), true},
		{"negative count length", pickCheck{hasCount: true, count: -3}, arr('*', bulk("a")), false},
		{"values must match", pickCheck{hasCount: true, count: 1, withVals: true}, arr('*', bulk("a"), bulk("2")), false},
		{"RESP3 pairs", pickCheck{hasCount: true, count: 2, withVals: true}, arr('*', arr('*', bulk("a"), bulk("1")), arr('*', bulk("c"), bulk("3"))), true},
	}
	for _, c := range cases {
		if why := validPick(c.v, c.pc, state); (why == "") != c.ok {
			t.Errorf("%s: validPick = %q, want ok=%v", c.name, why, c.ok)
		}
	}
}
