package command

import (
	"strconv"
	"testing"
)

// listCase is one command and its rendered reply; proto 3 runs it after
// HELLO 3. The cases of a table run in order on one fresh keyspace.
type listCase struct {
	want  string
	args  []string
	proto int
}

// listPresent is a test-only command: :1 when the key is stored, expired or
// not, :0 otherwise. It proves that a list emptied by a command was
// deleted, not left behind empty (Redis's EXISTS gives the same answers in
// these tables).
const listPresent = "(present)"

func runListCases(t *testing.T, cases []listCase) {
	t.Helper()
	h := newHarness(t)
	for _, c := range cases {
		h.proto = c.proto
		if c.args[0] == listPresent {
			if got := h.ks.Peek([]byte(c.args[1])) != nil; got != (c.want == ":1") {
				t.Errorf("key %q stored: %v, want %s", c.args[1], got, c.want)
			}
			continue
		}
		h.expect(c.want, c.args...)
	}
}

func largs(args ...string) []string { return args }

const (
	lWrongType = `-"WRONGTYPE Operation against a key holding the wrong kind of value"`
	lNotInt    = `-"ERR value is not an integer or out of range"`
	lSyntax    = `-"ERR syntax error"`
)

// lbin is a value that is not text: NUL, high bytes and a CRLF.
const lbin = "\x00\xff\r\nz"

var lbinReply = "$" + strconv.Quote(lbin)

var pushCases = []listCase{
	{`:1`, largs("LPUSH", "l", "a"), 0},
	{`:3`, largs("lpush", "l", "b", "c"), 0},
	{`*[$"c" $"b" $"a"]`, largs("LRANGE", "l", "0", "-1"), 0},
	{`:5`, largs("RPUSH", "l", "d", ""), 0},
	{`*[$"c" $"b" $"a" $"d" $""]`, largs("LRANGE", "l", "0", "-1"), 0},
	{`:1`, largs("RPUSH", "r", "x"), 0},
	{`:2`, largs("RPUSH", "r", lbin), 0},
	{lbinReply, largs("RPOP", "r"), 0},
	{`+"OK"`, largs("SET", "s", "v"), 0},
	{lWrongType, largs("LPUSH", "s", "a"), 0},
	{lWrongType, largs("RPUSH", "s", "a"), 0},
	{`$"v"`, largs("GET", "s"), 0},
	{`-"ERR wrong number of arguments for 'lpush' command"`, largs("LPUSH", "l"), 0},
}

var pushxCases = []listCase{
	{`:0`, largs("LPUSHX", "l", "a"), 0},
	{`:0`, largs("RPUSHX", "l", "a", "b"), 0},
	{`:0`, largs(listPresent, "l"), 0},
	{`:1`, largs("RPUSH", "l", "m"), 0},
	{`:3`, largs("LPUSHX", "l", "b", "a"), 0},
	{`:5`, largs("RPUSHX", "l", "y", "z"), 0},
	{`*[$"a" $"b" $"m" $"y" $"z"]`, largs("LRANGE", "l", "0", "-1"), 0},
	{`+"OK"`, largs("SET", "s", "v"), 0},
	{lWrongType, largs("LPUSHX", "s", "a"), 0},
	{lWrongType, largs("RPUSHX", "s", "a"), 0},
}

var popCases = []listCase{
	{`$nil`, largs("LPOP", "l"), 0},
	{`$nil`, largs("RPOP", "l"), 0},
	{`*nil`, largs("LPOP", "l", "1"), 0},
	{`*nil`, largs("RPOP", "l", "0"), 0},
	{`_nil`, largs("LPOP", "l", "2"), 3},
	{`_nil`, largs("LPOP", "l"), 3},
	{`-"ERR value is out of range, must be positive"`, largs("LPOP", "l", "-1"), 0},
	{`-"ERR value is out of range, must be positive"`, largs("RPOP", "l", "x"), 0},
	{`-"ERR value is out of range, must be positive"`, largs("RPOP", "l", "99999999999999999999"), 0},
	{`-"ERR wrong number of arguments for 'lpop' command"`, largs("LPOP", "l", "1", "2"), 0},
	{`-"ERR wrong number of arguments for 'rpop' command"`, largs("RPOP", "l", "1", "2"), 0},
	{`:5`, largs("RPUSH", "l", "a", "b", "c", "d", "e"), 0},
	{`$"a"`, largs("LPOP", "l"), 0},
	{`$"e"`, largs("RPOP", "l"), 0},
	{`*[]`, largs("LPOP", "l", "0"), 0},
	{`*[$"b"]`, largs("LPOP", "l", "1"), 0},
	{`*[$"d" $"c"]`, largs("RPOP", "l", "9223372036854775807"), 0},
	{`:0`, largs(listPresent, "l"), 0},
	{`:2`, largs("RPUSH", "l", "a", "b"), 0},
	{`*[$"a" $"b"]`, largs("LPOP", "l", "2"), 3},
	{`:0`, largs(listPresent, "l"), 0},
	{`+"OK"`, largs("SET", "s", "v"), 0},
	{lWrongType, largs("LPOP", "s"), 0},
	{lWrongType, largs("RPOP", "s", "0"), 0},
	{`-"ERR value is out of range, must be positive"`, largs("LPOP", "s", "-1"), 0},
}

