package command

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/ember-node/ember-node/shard"
)

func TestParseCursor(t *testing.T) {
	t.Parallel()
	// Expected values are Redis 7.0's (strtoul with its checks).
	cases := []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"0", 0, true},
		{"", 0, true},
		{"007", 7, true},
		{"+0", 0, true},
		{"-0", 0, true},
		{"-1", 1<<64 - 1, true},
		{"18446744073709551615", 1<<64 - 1, true},
		{"-18446744073709551615", 1, true},
		{"0\x00junk", 0, true},
		{"18446744073709551616", 0, false},
		{"-18446744073709551616", 0, false},
		{" 0", 0, false},
		{"0 ", 0, false},
		{"-", 0, false},
		{"+", 0, false},
		{"--1", 0, false},
		{"0x1", 0, false},
		{"abc", 0, false},
		{"1.0", 0, false},
	}
	for _, c := range cases {
		got, ok := parseCursor([]byte(c.in))
		if got != c.want || ok != c.ok {
			t.Errorf("parseCursor(%q) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestScanErrors(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.expect(`+"OK"`, "SET", "a", "1")
	runKeysSteps(h, []keysStep{
		{`-"ERR invalid cursor"`, kargs("SCAN abc")},
		{`-"ERR invalid cursor"`, kargs("SCAN abc FOO")}, // cursor first
		{`-"ERR invalid cursor"`, kargs("SCAN 18446744073709551616")},
		{`-"ERR syntax error"`, kargs("SCAN 0 COUNT 0")},
		{`-"ERR syntax error"`, kargs("SCAN 0 COUNT -1")},
		{`-"ERR value is not an integer or out of range"`, kargs("SCAN 0 COUNT abc")},
		{`-"ERR syntax error"`, kargs("SCAN 0 COUNT")},
		{`-"ERR syntax error"`, kargs("SCAN 0 MATCH")},
		{`-"ERR syntax error"`, kargs("SCAN 0 FOO bar")},
		{`-"ERR syntax error"`, kargs("SCAN 0 MATCH * COUNT 1 TYPE")},
		{`-"ERR wrong number of arguments for 'scan' command"`, kargs("SCAN")},
		{`-"ERR wrong number of arguments for 'keys' command"`, kargs("KEYS")},
		{`*[$"0" *[$"a"]]`, []string{"SCAN", ""}},
		{`*[$"0" *[$"a"]]`, kargs("SCAN 0 COUNT 9223372036854775807")},
		{`*[$"0" *[$"a"]]`, kargs("scan 0 match * type STRING")},
		{`*[$"0" *[]]`, kargs("SCAN 0 TYPE none")},
		{`*[$"0" *[]]`, kargs("SCAN 0 TYPE blah")},
		{`*[$"0" *[]]`, kargs("SCAN 0 TYPE list")},
		{`*[$"0" *[]]`, kargs("SCAN 0 MATCH b*")},
	})
}

// scanAll iterates SCAN to the end with the given options and returns the
// keys in the order returned, duplicates kept.
func scanAll(h *harness, opts ...string) []string {
	h.t.Helper()
	var keys []string
	cursor := "0"
	for i := 0; ; i++ {
		if i > 1_000_000 {
			h.t.Fatal("SCAN does not terminate")
		}
		v := h.do(append([]string{"SCAN", cursor}, opts...)...)
		if len(v.Elems) != 2 {
			h.t.Fatalf("SCAN reply %s", v)
		}
		for _, e := range v.Elems[1].Elems {
			keys = append(keys, e.Str)
		}
		if cursor = v.Elems[0].Str; cursor == "0" {
			return keys
		}
	}
}

func TestScanFilters(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	var want []string
	for i := range 300 {
		k := "key:" + strconv.Itoa(i)
		h.expect(`+"OK"`, "SET", k, "v")
		if i%3 == 0 {
			want = append(want, k)
		} else {
			h.expect(`:1`, "PEXPIRE", k, "10")
		}
	}
	h.ks.Create([]byte("key:list"), shard.KindList, h.now) // not flushed: stays as an empty list
	h.now += 10
	got := scanAll(h, "COUNT", "7", "TYPE", "string")
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("SCAN returned %d keys, want the %d live ones", len(got), len(want))
	}
	got = scanAll(h, "MATCH", "key:1?", "TYPE", "STRING")
	if slices.Sort(got); !slices.Equal(got, []string{"key:12", "key:15", "key:18"}) {
		t.Errorf("MATCH key:1? returned %q", got)
	}
	if got := scanAll(h, "TYPE", "LIST"); len(got) != 1 || got[0] != "key:list" {
		t.Errorf("TYPE list returned %q", got)
	}
	if got := scanAll(h, "COUNT", "1"); len(got) != len(want)+1 {
		t.Errorf("COUNT 1 returned %d keys", len(got))
	}
}

func TestKeys(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.expect(`*[]`, "KEYS", "*")
	for _, k := range []string{"a", "b", "c", "ab", "a*"} {
		h.expect(`+"OK"`, "SET", k, "v")
	}
	h.expect(`+"OK"`, "SET", "abc", "v", "PX", "1")
	h.now++
	cases := []struct {
		pattern string
		want    []string
	}{
		{"*", []string{"a", "a*", "ab", "b", "c"}},
		{"a*", []string{"a", "a*", "ab"}},
		{`a\*`, []string{"a*"}},
		{"[bc]", []string{"b", "c"}},
		{"[^a]", []string{"b", "c"}},
		{"?", []string{"a", "b", "c"}},
		{"abc", nil},
		{"A", nil},
	}
	for _, c := range cases {
		v := h.do("KEYS", c.pattern)
		var got []string
		for _, e := range v.Elems {
			got = append(got, e.Str)
		}
		slices.Sort(got)
		if !slices.Equal(got, c.want) {
			t.Errorf("KEYS %s = %q, want %q", c.pattern, got, c.want)
		}
	}
}

// TestScanGuarantee checks Redis's SCAN guarantee under churn: keys are
// inserted and deleted between SCAN calls, in amounts that grow and shrink
// the slot tables (hash tags pack many keys into few slots), and every key
// present for the whole iteration must still be returned.
func TestScanGuarantee(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	rnd := rand.New(rand.NewPCG(7, 9))
	tags := []string{"{t1}", "{t2}", "{t3}"}
	stable := map[string]bool{}
	for i := range 320 {
		k := "s" + strconv.Itoa(i)
		if i%4 != 0 {
			k = tags[i%3] + k // 80 stable keys in each tagged slot
		}
		h.expect(`+"OK"`, "SET", k, "v")
		stable[k] = true
	}
	var temp []string
	next := 0
	churn := func() {
		if rnd.IntN(3) == 0 && len(temp) > 0 {
			// Delete most temporary keys: the tagged tables shrink.
			rnd.Shuffle(len(temp), func(i, j int) { temp[i], temp[j] = temp[j], temp[i] })
			cut := len(temp) / 20
			for _, k := range temp[cut:] {
				h.do("DEL", k)
			}
			temp = temp[:cut]
			return
		}
		// Add many to one tagged slot (its table grows) and a few elsewhere.
		tag := tags[rnd.IntN(len(tags))]
		for i := range rnd.IntN(3000) {
			k := "t" + strconv.Itoa(next)
			if i%8 != 0 {
				k = tag + k
			}
			next++
			h.do("SET", k, "v")
			temp = append(temp, k)
		}
	}
	for round := range 4 {
		seen := map[string]bool{}
		cursor := "0"
		for calls := 0; ; calls++ {
			if calls > 100_000 {
				t.Fatal("SCAN does not terminate")
			}
			v := h.do("SCAN", cursor, "COUNT", strconv.Itoa(1+rnd.IntN(30)))
			for _, e := range v.Elems[1].Elems {
				seen[e.Str] = true
			}
			if cursor = v.Elems[0].Str; cursor == "0" {
				break
			}
			if calls%4 == 0 {
				churn()
			}
		}
		for k := range stable {
			if !seen[k] {
				t.Fatalf("round %d: stable key %q never returned", round, k)
			}
		}
	}
}
