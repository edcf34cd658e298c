package command

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ember-node/ember-node/rpc/resp"
)

// collStep is one command of a script and the reply it must give.
// Collections have no order, so a reply can be compared sorted.
type collStep struct {
	want  string
	args  []string
	order int // exact, anyOrder or anyPairs
	proto int // 3 for RESP3, else RESP2
}

const (
	exact    = iota
	anyOrder // the top-level elements in any order
	anyPairs // the top-level elements in any order, two by two
)

func cstep(want string, args ...string) collStep { return collStep{want: want, args: args} }

// unordered and pairs are steps whose reply order is free.
func unordered(want string, args ...string) collStep {
	return collStep{want: want, args: args, order: anyOrder}
}

func pairs(want string, args ...string) collStep {
	return collStep{want: want, args: args, order: anyPairs}
}

// resp3 runs s with RESP3.
func resp3(s collStep) collStep { s.proto = 3; return s }

// canonical renders v with its top-level elements (or pairs of them)
// sorted by their rendering, so a want lists them in that order.
func canonical(v resp.Value, order int) string {
	if order == exact || v.Elems == nil {
		return v.String()
	}
	n := 1
	if order == anyPairs || v.Type == '%' {
		n = 2
	}
	v.Elems = sortGroups(v.Elems, n)
	return v.String()
}

// sortGroups returns elems with its runs of n elements sorted by their
// rendering.
func sortGroups(elems []resp.Value, n int) []resp.Value {
	var groups [][]resp.Value
	for i := 0; i+n <= len(elems); i += n {
		groups = append(groups, elems[i:i+n])
	}
	key := func(g []resp.Value) string { return resp.Value{Type: '*', Elems: g}.String() }
	slices.SortFunc(groups, func(a, b []resp.Value) int { return strings.Compare(key(a), key(b)) })
	return slices.Concat(groups...)
}

// runColl runs a script on a fresh harness and returns the harness.
func runColl(t *testing.T, script []collStep) *harness {
	t.Helper()
	h := newHarness(t)
	for _, s := range script {
		h.proto = s.proto
		if got := canonical(h.do(s.args...), s.order); got != s.want {
			t.Errorf("%q: got %s, want %s", s.args, got, s.want)
		}
	}
	h.proto = 2
	return h
}

const wrongType = `-"WRONGTYPE Operation against a key holding the wrong kind of value"`

var hsetScript = []collStep{
	cstep(`:2`, "HSET", "h", "a", "1", "b", "2"),
	cstep(`:1`, "HSET", "h", "a", "x", "c", "3", "c", "4"),
	cstep(`$"x"`, "HGET", "h", "a"),
	cstep(`$"4"`, "HGET", "h", "c"),
	cstep(`$nil`, "HGET", "h", "zz"),
	cstep(`$nil`, "HGET", "nokey", "a"),
	cstep(`-"ERR wrong number of arguments for 'hset' command"`, "HSET", "h", "a", "1", "b"),
	cstep(`-"ERR wrong number of arguments for 'hset' command"`, "HSET", "h", "a"),
	cstep(`-"ERR wrong number of arguments for 'hmset' command"`, "HMSET", "h", "a", "1", "b"),
	cstep(`+"OK"`, "HMSET", "h", "a", "y", "d", "5"),
	cstep(`*[$"y" $nil $"5"]`, "HMGET", "h", "a", "zz", "d"),
	cstep(`*[$nil $nil]`, "HMGET", "nokey", "a", "b"),
	resp3(cstep(`*[$"y" _nil]`, "HMGET", "h", "a", "zz")),
	cstep(`:0`, "HSETNX", "h", "a", "z"),
	cstep(`:1`, "HSETNX", "h", "e", "6"),
	cstep(`:1`, "HSETNX", "new", "f", "v"),
	cstep(`$"y"`, "HGET", "h", "a"),
	cstep(`:5`, "HLEN", "h"),
	cstep(`:0`, "HLEN", "nokey"),
	// Empty and binary fields and values.
	cstep(`:2`, "HSET", "bin", "", "empty", "k\x00\r\n", "\x00\xff"),
	cstep(`$"empty"`, "HGET", "bin", ""),
	cstep(`$"\x00\xff"`, "HGET", "bin", "k\x00\r\n"),
	cstep(`:2`, "HSTRLEN", "bin", "k\x00\r\n"),
	cstep(`:0`, "HSET", "bin", "", ""),
	cstep(`$""`, "HGET", "bin", ""),
	cstep(`:1`, "HEXISTS", "bin", ""),
	cstep(`:0`, "HSTRLEN", "bin", ""),
	cstep(`:1`, "HSTRLEN", "h", "a"),
	cstep(`:0`, "HSTRLEN", "h", "zz"),
	cstep(`:0`, "HSTRLEN", "nokey", "a"),
	cstep(`:1`, "HEXISTS", "h", "a"),
	cstep(`:0`, "HEXISTS", "h", "zz"),
	cstep(`:0`, "HEXISTS", "nokey", "a"),
}

