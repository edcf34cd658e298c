package command

import (
	"strconv"
	"testing"
)

var hscanScript = []collStep{
	cstep(`*[$"0" *[]]`, "HSCAN", "nokey", "0"),
	cstep(`*[$"0" *[]]`, "HSCAN", "nokey", "0", "COUNT", "0"),
	cstep(`:3`, "HSET", "h", "a", "1", "b", "2", "ab", "3"),
	cstep(`-"ERR invalid cursor"`, "HSCAN", "h", "x"),
	cstep(`-"ERR invalid cursor"`, "HSCAN", "h", " 0"),
	cstep(`-"ERR invalid cursor"`, "HSCAN", "h", "0 "),
	cstep(`-"ERR invalid cursor"`, "HSCAN", "h", "-"),
	cstep(`-"ERR invalid cursor"`, "HSCAN", "h", "18446744073709551616"),
	cstep(`-"ERR invalid cursor"`, "HSCAN", "nokey", "1.5"),
	cstep(`-"ERR syntax error"`, "HSCAN", "h", "0", "COUNT", "0"),
	cstep(`-"ERR syntax error"`, "HSCAN", "h", "0", "COUNT", "-1"),
	cstep(`-"ERR value is not an integer or out of range"`, "HSCAN", "h", "0", "COUNT", "x"),
	cstep(`-"ERR syntax error"`, "HSCAN", "h", "0", "MATCH"),
	cstep(`-"ERR syntax error"`, "HSCAN", "h", "0", "TYPE", "string"),
	cstep(`-"ERR syntax error"`, "HSCAN", "h", "0", "NOVALUES"),
	// A small hash comes whole, whatever the cursor.
	cstep(`*[$"0" *[$"a" $"1" $"ab" $"3" $"b" $"2"]]`, "HSCAN", "h", "0"),
	cstep(`*[$"0" *[$"a" $"1" $"ab" $"3" $"b" $"2"]]`, "HSCAN", "h", "-1", "COUNT", "1"),
	cstep(`*[$"0" *[$"a" $"1" $"ab" $"3" $"b" $"2"]]`, "HSCAN", "h", "+0", "MATCH", "*"),
	cstep(`*[$"0" *[$"a" $"1" $"ab" $"3" $"b" $"2"]]`, "HSCAN", "h", ""),
	cstep(`*[$"0" *[$"a" $"1" $"ab" $"3"]]`, "HSCAN", "h", "0", "MATCH", "a*"),
	cstep(`*[$"0" *[$"ab" $"3"]]`, "HSCAN", "h", "0", "MATCH", "b", "COUNT", "5", "MATCH", "?b"),
	cstep(`*[$"0" *[]]`, "HSCAN", "h", "0", "match", "zz*"),
}

// TestHScanScript compares scan replies with their pairs sorted.
func TestHScanScript(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, s := range hscanScript {
		v := h.do(s.args...)
		if v.Type == '*' && len(v.Elems) == 2 {
			v.Elems[1].Elems = sortGroups(v.Elems[1].Elems, 2)
		}
		if got := v.String(); got != s.want {
			t.Errorf("%q: got %s, want %s", s.args, got, s.want)
		}
	}
}

// TestHScanLarge iterates a hash too big to come whole: every field is
// returned, with its value, and calls respect COUNT loosely.
func TestHScanLarge(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	fillHash(h, "h", 1000)
	seen := map[string]string{}
	cursor, calls := "0", 0
	for {
		v := h.do("HSCAN", "h", cursor, "COUNT", "20")
		calls++
		page := v.Elems[1].Elems
		if len(page) > 2*60 {
			t.Fatalf("one call returned %d entries for COUNT 20", len(page))
		}
		for i := 0; i < len(page); i += 2 {
			seen[page[i].Str] = page[i+1].Str
		}
		cursor = v.Elems[0].Str
		if cursor == "0" {
			break
		}
	}
	if len(seen) != 1000 || calls < 20 {
		t.Fatalf("saw %d fields in %d calls", len(seen), calls)
	}
	for f, v := range seen {
		if v != "v"+f[1:] {
			t.Fatalf("field %q has value %q", f, v)
		}
	}
	// MATCH filters what the buckets visited hold.
	matched := 0
	cursor = "0"
	for {
		v := h.do("HSCAN", "h", cursor, "MATCH", "f1?", "COUNT", "100")
		for i := 0; i < len(v.Elems[1].Elems); i += 2 {
			f := v.Elems[1].Elems[i].Str
			if len(f) != 3 || f[1] != '1' {
				t.Fatalf("MATCH f1? returned %q", f)
			}
			matched++
		}
		if cursor = v.Elems[0].Str; cursor == "0" {
			break
		}
	}
	if matched != 10 {
		t.Fatalf("MATCH f1? matched %d fields, want 10", matched)
	}
}

func TestParseCollCursor(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"0", 0, true}, {"", 0, true}, {"+7", 7, true}, {"-1", 1<<64 - 1, true},
		{"18446744073709551615", 1<<64 - 1, true}, {"18446744073709551616", 0, false},
		{"12\x00junk", 12, true}, {" 1", 0, false}, {"1 ", 0, false}, {"+", 0, false},
		{"--1", 0, false}, {"0x10", 0, false}, {strconv.Itoa(1 << 40), 1 << 40, true},
	}
	for _, c := range cases {
		got, ok := parseCursor([]byte(c.in))
		if got != c.want || ok != c.ok {
			t.Errorf("parseCursor(%q) = %d %v, want %d %v", c.in, got, ok, c.want, c.ok)
		}
	}
}
