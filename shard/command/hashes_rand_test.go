package command

import (
	"strconv"
	"testing"

	"github.com/ember-node/ember-node/rpc/resp"
)

var hrandfieldScript = []collStep{
	cstep(`$nil`, "HRANDFIELD", "nokey"),
	resp3(cstep(`_nil`, "HRANDFIELD", "nokey")),
	cstep(`*[]`, "HRANDFIELD", "nokey", "3"),
	resp3(cstep(`*[]`, "HRANDFIELD", "nokey", "-3", "WITHVALUES")),
	cstep(`:3`, "HSET", "h", "a", "1", "b", "2", "c", "3"),
	cstep(`*[]`, "HRANDFIELD", "h", "0"),
	cstep(`*[]`, "HRANDFIELD", "h", "0", "WITHVALUES"),
	unordered(`*[$"a" $"b" $"c"]`, "HRANDFIELD", "h", "3"),
	unordered(`*[$"a" $"b" $"c"]`, "HRANDFIELD", "h", "100"),
	pairs(`*[$"a" $"1" $"b" $"2" $"c" $"3"]`, "HRANDFIELD", "h", "5", "withvalues"),
	resp3(unordered(`*[*[$"a" $"1"] *[$"b" $"2"] *[$"c" $"3"]]`, "HRANDFIELD", "h", "5", "WITHVALUES")),
	cstep(`-"ERR value is not an integer or out of range"`, "HRANDFIELD", "h", "x"),
	cstep(`-"ERR value is not an integer or out of range"`, "HRANDFIELD", "nokey", "1.0"),
	cstep(`-"ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"`, "HRANDFIELD", "h", "-9223372036854775808"),
	cstep(`-"ERR value is out of range"`, "HRANDFIELD", "h", "-9223372036854775807", "WITHVALUES"),
	cstep(`-"ERR value is out of range"`, "HRANDFIELD", "h", "4611686018427387904", "WITHVALUES"),
	cstep(`-"ERR syntax error"`, "HRANDFIELD", "h", "1", "VALUES"),
	cstep(`-"ERR syntax error"`, "HRANDFIELD", "h", "1", "WITHVALUES", "x"),
	cstep(`-"ERR syntax error"`, "HRANDFIELD", "nokey", "1", "x"),
}

func TestHRandFieldScript(t *testing.T) { t.Parallel(); runColl(t, hrandfieldScript) }

// fillHash creates key with n fields "f<i>" = "v<i>".
func fillHash(h *harness, key string, n int) {
	args := []string{"HSET", key}
	for i := range n {
		args = append(args, "f"+strconv.Itoa(i), "v"+strconv.Itoa(i))
	}
	h.do(args...)
}

// checkPicks checks count picks of fields of fillHash's shape, pairs of
// field and value when withValues, distinct when distinct.
func checkPicks(t *testing.T, v resp.Value, count int, withValues, distinct bool) {
	t.Helper()
	step := 1
	if withValues {
		step = 2
	}
	if v.Type != '*' || len(v.Elems) != count*step {
		t.Fatalf("got %d elements of %c, want %d", len(v.Elems), v.Type, count*step)
	}
	seen := map[string]bool{}
	for i := 0; i < len(v.Elems); i += step {
		f := v.Elems[i].Str
		if len(f) < 2 || f[0] != 'f' {
			t.Fatalf("bad field %q", f)
		}
		if withValues && v.Elems[i+1].Str != "v"+f[1:] {
			t.Fatalf("field %q has value %q", f, v.Elems[i+1].Str)
		}
		if distinct && seen[f] {
			t.Fatalf("field %q picked twice", f)
		}
		seen[f] = true
	}
}

func TestHRandFieldCounts(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	fillHash(h, "h", 100)
	for _, count := range []int{1, 2, 10, 33, 34, 60, 99, 100} {
		for range 5 {
			checkPicks(t, h.do("HRANDFIELD", "h", strconv.Itoa(count)), count, false, true)
			checkPicks(t, h.do("HRANDFIELD", "h", strconv.Itoa(count), "WITHVALUES"), count, true, true)
		}
	}
	// A negative count repeats: over many draws of 150 from 100, repeats
	// must occur, and every field is reachable.
	all := map[string]bool{}
	for range 20 {
		v := h.do("HRANDFIELD", "h", "-150", "WITHVALUES")
		checkPicks(t, v, 150, true, false)
		for i := 0; i < len(v.Elems); i += 2 {
			all[v.Elems[i].Str] = true
		}
	}
	if len(all) != 100 {
		t.Fatalf("negative counts reached %d of 100 fields", len(all))
	}
	v := h.do("HRANDFIELD", "h")
	if v.Type != '$' || v.Str[0] != 'f' {
		t.Fatalf("HRANDFIELD h = %s", v)
	}
}

func TestHRandFieldResp3Pairs(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	fillHash(h, "h", 10)
	h.proto = 3
	for _, count := range []string{"-4", "1", "3", "9", "20"} {
		v := h.do("HRANDFIELD", "h", count, "WITHVALUES")
		n, _ := strconv.Atoi(count)
		if n > 10 {
			n = 10
		}
		if len(v.Elems) != max(n, -n) {
			t.Fatalf("count %s: %d elements", count, len(v.Elems))
		}
		for _, p := range v.Elems {
			if p.Type != '*' || len(p.Elems) != 2 || p.Elems[1].Str != "v"+p.Elems[0].Str[1:] {
				t.Fatalf("count %s: bad pair %s", count, p)
			}
		}
	}
}