var llenCases = []listCase{
	{`:0`, largs("LLEN", "l"), 0},
	{`:3`, largs("RPUSH", "l", "a", "b", "c"), 0},
	{`:3`, largs("LLEN", "l"), 0},
	{`+"OK"`, largs("SET", "s", "v"), 0},
	{lWrongType, largs("LLEN", "s"), 0},
}

var lrangeCases = []listCase{
	{`*[]`, largs("LRANGE", "l", "0", "-1"), 0},
	{lNotInt, largs("LRANGE", "l", "x", "1"), 0},
	{`:5`, largs("RPUSH", "l", "a", "b", "c", "d", lbin), 0},
	{`*[$"a" $"b"]`, largs("LRANGE", "l", "0", "1"), 0},
	{`*[$"d" ` + lbinReply + `]`, largs("LRANGE", "l", "-2", "-1"), 0},
	{`*[$"a" $"b" $"c" $"d" ` + lbinReply + `]`, largs("LRANGE", "l", "-100", "100"), 0},
	{`*[$"c"]`, largs("LRANGE", "l", "2", "2"), 0},
	{`*[]`, largs("LRANGE", "l", "3", "2"), 0},
	{`*[]`, largs("LRANGE", "l", "5", "10"), 0},
	{`*[]`, largs("LRANGE", "l", "0", "-6"), 0},
	{`*[$"a"]`, largs("LRANGE", "l", "-9223372036854775808", "-5"), 0},
	{`*[$"b" $"c" $"d" ` + lbinReply + `]`, largs("LRANGE", "l", "1", "9223372036854775807"), 0},
	{lNotInt, largs("LRANGE", "l", "0", "1.5"), 0},
	{lNotInt, largs("LRANGE", "l", "0", "9223372036854775808"), 0},
	{`+"OK"`, largs("SET", "s", "v"), 0},
	{lWrongType, largs("LRANGE", "s", "0", "-1"), 0},
	{lNotInt, largs("LRANGE", "s", "a", "-1"), 0},
}

var lindexCases = []listCase{
	{`$nil`, largs("LINDEX", "l", "0"), 0},
	{`$nil`, largs("LINDEX", "l", "x"), 0},
	{`_nil`, largs("LINDEX", "l", "0"), 3},
	{`:3`, largs("RPUSH", "l", "a", lbin, "c"), 0},
	{`$"a"`, largs("LINDEX", "l", "0"), 0},
	{lbinReply, largs("LINDEX", "l", "1"), 0},
	{`$"c"`, largs("LINDEX", "l", "-1"), 0},
	{`$"a"`, largs("LINDEX", "l", "-3"), 0},
	{`$nil`, largs("LINDEX", "l", "-4"), 0},
	{`$nil`, largs("LINDEX", "l", "3"), 0},
	{`$nil`, largs("LINDEX", "l", "-9223372036854775808"), 0},
	{lNotInt, largs("LINDEX", "l", "x"), 0},
	{`+"OK"`, largs("SET", "s", "v"), 0},
	{lWrongType, largs("LINDEX", "s", "0"), 0},
	{lWrongType, largs("LINDEX", "s", "x"), 0},
}

var lsetCases = []listCase{
	{`-"ERR no such key"`, largs("LSET", "l", "0", "v"), 0},
	{`-"ERR no such key"`, largs("LSET", "l", "x", "v"), 0},
	{`:3`, largs("RPUSH", "l", "a", "b", "c"), 0},
	{`+"OK"`, largs("LSET", "l", "0", "A"), 0},
	{`+"OK"`, largs("LSET", "l", "-1", lbin), 0},
	{`+"OK"`, largs("LSET", "l", "1", ""), 0},
	{`*[$"A" $"" ` + lbinReply + `]`, largs("LRANGE", "l", "0", "-1"), 0},
	{`-"ERR index out of range"`, largs("LSET", "l", "3", "v"), 0},
	{`-"ERR index out of range"`, largs("LSET", "l", "-4", "v"), 0},
	{lNotInt, largs("LSET", "l", "x", "v"), 0},
	{`+"OK"`, largs("SET", "s", "v"), 0},
	{lWrongType, largs("LSET", "s", "0", "v"), 0},
}