func TestHSetGet(t *testing.T) { t.Parallel(); runColl(t, hsetScript) }

var hgetallScript = []collStep{
	cstep(`:3`, "HSET", "h", "a", "1", "b", "2", "c", "3"),
	pairs(`*[$"a" $"1" $"b" $"2" $"c" $"3"]`, "HGETALL", "h"),
	resp3(pairs(`%[$"a" $"1" $"b" $"2" $"c" $"3"]`, "HGETALL", "h")),
	cstep(`*[]`, "HGETALL", "nokey"),
	resp3(cstep(`%[]`, "HGETALL", "nokey")),
	unordered(`*[$"a" $"b" $"c"]`, "HKEYS", "h"),
	unordered(`*[$"1" $"2" $"3"]`, "HVALS", "h"),
	resp3(unordered(`*[$"1" $"2" $"3"]`, "HVALS", "h")),
	cstep(`*[]`, "HKEYS", "nokey"),
	resp3(cstep(`*[]`, "HVALS", "nokey")),
	cstep(`:2`, "HDEL", "h", "a", "a", "b", "zz"),
	cstep(`:0`, "HDEL", "nokey", "a"),
	pairs(`*[$"c" $"3"]`, "HGETALL", "h"),
	cstep(`:1`, "HDEL", "h", "c"),
	// The last field gone, the key is gone: it may become a string.
	cstep(`:0`, "HLEN", "h"),
	cstep(`+"OK"`, "SET", "h", "s"),
	cstep(`$"s"`, "GET", "h"),
}

func TestHGetAllDel(t *testing.T) { t.Parallel(); runColl(t, hgetallScript) }

var hashWrongTypeScript = []collStep{
	cstep(`+"OK"`, "SET", "s", "x"),
	cstep(wrongType, "HSET", "s", "a", "1"),
	cstep(wrongType, "HMSET", "s", "a", "1"),
	cstep(wrongType, "HSETNX", "s", "a", "1"),
	cstep(wrongType, "HGET", "s", "a"),
	cstep(wrongType, "HMGET", "s", "a"),
	cstep(wrongType, "HGETALL", "s"),
	cstep(wrongType, "HKEYS", "s"),
	cstep(wrongType, "HVALS", "s"),
	cstep(wrongType, "HDEL", "s", "a"),
	cstep(wrongType, "HEXISTS", "s", "a"),
	cstep(wrongType, "HLEN", "s"),
	cstep(wrongType, "HSTRLEN", "s", "a"),
	cstep(wrongType, "HINCRBY", "s", "a", "1"),
	cstep(wrongType, "HINCRBYFLOAT", "s", "a", "1"),
	cstep(wrongType, "HRANDFIELD", "s"),
	cstep(wrongType, "HRANDFIELD", "s", "0"),
	cstep(wrongType, "HRANDFIELD", "s", "-1", "WITHVALUES"),
	cstep(wrongType, "HSCAN", "s", "0"),
	cstep(`-"ERR invalid cursor"`, "HSCAN", "s", "x"),
	cstep(`$"x"`, "GET", "s"),
}

