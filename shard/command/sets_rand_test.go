package command

import (
	"strconv"
	"testing"

	"github.com/ember-node/ember-node/rpc/resp"
)

var spopScript = []collStep{
	cstep(`$nil`, "SPOP", "nokey"),
	resp3(cstep(`_nil`, "SPOP", "nokey")),
	cstep(`*[]`, "SPOP", "nokey", "2"),
	resp3(cstep(`~[]`, "SPOP", "nokey", "2")),
	cstep(`-"ERR value is out of range, must be positive"`, "SPOP", "nokey", "-1"),
	cstep(`-"ERR value is out of range, must be positive"`, "SPOP", "nokey", "x"),
	cstep(`-"ERR syntax error"`, "SPOP", "nokey", "1", "2"),
	cstep(`:3`, "SADD", "s", "a", "b", "c"),
	cstep(`*[]`, "SPOP", "s", "0"),
	resp3(cstep(`~[]`, "SPOP", "s", "0")),
	cstep(`:3`, "SCARD", "s"),
	resp3(unordered(`~[$"a" $"b" $"c"]`, "SPOP", "s", "3")),
	cstep(`:0`, "SCARD", "s"),
	cstep(`:2`, "SADD", "s", "a", "\x00"),
	unordered(`*[$"\x00" $"a"]`, "SPOP", "s", "9"),
	cstep(`:0`, "SCARD", "s"),
	cstep(`:1`, "SADD", "one", "x"),
	cstep(`$"x"`, "SPOP", "one"),
	cstep(`:0`, "SCARD", "one"),
	cstep(`+"OK"`, "SET", "one", "str"),
}

func TestSPopScript(t *testing.T) { t.Parallel(); runColl(t, spopScript) }

var srandmemberScript = []collStep{
	cstep(`$nil`, "SRANDMEMBER", "nokey"),
	resp3(cstep(`_nil`, "SRANDMEMBER", "nokey")),
	cstep(`*[]`, "SRANDMEMBER", "nokey", "5"),
	resp3(cstep(`*[]`, "SRANDMEMBER", "nokey", "-5")),
	cstep(`-"ERR value is not an integer or out of range"`, "SRANDMEMBER", "nokey", "x"),
	cstep(`-"ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"`, "SRANDMEMBER", "nokey", "-9223372036854775808"),
	cstep(`-"ERR syntax error"`, "SRANDMEMBER", "nokey", "1", "2"),
	cstep(`:3`, "SADD", "s", "a", "b", "c"),
	cstep(`*[]`, "SRANDMEMBER", "s", "0"),
	unordered(`*[$"a" $"b" $"c"]`, "SRANDMEMBER", "s", "3"),
	resp3(unordered(`*[$"a" $"b" $"c"]`, "SRANDMEMBER", "s", "30")),
	cstep(`:3`, "SCARD", "s"),
}

func TestSRandMemberScript(t *testing.T) { t.Parallel(); runColl(t, srandmemberScript) }

// fillSet creates key with members "m0".."m<n-1>".
func fillSet(h *harness, key string, n int) {
	args := []string{"SADD", key}
	for i := range n {
		args = append(args, "m"+strconv.Itoa(i))
	}
	h.do(args...)
}

// memberSet checks that v holds count members of fillSet's shape,
// distinct when distinct, and returns them.
func memberSet(t *testing.T, v resp.Value, typ byte, count int, distinct bool) map[string]bool {
	t.Helper()
	if v.Type != typ || len(v.Elems) != count {
		t.Fatalf("got %d elements of %c, want %d of %c", len(v.Elems), v.Type, count, typ)
	}
	out := map[string]bool{}
	for _, e := range v.Elems {
		if len(e.Str) < 2 || e.Str[0] != 'm' || distinct && out[e.Str] {
			t.Fatalf("bad or repeated member %q", e.Str)
		}
		out[e.Str] = true
	}
	return out
}

func TestSRandMemberCounts(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	fillSet(h, "s", 100)
	for _, count := range []int{1, 2, 33, 34, 99, 100} {
		for range 5 {
			memberSet(t, h.do("SRANDMEMBER", "s", strconv.Itoa(count)), '*', count, true)
		}
	}
	all := map[string]bool{}
	for range 20 {
		for m := range memberSet(t, h.do("SRANDMEMBER", "s", "-150"), '*', 150, false) {
			all[m] = true
		}
	}
	if len(all) != 100 {
		t.Fatalf("negative counts reached %d of 100 members", len(all))
	}
	if v := h.do("SRANDMEMBER", "s"); v.Type != '$' || v.Str[0] != 'm' {
		t.Fatalf("SRANDMEMBER s = %s", v)
	}
}

// TestSPopCounts pops with counts that take each of Redis's paths and
// checks that what was popped left the set and nothing else did.
func TestSPopCounts(t *testing.T) {
	t.Parallel()
	for _, count := range []int{1, 10, 50, 83, 84, 95, 99} {
		h := newHarness(t)
		fillSet(h, "s", 100)
		h.proto = 3
		popped := memberSet(t, h.do("SPOP", "s", strconv.Itoa(count)), '~', count, true)
		h.proto = 2
		left := memberSet(t, h.do("SMEMBERS", "s"), '*', 100-count, true)
		for m := range popped {
			if left[m] {
				t.Fatalf("count %d: %q popped and still there", count, m)
			}
		}
		if n := h.do("SCARD", "s").Int; n != int64(100-count) {
			t.Fatalf("count %d: SCARD %d", count, n)
		}
	}
}

// TestSPopReplicasAgree runs the same pops on two keyspaces, as two
// replicas apply one log: every reply and the final sets must be equal.
func TestSPopReplicasAgree(t *testing.T) {
	t.Parallel()
	a, b := newHarness(t), newHarness(t)
	for _, h := range []*harness{a, b} {
		fillSet(h, "s", 500)
	}
	for i := range 60 {
		args := []string{"SPOP", "s"}
		if i%3 != 0 {
			args = append(args, strconv.Itoa(i%17))
		}
		if ra, rb := a.str(args...), b.str(args...); ra != rb {
			t.Fatalf("%q: replicas differ: %s vs %s", args, ra, rb)
		}
	}
	if a.str("SMEMBERS", "s") != b.str("SMEMBERS", "s") {
		t.Fatal("replicas hold different sets")
	}
}

func TestSPopLastEmptiesKey(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	fillSet(h, "s", 5)
	for range 5 {
		h.do("SPOP", "s")
	}
	if h.ks.Peek([]byte("s")) != nil || h.ks.Len() != 0 || h.ks.UsedMemory() != 0 {
		t.Fatalf("key left behind: len %d mem %d", h.ks.Len(), h.ks.UsedMemory())
	}
}