var ltrimCases = []listCase{
	{`+"OK"`, largs("LTRIM", "l", "0", "1"), 0},
	{lNotInt, largs("LTRIM", "l", "x", "1"), 0},
	{`:5`, largs("RPUSH", "l", "a", "b", "c", "d", "e"), 0},
	{`+"OK"`, largs("LTRIM", "l", "1", "-2"), 0},
	{`*[$"b" $"c" $"d"]`, largs("LRANGE", "l", "0", "-1"), 0},
	{`+"OK"`, largs("LTRIM", "l", "-100", "100"), 0},
	{`:3`, largs("LLEN", "l"), 0},
	{`+"OK"`, largs("LTRIM", "l", "-1", "-1"), 0},
	{`*[$"d"]`, largs("LRANGE", "l", "0", "-1"), 0},
	{`+"OK"`, largs("LTRIM", "l", "1", "0"), 0},
	{`:0`, largs(listPresent, "l"), 0},
	{`:2`, largs("RPUSH", "m", "a", "b"), 0},
	{`+"OK"`, largs("LTRIM", "m", "5", "10"), 0},
	{`:0`, largs(listPresent, "m"), 0},
	{`+"OK"`, largs("SET", "s", "v"), 0},
	{lWrongType, largs("LTRIM", "s", "0", "1"), 0},
	{lNotInt, largs("LTRIM", "s", "0", "y"), 0},
}

var lremCases = []listCase{
	{`:0`, largs("LREM", "l", "0", "a"), 0},
	{lNotInt, largs("LREM", "l", "x", "a"), 0},
	{`:8`, largs("RPUSH", "l", "a", "b", "a", "c", "a", lbin, "a", lbin), 0},
	{`:1`, largs("LREM", "l", "1", "a"), 0},
	{`*[$"b" $"a" $"c" $"a" ` + lbinReply + ` $"a" ` + lbinReply + `]`, largs("LRANGE", "l", "0", "-1"), 0},
	{`:2`, largs("LREM", "l", "-2", "a"), 0},
	{`*[$"b" $"a" $"c" ` + lbinReply + ` ` + lbinReply + `]`, largs("LRANGE", "l", "0", "-1"), 0},
	{`:2`, largs("LREM", "l", "0", lbin), 0},
	{`:0`, largs("LREM", "l", "0", "zz"), 0},
	{`:6`, largs("RPUSH", "l", "a", "a", "a"), 0},
	{`:4`, largs("LREM", "l", "-9223372036854775808", "a"), 0},
	{`*[$"b" $"c"]`, largs("LRANGE", "l", "0", "-1"), 0},
	{`:1`, largs("LREM", "l", "100", "b"), 0},
	{`:1`, largs("LREM", "l", "-1", "c"), 0},
	{`:0`, largs(listPresent, "l"), 0},
	{`+"OK"`, largs("SET", "s", "v"), 0},
	{lWrongType, largs("LREM", "s", "0", "v"), 0},
}

var linsertCases = []listCase{
	{`:0`, largs("LINSERT", "l", "BEFORE", "a", "x"), 0},
	{lSyntax, largs("LINSERT", "l", "UNDER", "a", "x"), 0},
	{`:0`, largs(listPresent, "l"), 0},
	{`:3`, largs("RPUSH", "l", "a", "b", "c"), 0},
	{`:-1`, largs("LINSERT", "l", "BEFORE", "zz", "x"), 0},
	{`:4`, largs("LINSERT", "l", "before", "a", "x"), 0},
	{`:5`, largs("LINSERT", "l", "AFTER", "c", "y"), 0},
	{`:6`, largs("LINSERT", "l", "After", "a", lbin), 0},
	{`:7`, largs("LINSERT", "l", "BEFORE", "c", ""), 0},
	{`*[$"x" $"a" ` + lbinReply + ` $"b" $"" $"c" $"y"]`, largs("LRANGE", "l", "0", "-1"), 0},
	{`:8`, largs("LINSERT", "l", "AFTER", lbin, "q"), 0},
	{`$"q"`, largs("LINDEX", "l", "3"), 0},
	{lSyntax, largs("LINSERT", "l", "UNDER", "a", "x"), 0},
	{`+"OK"`, largs("SET", "s", "v"), 0},
	{lWrongType, largs("LINSERT", "s", "BEFORE", "a", "x"), 0},
	{lSyntax, largs("LINSERT", "s", "X", "a", "x"), 0},
}

func TestListPush(t *testing.T)   { t.Parallel(); runListCases(t, pushCases) }
func TestListPushX(t *testing.T)  { t.Parallel(); runListCases(t, pushxCases) }
func TestListPop(t *testing.T)    { t.Parallel(); runListCases(t, popCases) }
func TestListLLen(t *testing.T)   { t.Parallel(); runListCases(t, llenCases) }
func TestListLRange(t *testing.T) { t.Parallel(); runListCases(t, lrangeCases) }
func TestListLIndex(t *testing.T) { t.Parallel(); runListCases(t, lindexCases) }
func TestListLSet(t *testing.T)   { t.Parallel(); runListCases(t, lsetCases) }
func TestListLTrim(t *testing.T)  { t.Parallel(); runListCases(t, ltrimCases) }
func TestListLRem(t *testing.T)   { t.Parallel(); runListCases(t, lremCases) }
func TestListLInsert(t *testing.T) {
	t.Parallel()
	runListCases(t, linsertCases)
}