func TestHashWrongType(t *testing.T) { t.Parallel(); runColl(t, hashWrongTypeScript) }

var hincrbyScript = []collStep{
	cstep(`:5`, "HINCRBY", "h", "n", "5"),
	cstep(`:-5`, "HINCRBY", "h", "n", "-10"),
	cstep(`$"-5"`, "HGET", "h", "n"),
	cstep(`-"ERR value is not an integer or out of range"`, "HINCRBY", "h", "n", "x"),
	cstep(`-"ERR value is not an integer or out of range"`, "HINCRBY", "h", "n", "1.5"),
	cstep(`-"ERR value is not an integer or out of range"`, "HINCRBY", "h", "n", "9223372036854775808"),
	cstep(`-"ERR value is not an integer or out of range"`, "HINCRBY", "h", "n", " 1"),
	cstep(`:1`, "HSET", "h", "s", "abc"),
	cstep(`-"ERR hash value is not an integer"`, "HINCRBY", "h", "s", "1"),
	cstep(`:1`, "HSET", "h", "sp", " 1"),
	cstep(`-"ERR hash value is not an integer"`, "HINCRBY", "h", "sp", "1"),
	cstep(`:1`, "HSET", "h", "e", ""),
	cstep(`-"ERR hash value is not an integer"`, "HINCRBY", "h", "e", "1"),
	cstep(`:9223372036854775807`, "HINCRBY", "h", "max", "9223372036854775807"),
	cstep(`-"ERR increment or decrement would overflow"`, "HINCRBY", "h", "max", "1"),
	cstep(`:-1`, "HINCRBY", "h", "max", "-9223372036854775808"),
	cstep(`:-9223372036854775808`, "HINCRBY", "h", "min", "-9223372036854775808"),
	cstep(`-"ERR increment or decrement would overflow"`, "HINCRBY", "h", "min", "-1"),
	cstep(`$"-9223372036854775808"`, "HGET", "h", "min"),
	cstep(`:0`, "HINCRBY", "h", "z", "0"),
	cstep(`$"0"`, "HGET", "h", "z"),
	cstep(`:1`, "HSET", "h", "big", "1000000000000"),
	cstep(`:1000000000001`, "HINCRBY", "h", "big", "1"),
	cstep(`:9`, "HINCRBY", "h", "grow", "9"),
	cstep(`:10`, "HINCRBY", "h", "grow", "1"),
	cstep(`$"10"`, "HGET", "h", "grow"),
}

func TestHIncrBy(t *testing.T) { t.Parallel(); runColl(t, hincrbyScript) }

