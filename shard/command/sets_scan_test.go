package command

import (
	"strconv"
	"testing"
)

var sscanScript = []collStep{
	cstep(`*[$"0" *[]]`, "SSCAN", "nokey", "0"),
	cstep(`:3`, "SADD", "s", "a", "b", "ab"),
	cstep(`-"ERR invalid cursor"`, "SSCAN", "s", "x"),
	cstep(`-"ERR syntax error"`, "SSCAN", "s", "0", "COUNT", "0"),
	cstep(`-"ERR value is not an integer or out of range"`, "SSCAN", "s", "0", "COUNT", "1.5"),
	cstep(`-"ERR syntax error"`, "SSCAN", "s", "0", "MATCH"),
	cstep(`-"ERR syntax error"`, "SSCAN", "s", "0", "FOO", "bar"),
}

func TestSScanScript(t *testing.T) {
	t.Parallel()
	h := runColl(t, sscanScript)
	for _, args := range [][]string{{"SSCAN", "s", "0"}, {"SSCAN", "s", "0", "COUNT", "1", "MATCH", "*"}} {
		v := h.do(args...)
		if v.Elems[0].Str != "0" || len(v.Elems[1].Elems) != 3 {
			t.Fatalf("%q: %s, want the 3 members and cursor 0", args, v)
		}
	}
	v := h.do("SSCAN", "s", "0", "MATCH", "a*")
	if got := canonical(v.Elems[1], anyOrder); got != `*[$"a" $"ab"]` {
		t.Fatalf("MATCH a*: %s", got)
	}
}

func TestSScanLarge(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	fillSet(h, "s", 2000)
	seen := map[string]bool{}
	cursor, calls := "0", 0
	for {
		v := h.do("SSCAN", "s", cursor, "COUNT", "50", "MATCH", "m*")
		calls++
		for _, e := range v.Elems[1].Elems {
			seen[e.Str] = true
		}
		// Members removed mid-scan must not stop the rest being seen.
		if calls == 5 {
			for i := 1000; i < 2000; i++ {
				h.do("SREM", "s", "m"+strconv.Itoa(i))
			}
		}
		if cursor = v.Elems[0].Str; cursor == "0" {
			break
		}
	}
	for i := range 1000 {
		if !seen["m"+strconv.Itoa(i)] {
			t.Fatalf("m%d never returned (%d calls)", i, calls)
		}
	}
	if calls < 10 {
		t.Fatalf("%d calls for 2000 members at COUNT 50", calls)
	}
}