var hincrbyfloatScript = []collStep{
	cstep(`$"10.5"`, "HINCRBYFLOAT", "h", "f", "10.5"),
	cstep(`$"10.6"`, "HINCRBYFLOAT", "h", "f", "0.1"),
	cstep(`$"5000"`, "HINCRBYFLOAT", "h", "g", "5.0e3"),
	cstep(`$"5003"`, "HINCRBYFLOAT", "h", "g", "3"),
	cstep(`$"5"`, "HINCRBYFLOAT", "h", "g", "-4998"),
	cstep(`-"ERR value is NaN or Infinity"`, "HINCRBYFLOAT", "h", "f", "inf"),
	cstep(`-"ERR value is NaN or Infinity"`, "HINCRBYFLOAT", "h", "f", "-Infinity"),
	cstep(`-"ERR value is not a valid float"`, "HINCRBYFLOAT", "h", "f", "nan"),
	cstep(`-"ERR value is not a valid float"`, "HINCRBYFLOAT", "h", "f", "x"),
	cstep(`-"ERR value is not a valid float"`, "HINCRBYFLOAT", "h", "f", " 1"),
	cstep(`-"ERR value is not a valid float"`, "HINCRBYFLOAT", "h", "f", ""),
	cstep(`-"ERR value is not a valid float"`, "HINCRBYFLOAT", "h", "f", "1e5000"),
	cstep(`-"ERR value is not a valid float"`, "HINCRBYFLOAT", "h", "f", "+-inf"),
	cstep(`$"26.6"`, "HINCRBYFLOAT", "h", "f", "0x10"),
	cstep(`$"27.1"`, "HINCRBYFLOAT", "h", "f", "0x.8"),
	cstep(`:1`, "HSET", "h", "s", "abc"),
	cstep(`-"ERR hash value is not a float"`, "HINCRBYFLOAT", "h", "s", "1"),
	cstep(`:1`, "HSET", "h", "sp", " 1"),
	cstep(`-"ERR hash value is not a float"`, "HINCRBYFLOAT", "h", "sp", "1"),
	cstep(`:1`, "HSET", "h", "i", "inf"),
	cstep(`-"ERR increment would produce NaN or Infinity"`, "HINCRBYFLOAT", "h", "i", "1"),
	cstep(`:1`, "HSET", "h", "z", "-0.0"),
	cstep(`$"0"`, "HINCRBYFLOAT", "h", "z", "0"),
	cstep(`:1`, "HSET", "h", "n", "9223372036854775807"),
	cstep(`$"9223372036854775808"`, "HINCRBYFLOAT", "h", "n", "1"),
	cstep(`$"1"`, "HINCRBYFLOAT", "h", "tiny", "1"),
	cstep(`$"1.00000000000000001"`, "HINCRBYFLOAT", "h", "tiny", "0.00000000000000001"),
	cstep(`:1`, "HSET", "h", "huge", "1e4932"),
	cstep(`-"ERR increment would produce NaN or Infinity"`, "HINCRBYFLOAT", "h", "huge", "1e4932"),
	cstep(`$"1e4932"`, "HGET", "h", "huge"),
}

func TestHIncrByFloat(t *testing.T) { t.Parallel(); runColl(t, hincrbyfloatScript) }

// TestHashExpiredKey checks that an expired hash reads as missing and that
// a write starts a new hash rather than extending the old one.
func TestHashExpiredKey(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.expect(`:2`, "HSET", "h", "a", "1", "b", "2")
	h.ks.SetExpire([]byte("h"), h.ks.Peek([]byte("h")), h.now+10)
	h.expect(`$"1"`, "HGET", "h", "a")
	h.now += 10
	h.expect(`$nil`, "HGET", "h", "a")
	h.expect(`:0`, "HLEN", "h")
	h.expect(`*[]`, "HGETALL", "h")
	h.expect(`:1`, "HINCRBY", "h", "a", "1")
	h.expect(`*[$"a" $"1"]`, "HGETALL", "h")
	if o := h.ks.Peek([]byte("h")); o == nil || o.ExpireAt != 0 {
		t.Fatal("new hash kept the old expiry")
	}
}

// TestHashMemoryAccounting checks the keyspace's accounting follows fields
// as they come and go: back to zero once every field is deleted.
func TestHashMemoryAccounting(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	fillHash(h, "h", 300)
	used := h.ks.UsedMemory()
	if used < 300*(32+4) { // at least a pointer-sized node per field
		t.Fatalf("300 fields account for %d bytes", used)
	}
	h.expect(`:0`, "HSET", "h", "f1", strings.Repeat("x", 1000))
	if grew := h.ks.UsedMemory() - used; grew < 990 {
		t.Fatalf("a 1000-byte value grew memory by %d", grew)
	}
	h.expect(`$"1.5"`, "HINCRBYFLOAT", "h", "extra", "1.5")
	h.expect(`:1`, "HDEL", "h", "extra")
	for i := range 300 {
		h.do("HDEL", "h", "f"+strconv.Itoa(i))
	}
	if h.ks.Len() != 0 || h.ks.UsedMemory() != 0 {
		t.Fatalf("after deleting every field: %d keys, %d bytes", h.ks.Len(), h.ks.UsedMemory())
	}
}
