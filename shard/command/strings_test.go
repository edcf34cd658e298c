package command

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/ember-node/ember-node/shard"
)

// strStep is one command and its expected reply, as resp.Value renders it.
type strStep struct {
	want string
	args []string
}

// strRun runs the steps; a step "!hash key" (re)creates a bare hash first,
// since any write's Flush removes it.
func strRun(h *harness, steps []strStep) {
	h.t.Helper()
	for _, s := range steps {
		if s.args[0] == "!hash" {
			strMakeHash(h, s.args[1])
			continue
		}
		h.expect(s.want, s.args...)
	}
}

func strHash(key string) strStep { return strStep{"", []string{"!hash", key}} }

func strCmd(want string, args ...string) strStep { return strStep{want, args} }

// strMakeHash puts a non-string key in place. The family under test cannot
// create one, so it is a bare (empty) hash: it survives reads, and the
// next write's Flush removes it.
func strMakeHash(h *harness, key string) {
	h.ks.Delete([]byte(key))
	h.ks.Create([]byte(key), shard.KindHash, h.now)
}

// strTTL returns the key's absolute expiry, 0 for none and -1 when the key
// is not there.
func strTTL(h *harness, key string) int64 {
	o := h.ks.Peek([]byte(key))
	if o == nil || o.Expired(h.now) {
		return -1
	}
	return o.ExpireAt
}

func strAt(ms int64) string { return strconv.FormatInt(ms, 10) }

func TestSetGet(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	strRun(h, []strStep{
		strCmd(`$nil`, "GET", "k"),
		strCmd(`+"OK"`, "SET", "k", "v"),
		strCmd(`$"v"`, "GET", "k"),
		strCmd(`$nil`, "SET", "k", "w", "NX"),
		strCmd(`$"v"`, "SET", "k", "w", "XX", "GET"),
		strCmd(`$"w"`, "get", "k"),
		strCmd(`+"OK"`, "SET", "k", "a much longer value than before, to be reallocated"),
		strCmd(`$"a much longer value than before, to be reallocated"`, "GET", "k"),
		strCmd(`+"OK"`, "SET", "k", ""),
		strCmd(`$""`, "GET", "k"),
		strCmd(`+"OK"`, "SET", "bin", "a\x00b\r\n"),
		strCmd(`$"a\x00b\r\n"`, "GET", "bin"),
		strCmd(`$nil`, "SET", "new", "v", "XX"),
		strCmd(`$nil`, "GET", "new"),
		strCmd(`$nil`, "SET", "new", "v", "NX", "GET"),
		strCmd(`$"v"`, "SET", "new", "w", "NX", "GET"),
		strCmd(`$"v"`, "GET", "new"),
		strCmd(`-"ERR wrong number of arguments for 'set' command"`, "SET", "k"),
		strCmd(`-"ERR wrong number of arguments for 'get' command"`, "GET", "k", "x"),
	})
}

func TestSetOptionErrors(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	strMakeHash(h, "h")
	strRun(h, []strStep{
		strCmd(`-"ERR syntax error"`, "SET", "k", "v", "NX", "XX"),
		strCmd(`-"ERR syntax error"`, "SET", "k", "v", "XX", "NX"),
		strCmd(`-"ERR syntax error"`, "SET", "k", "v", "EX"),
		strCmd(`-"ERR syntax error"`, "SET", "k", "v", "EX", "1", "PX", "1"),
		strCmd(`-"ERR syntax error"`, "SET", "k", "v", "EXAT", "1", "PX", "5"),
		strCmd(`-"ERR syntax error"`, "SET", "k", "v", "EX", "10", "KEEPTTL"),
		strCmd(`-"ERR syntax error"`, "SET", "k", "v", "KEEPTTL", "EX", "10"),
		strCmd(`-"ERR syntax error"`, "SET", "k", "v", "PERSIST"),
		strCmd(`-"ERR syntax error"`, "SET", "k", "v", "foo"),
		strCmd(`-"ERR value is not an integer or out of range"`, "SET", "k", "v", "EX", "x"),
		strCmd(`-"ERR value is not an integer or out of range"`, "SET", "k", "v", "EX", "1.5"),
		strCmd(`-"ERR invalid expire time in 'set' command"`, "SET", "k", "v", "EX", "0"),
		strCmd(`-"ERR invalid expire time in 'set' command"`, "SET", "k", "v", "PX", "-1"),
		strCmd(`-"ERR invalid expire time in 'set' command"`, "SET", "k", "v", "EX", "9223372036854775807"),
		strCmd(`-"ERR invalid expire time in 'set' command"`, "SET", "k", "v", "EX", "9223372036854775"),
		strCmd(`-"ERR invalid expire time in 'set' command"`, "SET", "k", "v", "PX", "9223372036854775807"),
		strCmd(`-"ERR invalid expire time in 'set' command"`, "SET", "k", "v", "EXAT", "9223372036854776"),
		// Syntax, then expiry, then the type: the GET on a hash comes last.
		strCmd(`-"ERR syntax error"`, "SET", "h", "v", "GET", "foo"),
		strCmd(`-"ERR invalid expire time in 'set' command"`, "SET", "h", "v", "GET", "EX", "0"),
		strCmd(`$nil`, "GET", "k"),
	})
}

func TestSetWrongType(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	strMakeHash(h, "h")
	h.expect(`-"WRONGTYPE Operation against a key holding the wrong kind of value"`, "GET", "h")
	h.expect(`-"WRONGTYPE Operation against a key holding the wrong kind of value"`, "SET", "h", "v", "NX", "GET")
	strMakeHash(h, "h")
	h.expect(`-"WRONGTYPE Operation against a key holding the wrong kind of value"`, "SET", "h", "v", "XX", "GET")
	strMakeHash(h, "h")
	h.expect(`-"WRONGTYPE Operation against a key holding the wrong kind of value"`, "GETSET", "h", "v")
	strMakeHash(h, "h")
	h.expect(`$nil`, "SET", "h", "v", "NX")
	strMakeHash(h, "h")
	h.expect(`+"OK"`, "SET", "h", "v")
	h.expect(`$"v"`, "GET", "h")
	strMakeHash(h, "h")
	h.expect(`+"OK"`, "SET", "h", "w", "XX", "EX", "5")
	h.expect(`$"w"`, "GET", "h")
}

func TestSetExpiry(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	now := h.now
	strRun(h, []strStep{
		strCmd(`+"OK"`, "SET", "ex", "v", "EX", "10"),
		strCmd(`+"OK"`, "SET", "px", "v", "PX", "1500"),
		strCmd(`+"OK"`, "SET", "exat", "v", "EXAT", strAt(now/1000+20)),
		strCmd(`+"OK"`, "SET", "pxat", "v", "PXAT", strAt(now+30)),
		strCmd(`+"OK"`, "SET", "twice", "v", "EX", "1", "EX", "2"),
		strCmd(`+"OK"`, "SET", "max", "v", "PXAT", "9223372036854775807"),
		strCmd(`+"OK"`, "SET", "maxs", "v", "EXAT", "9223372036854775"),
		strCmd(`+"OK"`, "SET", "past", "v", "PXAT", "1"),
		strCmd(`$nil`, "GET", "past"),
	})
	for key, want := range map[string]int64{
		"ex": now + 10000, "px": now + 1500, "exat": (now/1000 + 20) * 1000,
		"pxat": now + 30, "twice": now + 2000, "max": maxInt64, "maxs": 9223372036854775000, "past": -1,
	} {
		if got := strTTL(h, key); got != want {
			t.Errorf("%s expires at %d, want %d", key, got, want)
		}
	}
	// Past-PXAT keys stay counted until deleted, as in Redis (DBSIZE 1).
	if h.ks.Peek([]byte("past")) == nil {
		t.Error("SET PXAT in the past removed the key at once")
	}
	strRun(h, []strStep{
		strCmd(`+"OK"`, "SET", "ex", "w"),
		strCmd(`+"OK"`, "SET", "px", "w", "KEEPTTL"),
		strCmd(`$"v"`, "SET", "pxat", "x", "KEEPTTL", "GET"),
		strCmd(`+"OK"`, "SET", "exat", "w", "KEEPTTL", "KEEPTTL"),
		strCmd(`+"OK"`, "SET", "fresh", "w", "KEEPTTL"),
	})
	for key, want := range map[string]int64{
		"ex": 0, "px": now + 1500, "pxat": now + 30, "exat": (now/1000 + 20) * 1000, "fresh": 0,
	} {
		if got := strTTL(h, key); got != want {
			t.Errorf("after overwrite %s expires at %d, want %d", key, got, want)
		}
	}
	h.now += 30
	h.expect(`$nil`, "GET", "pxat")
	h.expect(`$nil`, "SET", "pxat", "v", "XX")
	h.expect(`+"OK"`, "SET", "pxat", "v", "NX")
}

// TestSetPrepare checks the replicated form: absolute PXAT, canonical
// options, and no rewrite when there is nothing relative.
func TestSetPrepare(t *testing.T) {
	t.Parallel()
	table := NewTable()
	c := &Ctx{KS: shard.New(), Now: 1000}
	cases := []struct{ in, want string }{
		{"SET k v", "SET k v"},
		{"set k v nx get keepttl", "set k v nx get keepttl"},
		{"SET k v EX 1 EX 2", "SET k v PXAT 3000"},
		{"SET k v get px 5 nx", "SET k v NX GET PXAT 1005"},
		{"SET k v XX EXAT 7", "SET k v XX PXAT 7000"},
		{"SET k v PXAT 7", "SET k v PXAT 7"},
		{"SETEX k 10 v", "SET k v PXAT 11000"},
		{"psetex k 10 v", "SET k v PXAT 1010"},
		{"GETEX k EX 3", "GETEX k PXAT 4000"},
		{"GETEX k PX 3 PX 4", "GETEX k PXAT 1004"},
		{"GETEX k EXAT 3", "GETEX k EXAT 3"},
		{"GETEX k EX 0", "GETEX k EX 0"},
		{"GETEX k PERSIST", "GETEX k PERSIST"},
		{"INCRBY k 5", "INCRBY k 5"},
		{"SETRANGE k 5 v", "SETRANGE k 5 v"},
		{"MSET a 1 b 2", "MSET a 1 b 2"},
		{"SET k v EX x", "ERR value is not an integer or out of range"},
		{"SET k v EX 1 KEEPTTL", "ERR syntax error"},
		{"SETEX k 0 v", "ERR invalid expire time in 'setex' command"},
		{"PSETEX k 0 v", "ERR invalid expire time in 'psetex' command"},
		{"SETEX k x v", "ERR value is not an integer or out of range"},
		{"GETEX k foo", "ERR syntax error"},
		{"INCRBY k x", "ERR value is not an integer or out of range"},
		{"DECRBY k -9223372036854775808", "ERR decrement would overflow"},
		{"SETRANGE k -1 v", "ERR offset is out of range"},
		{"MSET a 1 b", "ERR wrong number of arguments for 'mset' command"},
		{"MSETNX a 1 b", "ERR wrong number of arguments for 'msetnx' command"},
	}
	for _, tc := range cases {
		argv := strSplit(tc.in)
		s := table.Lookup(argv[0])
		got, err := s.Prepare(c, argv)
		text := ""
		if err != nil {
			text = AsReply(err)
		} else {
			text = string(strJoin(got))
			if t2 := table.Lookup(got[0]); t2 == nil || t2.Flags&Write == 0 || !t2.CheckArity(len(got)) {
				t.Errorf("%s: prepared %q is not a valid write", tc.in, text)
			}
		}
		if text != tc.want {
			t.Errorf("Prepare(%s) = %q, want %q", tc.in, text, tc.want)
		}
	}
}

func strSplit(s string) [][]byte {
	var out [][]byte
	for _, f := range strings.Fields(s) {
		out = append(out, []byte(f))
	}
	return out
}

func strJoin(argv [][]byte) []byte {
	var b []byte
	for i, a := range argv {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, a...)
	}
	return b
}

func TestSetnxSetex(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	now := h.now
	strMakeHash(h, "h")
	strRun(h, []strStep{
		strCmd(`:1`, "SETNX", "k", "v"),
		strCmd(`:0`, "SETNX", "k", "w"),
		strCmd(`$"v"`, "GET", "k"),
		strHash("h"),
		strCmd(`:0`, "SETNX", "h", "w"),
		strCmd(`+"OK"`, "SETEX", "k", "10", "w"),
		strCmd(`$"w"`, "GET", "k"),
		strCmd(`+"OK"`, "PSETEX", "p", "1500", "x"),
		strCmd(`-"ERR value is not an integer or out of range"`, "SETEX", "k", "x", "v"),
		strCmd(`-"ERR invalid expire time in 'setex' command"`, "SETEX", "k", "0", "v"),
		strCmd(`-"ERR invalid expire time in 'setex' command"`, "setex", "k", "-1", "v"),
		strCmd(`-"ERR invalid expire time in 'setex' command"`, "SETEX", "k", "9223372036854775807", "v"),
		strCmd(`-"ERR invalid expire time in 'psetex' command"`, "PSETEX", "k", "0", "v"),
		strCmd(`-"ERR invalid expire time in 'psetex' command"`, "PSETEX", "k", "9223372036854775807", "v"),
		strCmd(`-"ERR wrong number of arguments for 'setex' command"`, "SETEX", "k", "10"),
	})
	if got := strTTL(h, "k"); got != now+10000 {
		t.Errorf("SETEX expiry %d, want %d", got, now+10000)
	}
	if got := strTTL(h, "p"); got != now+1500 {
		t.Errorf("PSETEX expiry %d, want %d", got, now+1500)
	}
	// SETEX with a bad ttl fails before the type matters; a good one
	// overwrites any type.
	strMakeHash(h, "h")
	h.expect(`-"ERR invalid expire time in 'setex' command"`, "SETEX", "h", "0", "v")
	strMakeHash(h, "h")
	h.expect(`+"OK"`, "SETEX", "h", "5", "v")
	h.expect(`$"v"`, "GET", "h")
	h.expect(`:1`, "SETNX", "h2", "v")
	h.now += 1500
	h.expect(`$nil`, "GET", "p")
	h.expect(`:1`, "SETNX", "p", "again")
	if got := strTTL(h, "p"); got != 0 {
		t.Errorf("SETNX over an expired key kept expiry %d", got)
	}
}

func TestGetsetGetdel(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	strRun(h, []strStep{
		strCmd(`$nil`, "GETSET", "k", "v"),
		strCmd(`+"OK"`, "SET", "k", "v", "EX", "100"),
		strCmd(`$"v"`, "GETSET", "k", "w"),
		strCmd(`$"w"`, "GET", "k"),
	})
	if strTTL(h, "k") != 0 {
		t.Error("GETSET kept the expiry")
	}
	strRun(h, []strStep{
		strCmd(`$"w"`, "GETDEL", "k"),
		strCmd(`$nil`, "GET", "k"),
		strCmd(`$nil`, "GETDEL", "k"),
	})
	strMakeHash(h, "h")
	h.expect(`-"WRONGTYPE Operation against a key holding the wrong kind of value"`, "GETDEL", "h")
	if h.ks.Len() != 0 {
		t.Errorf("%d keys left", h.ks.Len())
	}
}

func TestGetex(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	now := h.now
	strMakeHash(h, "h")
	strRun(h, []strStep{
		strCmd(`-"ERR syntax error"`, "GETEX", "missing", "foo"),
		strCmd(`-"ERR syntax error"`, "GETEX", "h", "foo"),
		strCmd(`-"ERR syntax error"`, "GETEX", "k", "KEEPTTL"),
		strCmd(`-"ERR syntax error"`, "GETEX", "k", "NX"),
		strCmd(`-"ERR syntax error"`, "GETEX", "k", "GET"),
		strCmd(`-"ERR syntax error"`, "GETEX", "k", "PERSIST", "EX", "1"),
		strCmd(`-"ERR syntax error"`, "GETEX", "k", "EX"),
		// A missing key wins over a bad expiry, and the type over both.
		strCmd(`$nil`, "GETEX", "missing", "EX", "0"),
		strCmd(`$nil`, "GETEX", "missing", "EX", "x"),
		strHash("h"),
		strCmd(`-"WRONGTYPE Operation against a key holding the wrong kind of value"`, "GETEX", "h", "EX", "0"),
	})
	strRun(h, []strStep{
		strCmd(`+"OK"`, "SET", "k", "v"),
		strCmd(`-"ERR invalid expire time in 'getex' command"`, "GETEX", "k", "EX", "0"),
		strCmd(`-"ERR value is not an integer or out of range"`, "GETEX", "k", "EX", "x"),
		strCmd(`-"ERR invalid expire time in 'getex' command"`, "GETEX", "k", "PX", "9223372036854775807"),
		strCmd(`$"v"`, "GETEX", "k"),
		strCmd(`$"v"`, "GETEX", "k", "EX", "1", "EX", "2"),
	})
	if got := strTTL(h, "k"); got != now+2000 {
		t.Errorf("GETEX EX expiry %d, want %d", got, now+2000)
	}
	h.expect(`$"v"`, "GETEX", "k", "PERSIST", "PERSIST")
	if got := strTTL(h, "k"); got != 0 {
		t.Errorf("GETEX PERSIST left expiry %d", got)
	}
	h.expect(`$"v"`, "GETEX", "k", "PXAT", strAt(now+50))
	h.expect(`$"v"`, "GETEX", "k", "EXAT", strAt(now/1000+99))
	if got := strTTL(h, "k"); got != (now/1000+99)*1000 {
		t.Errorf("GETEX EXAT expiry %d", got)
	}
	h.expect(`$"v"`, "GETEX", "k", "EXAT", "1")
	if h.ks.Peek([]byte("k")) != nil {
		t.Error("GETEX with a past EXAT kept the key")
	}
	h.expect(`+"OK"`, "SET", "k", "v", "PX", "10")
	h.now += 10
	h.expect(`$nil`, "GETEX", "k", "PERSIST")
}

func TestMgetMset(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	strMakeHash(h, "h")
	strRun(h, []strStep{
		strCmd(`*[$nil $nil]`, "MGET", "a", "b"),
		strCmd(`-"ERR wrong number of arguments for 'mset' command"`, "MSET", "a", "1", "b"),
		strCmd(`-"ERR wrong number of arguments for 'msetnx' command"`, "MSETNX", "a", "1", "b"),
		strCmd(`+"OK"`, "MSET", "a", "1", "a", "2", "b", "3"),
		strHash("h"),
		strCmd(`*[$"2" $nil $"3" $nil]`, "MGET", "a", "h", "b", "zz"),
		strCmd(`-"WRONGTYPE Operation against a key holding the wrong kind of value"`, "GET", "h"),
		strCmd(`:0`, "MSETNX", "c", "1", "a", "x"),
		strCmd(`$nil`, "GET", "c"),
		strCmd(`:1`, "MSETNX", "c", "1", "c", "2", "d", "4"),
		strCmd(`*[$"2" $"4"]`, "MGET", "c", "d"),
		strCmd(`+"OK"`, "SET", "e", "v", "PX", "5"),
		strHash("h"),
		strCmd(`:0`, "MSETNX", "h", "x", "new", "y"),
		strHash("h"),
		strCmd(`+"OK"`, "MSET", "e", "w", "h", "x"),
		strCmd(`*[$"w" $"x"]`, "MGET", "e", "h"),
		strCmd(`+"OK"`, "SET", "t", "v", "PX", "5"),
	})
	if strTTL(h, "e") != 0 {
		t.Error("MSET kept the expiry")
	}
	h.now += 5
	h.expect(`:1`, "MSETNX", "t", "again")
	h.expect(`$"again"`, "GET", "t")
	s := NewTable().Lookup([]byte("mset"))
	if got := fmt.Sprint(s.KeyPositions(strSplit("MSET a 1 b 2 c 3"))); got != "[1 3 5]" {
		t.Errorf("MSET keys %s", got)
	}
	s = NewTable().Lookup([]byte("mget"))
	if got := fmt.Sprint(s.KeyPositions(strSplit("MGET a b c"))); got != "[1 2 3]" {
		t.Errorf("MGET keys %s", got)
	}
}

func TestIncrDecr(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	now := h.now
	strMakeHash(h, "h")
	strRun(h, []strStep{
		strCmd(`-"ERR value is not an integer or out of range"`, "INCRBY", "h", "x"),
		strCmd(`-"WRONGTYPE Operation against a key holding the wrong kind of value"`, "INCRBY", "h", "1"),
		strCmd(`:1`, "INCR", "n"),
		strCmd(`:0`, "DECR", "n"),
		strCmd(`:-1`, "DECR", "n"),
		strCmd(`:9`, "INCRBY", "n", "10"),
		strCmd(`:4`, "DECRBY", "n", "5"),
		strCmd(`:9`, "decrby", "n", "-5"),
		strCmd(`$"9"`, "GET", "n"),
		strCmd(`-"ERR decrement would overflow"`, "DECRBY", "n", "-9223372036854775808"),
		strCmd(`-"ERR value is not an integer or out of range"`, "INCRBY", "n", "1.5"),
		strCmd(`-"ERR value is not an integer or out of range"`, "INCRBY", "n", "9223372036854775808"),
		strCmd(`+"OK"`, "SET", "m", "9223372036854775807", "EX", "100"),
		strCmd(`-"ERR increment or decrement would overflow"`, "INCR", "m"),
		strCmd(`-"ERR increment or decrement would overflow"`, "DECRBY", "m", "-1"),
		strCmd(`:-1`, "INCRBY", "m", "-9223372036854775808"),
		strCmd(`-"ERR increment or decrement would overflow"`, "INCRBY", "m", "-9223372036854775808"),
		strCmd(`:9223372036854775806`, "DECRBY", "m", "-9223372036854775807"),
	})
	if got := strTTL(h, "m"); got != now+100000 {
		t.Errorf("INCR dropped the expiry: %d", got)
	}
	for _, v := range []string{" 1", "1 ", "+1", "01", "-0", "", "1e3", "0x10", "99999999999999999999"} {
		h.expect(`+"OK"`, "SET", "s", v)
		h.expect(`-"ERR value is not an integer or out of range"`, "INCR", "s")
	}
	h.expect(`+"OK"`, "SET", "s", "-9223372036854775808")
	h.expect(`-"ERR increment or decrement would overflow"`, "DECR", "s")
	h.expect(`:-9223372036854775807`, "INCR", "s")
}

func TestIncrbyfloat(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	strMakeHash(h, "h")
	notFloat := `-"ERR value is not a valid float"`
	nanInf := `-"ERR increment would produce NaN or Infinity"`
	strRun(h, []strStep{
		strCmd(`-"WRONGTYPE Operation against a key holding the wrong kind of value"`, "INCRBYFLOAT", "h", "x"),
		strCmd(`$"1.1"`, "INCRBYFLOAT", "f", "1.1"),
		strCmd(`$"1.3"`, "INCRBYFLOAT", "f", "0.2"),
		strCmd(`$"1.3"`, "GET", "f"),
		strCmd(nanInf, "INCRBYFLOAT", "f", "inf"),
		strCmd(nanInf, "INCRBYFLOAT", "f", "-INFINITY"),
		strCmd(notFloat, "INCRBYFLOAT", "f", "x"),
		strCmd(notFloat, "INCRBYFLOAT", "f", "nan"),
		strCmd(notFloat, "INCRBYFLOAT", "f", " 1"),
		strCmd(notFloat, "INCRBYFLOAT", "f", "1 "),
		strCmd(notFloat, "INCRBYFLOAT", "f", "1e"),
		strCmd(notFloat, "INCRBYFLOAT", "f", "1p3"),
		strCmd(notFloat, "INCRBYFLOAT", "f", "1_0"),
		strCmd(notFloat, "INCRBYFLOAT", "f", "0b1"),
		strCmd(notFloat, "INCRBYFLOAT", "f", "0x"),
		strCmd(notFloat, "INCRBYFLOAT", "f", "0x1p"),
		strCmd(notFloat, "INCRBYFLOAT", "f", "."),
		strCmd(notFloat, "INCRBYFLOAT", "f", ""),
		strCmd(notFloat, "INCRBYFLOAT", "f", "1\x00"),
		strCmd(notFloat, "INCRBYFLOAT", "f", "1e-5000"),
		strCmd(notFloat, "INCRBYFLOAT", "f", "1e5000"),
		strCmd(notFloat, "INCRBYFLOAT", "f", "4.5e-0865782272"),
		strCmd(notFloat, "INCRBYFLOAT", "f", "4.5e865782272"),
		strCmd(notFloat, "INCRBYFLOAT", "f", "44.1e-150000000000000"),
		strCmd(notFloat, "INCRBYFLOAT", "f", "1e99999999999999999999"),
		strCmd(`$"1.3"`, "INCRBYFLOAT", "f", "0e-99999999999999999999"),
		strCmd(`$"1.3"`, "INCRBYFLOAT", "f", "-0.0e5"),
		strCmd(`$"1.3"`, "INCRBYFLOAT", "f", "0e99999999999999999999"),
		strCmd(`$"1.3"`, "INCRBYFLOAT", "f", "0x0p99999999999999999999"),
		strCmd(notFloat, "INCRBYFLOAT", "f", "0x1p-99999999999999999999"),
		strCmd(notFloat, "INCRBYFLOAT", "f", "0e"),
		strCmd(notFloat, "INCRBYFLOAT", "f", "0.0.e1"),
		strCmd(notFloat, "INCRBYFLOAT", "f", "0e-"),
		strCmd(notFloat, "INCRBYFLOAT", "f", "0e99999999999999999999x"),
		strCmd(notFloat, "INCRBYFLOAT", "f", "1"+strings.Repeat("0", 5119)),
		strCmd(`$"1.3"`, "GET", "f"),
		strCmd(`$"16"`, "INCRBYFLOAT", "x", "0x10"),
		strCmd(`$"24"`, "INCRBYFLOAT", "x", "0x1p3"),
		strCmd(`$"25.5"`, "INCRBYFLOAT", "x", "0X1.8"),
		strCmd(`$"26.5"`, "INCRBYFLOAT", "x", "+1"),
		strCmd(`$"27"`, "INCRBYFLOAT", "x", ".5"),
		strCmd(`$"32"`, "INCRBYFLOAT", "x", "5."),
		strCmd(`$"182"`, "INCRBYFLOAT", "x", "1.5e+2"),
		strCmd(`$"182"`, "INCRBYFLOAT", "x", "1e-4940"),
		strCmd(`$"0"`, "INCRBYFLOAT", "z", "-0"),
		strCmd(`$"0"`, "INCRBYFLOAT", "z", "1e-20"),
		strCmd(`$"5000"`, "INCRBYFLOAT", "k", "5.0e3"),
		strCmd(`$"100000000000000005000"`, "INCRBYFLOAT", "k", "1e20"),
		strCmd(`$"1"`, "INCRBYFLOAT", "w", "1"+strings.Repeat("0", 5112)+"e-5112"),
		strCmd(notFloat, "INCRBYFLOAT", "w", "1"+strings.Repeat("0", 5113)+"e-5113"),
		strCmd(`+"OK"`, "SET", "g", "inf"),
		strCmd(notFloat, "INCRBYFLOAT", "g", "x"),
		strCmd(nanInf, "INCRBYFLOAT", "g", "1"),
		strCmd(`+"OK"`, "SET", "g", "abc"),
		strCmd(notFloat, "INCRBYFLOAT", "g", "1"),
		strCmd(`+"OK"`, "SET", "e", "3", "EX", "100"),
		strCmd(`$"3.5"`, "INCRBYFLOAT", "e", "0.5"),
		strCmd(`$"1000000000000000000006018949387963891323837774254533114773785041352533019486608722407533327779433142773666525563666277682061860906440460336623416164931097542108653623739947237824273607755646282077337746770628281083461244709457643633409272844851420914666765408339856497738306756454137037618440476182982865954054046320908299555942321302503320602080070208203623921079151881460203745014774931620490030394998719312614654064081373493248877120892455186383753439197870978041502797716880193955403107721911638646256939484197293128160329482360996995779489224859264034146949087194820794222433687849284561987230134006305414553626323614864479565079390052761980633463640128979696615362545507608303960553830866145592644372289102918602696741767741297153998359263135897985849697638678310586803720024647593066044070323761747439375151949994191528876172274034561238465689530914002496208547488452249219821049217690359246594326188537200846025476936856707726986425804304053688317572380292690880454677852210458790733177421098965346383845533016192965653377533421097553773202105452559589360227732550843545717469715211293029277100649951579279463212875228768700827274629951331584994203243708412190948315614798641721054158397351395747758548328754270534225721361640356227816080094892433366902417454242382629232277544026609640255325557814321580325340352330660617642326696140257239552549121071985189443846777623334881929189773707008403466595204838733621633273383631944856989484138444978386656058755310848833689791896484998847550364264104800800578245511762594691161545730891319744107953897993101008217601269310629890308357893793344340072837782716410520818640099771094401772024731084835860689936533035726854175396195351768096519310944631445923638053214575993378468775292865871435742249777979822775014324475845899615096380079899099538453121043851821349178371736640702645304284254885437611441690360616466368202194307769462209963387690446576691969551571041941288302648912827345194286271122230347823246073498285153708579500062656222714954113329293953346495615947784091175883554988117167387650681525781361864450364992605079129770604793291076559668041153558254765774288831330658676910296506538343982699076824147706077401185501337053676875440863113630172067902223837838525802181406003942606507609826320015193807633035586661539150425605940691768637845815434184585255915074081317250319572700370579877977177644345205933505850374212779064837146242765034714569464306865784829936445754893825213995710137567750342556762329137973387913047300554841737506800154984198686923965286147079273203561004647365286049876790788288301130050437207489067798842078443360167772245834103629301041345252122743437501935254370757049878526838283810705343010153283985958550741661374001212323172562230037290597675029278865489570268803618001520280748588481858632332145422181524500970533738858652881625738158955840469334830106366243262210429210258173978186522208306814207038831590332622155464159216193005478809313772661406449321989529908990407599717265354887081027622412165764793106246309910984757869627982700885055259900973567128498437782671492610351088858271463387495833021819318548705558606395846070390500323204636339383655528123657438115225035433947543876805317781492691295772410403746456774175666884503175504415270824258750305653788473882671038340481278188648013647450190431469737277008003041204693859153544058059108384516541261521127088116402349679151317227395183628490922161336429757386698401928682323657056924758648793848799822907606679071280964393541325129231682456669123450140879120137931548652537601508656209183486928384515842973760163601756230697826779237275078471824258664382133759876151537532598429521999758431018087001817485300919479583171049967781322202936864648780744025361452947117776701129210049872555316467204668470989130203733391349501708713181244068921199587314823974568234174792429139799088587794666528769986602820375968045445209219875596678877912103336949894142378173648692130854177898020194629670311101994938157038765957014792056173739623614871557317714453597336202068774935086409386414223375141765601758268418764114651053088281009248246110195084364468926837572992870110411414878770616397817334529367403238061699632089293543118185299881280463481800696201966723511922556078483839325067415562633057448408746541808590342228476964416681055875561781810005936328191844815915658719683522845979901018335050006246392027657149580332319739660376707180429166280658258434773362764563277134220525779869893832824866422909928484939374964071386248088592408142723646533801882861736205992781965360090000802821408763787641023437653119263757280212773694655213507075717622521160227187157631635583682130089364682543007292042009976150135189415923413244100006421082817394988300265734422677548100741829682842668334472314928702968616204691717366798642916146473018363370523427203416579250811577900985980957404830019403600361860520985937973506956557739754741783354728589350876379371163141086538418113791886622720"`, "INCRBYFLOAT", "big", "1e4932"),
		strCmd(nanInf, "INCRBYFLOAT", "big", "1e4932"),
	})
	if strTTL(h, "e") == 0 {
		t.Error("INCRBYFLOAT dropped the expiry")
	}
}

func TestAppendStrlen(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	now := h.now
	strMakeHash(h, "h")
	strRun(h, []strStep{
		strCmd(`-"WRONGTYPE Operation against a key holding the wrong kind of value"`, "STRLEN", "h"),
		strCmd(`-"WRONGTYPE Operation against a key holding the wrong kind of value"`, "APPEND", "h", "x"),
		strCmd(`:0`, "STRLEN", "k"),
		strCmd(`:0`, "APPEND", "e", ""),
		strCmd(`$""`, "GET", "e"),
		strCmd(`:2`, "APPEND", "k", "ab"),
		strCmd(`:5`, "APPEND", "k", "cde"),
		strCmd(`:5`, "STRLEN", "k"),
		strCmd(`$"abcde"`, "GET", "k"),
		strCmd(`+"OK"`, "SET", "t", "v", "EX", "100"),
		strCmd(`:2`, "APPEND", "t", "x"),
	})
	if strTTL(h, "t") != now+100000 {
		t.Error("APPEND dropped the expiry")
	}
	before := h.ks.UsedMemory()
	chunk := strings.Repeat("x", 4096)
	for i := 1; i <= 16; i++ {
		h.expect(":"+strconv.Itoa(4096*i), "APPEND", "k2", chunk)
	}
	h.expect(`:65536`, "STRLEN", "k2")
	if grown := h.ks.UsedMemory() - before; grown < 16*4096 {
		t.Errorf("memory grew by %d after appending 64KB", grown)
	}
}

func TestGetrange(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.expect(`+"OK"`, "SET", "s", "hello")
	h.expect(`+"OK"`, "SET", "e", "")
	strMakeHash(h, "h")
	strRun(h, []strStep{
		strCmd(`$"hello"`, "GETRANGE", "s", "0", "-1"),
		strCmd(`$"ell"`, "GETRANGE", "s", "1", "3"),
		strCmd(`$"el"`, "SUBSTR", "s", "1", "2"),
		strCmd(`$""`, "GETRANGE", "s", "-3", "-4"),
		strCmd(`$""`, "GETRANGE", "s", "-1", "-5"),
		strCmd(`$""`, "GETRANGE", "s", "5", "10"),
		strCmd(`$"o"`, "GETRANGE", "s", "4", "100"),
		strCmd(`$"h"`, "GETRANGE", "s", "-100", "-100"),
		strCmd(`$"h"`, "GETRANGE", "s", "0", "-100"),
		strCmd(`$""`, "GETRANGE", "s", "3", "2"),
		strCmd(`$"llo"`, "GETRANGE", "s", "-3", "-1"),
		strCmd(`$""`, "GETRANGE", "s", "9223372036854775807", "-9223372036854775808"),
		strCmd(`$"hello"`, "GETRANGE", "s", "-9223372036854775808", "9223372036854775807"),
		strCmd(`$""`, "GETRANGE", "e", "0", "-1"),
		strCmd(`$""`, "GETRANGE", "e", "-1", "0"),
		strCmd(`$""`, "GETRANGE", "missing", "0", "-1"),
		strCmd(`-"ERR value is not an integer or out of range"`, "GETRANGE", "s", "x", "1"),
		strCmd(`-"ERR value is not an integer or out of range"`, "GETRANGE", "s", "1", "x"),
		strCmd(`-"ERR value is not an integer or out of range"`, "GETRANGE", "h", "x", "1"),
		strCmd(`-"WRONGTYPE Operation against a key holding the wrong kind of value"`, "GETRANGE", "h", "0", "1"),
	})
}

func TestSetrange(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	now := h.now
	tooBig := `-"ERR string exceeds maximum allowed size (proto-max-bulk-len)"`
	strMakeHash(h, "h")
	strRun(h, []strStep{
		strCmd(`-"ERR offset is out of range"`, "SETRANGE", "h", "-1", ""),
		strCmd(`-"ERR value is not an integer or out of range"`, "SETRANGE", "h", "x", "v"),
	})
	strMakeHash(h, "h")
	h.expect(`-"WRONGTYPE Operation against a key holding the wrong kind of value"`, "SETRANGE", "h", "0", "")
	strMakeHash(h, "h")
	h.expect(`-"WRONGTYPE Operation against a key holding the wrong kind of value"`, "SETRANGE", "h", "536870912", "x")
	strRun(h, []strStep{
		strCmd(tooBig, "SETRANGE", "k", "536870912", "x"),
		strCmd(tooBig, "SETRANGE", "k", "536870911", "xy"),
		strCmd(tooBig, "SETRANGE", "k", "9223372036854775807", "x"),
		strCmd(`:0`, "SETRANGE", "k", "536870912", ""),
		strCmd(`:0`, "SETRANGE", "k", "9223372036854775807", ""),
		strCmd(`$nil`, "GET", "k"),
		strCmd(`+"OK"`, "SET", "s", "hello", "EX", "100"),
		strCmd(`:5`, "SETRANGE", "s", "536870912", ""),
		strCmd(tooBig, "SETRANGE", "s", "536870912", "x"),
		strCmd(`:8`, "SETRANGE", "s", "7", "!"),
		strCmd(`$"hello\x00\x00!"`, "GET", "s"),
		strCmd(`:8`, "SETRANGE", "s", "1", "EL"),
		strCmd(`$"hELlo\x00\x00!"`, "GET", "s"),
		strCmd(`:3`, "SETRANGE", "n", "1", "ab"),
		strCmd(`$"\x00ab"`, "GET", "n"),
		strCmd(`:3`, "SETRANGE", "n", "0", "x"),
		strCmd(`$"xab"`, "GET", "n"),
	})
	if strTTL(h, "s") != now+100000 {
		t.Error("SETRANGE dropped the expiry")
	}
	// Growing must zero-fill even where the buffer still holds older
	// bytes (SET overwrites in place).
	strRun(h, []strStep{
		strCmd(`+"OK"`, "SET", "z", "abcdefgh"),
		strCmd(`+"OK"`, "SET", "z", "a"),
		strCmd(`:4`, "SETRANGE", "z", "3", "d"),
		strCmd(`$"a\x00\x00d"`, "GET", "z"),
	})
}

func TestLcs(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.expect(`+"OK"`, "MSET", "key1", "ohmytext", "key2", "mynewtext")
	strRun(h, []strStep{
		strCmd(`$"mytext"`, "LCS", "key1", "key2"),
		strCmd(`:6`, "LCS", "key1", "key2", "LEN"),
		strCmd(`*[$"matches" *[*[*[:4 :7] *[:5 :8]] *[*[:2 :3] *[:0 :1]]] $"len" :6]`, "LCS", "key1", "key2", "IDX"),
		strCmd(`*[$"matches" *[*[*[:4 :7] *[:5 :8] :4]] $"len" :6]`, "LCS", "key1", "key2", "idx", "MINMATCHLEN", "4", "WITHMATCHLEN"),
		strCmd(`*[$"matches" *[*[*[:4 :7] *[:5 :8] :4] *[*[:2 :3] *[:0 :1] :2]] $"len" :6]`, "LCS", "key1", "key2", "IDX", "MINMATCHLEN", "-5", "WITHMATCHLEN"),
		strCmd(`:6`, "LCS", "key1", "key2", "LEN", "MINMATCHLEN", "-5", "WITHMATCHLEN"),
		strCmd(`-"ERR If you want both the length and indexes, please just use IDX."`, "LCS", "key1", "key2", "IDX", "LEN"),
		strCmd(`-"ERR syntax error"`, "LCS", "key1", "key2", "foo"),
		strCmd(`-"ERR syntax error"`, "LCS", "key1", "key2", "MINMATCHLEN"),
		strCmd(`-"ERR value is not an integer or out of range"`, "LCS", "key1", "key2", "MINMATCHLEN", "x"),
		strCmd(`$""`, "LCS", "key1", "nope"),
		strCmd(`*[$"matches" *[] $"len" :0]`, "LCS", "nope", "nope", "IDX"),
		strCmd(`$"ohmytext"`, "LCS", "key1", "key1"),
		strCmd(`*[$"matches" *[*[*[:0 :7] *[:0 :7]]] $"len" :8]`, "LCS", "key1", "key1", "IDX"),
		strHash("l"),
		strCmd(`-"ERR The specified keys must contain string values"`, "LCS", "l", "key2", "foo"),
		strCmd(`-"ERR The specified keys must contain string values"`, "LCS", "key1", "l"),
	})
	h.expect(`+"OK"`, "MSET", "a", strings.Repeat("x", 11586), "b", strings.Repeat("y", 11586))
	h.expect(`-"ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"`, "LCS", "a", "b")
	if s := NewTable().Lookup([]byte("lcs")); fmt.Sprint(s.KeyPositions(strSplit("LCS a b IDX"))) != "[1 2]" {
		t.Error("LCS key positions")
	}
}

// TestStringsResp3 checks the shapes that differ after HELLO 3.
func TestStringsResp3(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.proto = 3
	h.expect(`+"OK"`, "MSET", "key1", "ohmytext", "key2", "mynewtext")
	strRun(h, []strStep{
		strCmd(`_nil`, "GET", "nope"),
		strCmd(`_nil`, "SET", "nope", "v", "XX", "GET"),
		strCmd(`*[$"ohmytext" _nil]`, "MGET", "key1", "nope"),
		strCmd(`_nil`, "SET", "key1", "v", "NX"),
		strCmd(`_nil`, "GETSET", "new", "v"),
		strCmd(`_nil`, "GETDEL", "nope"),
		strCmd(`_nil`, "GETEX", "nope"),
		strCmd(`$"1.5"`, "INCRBYFLOAT", "f", "1.5"),
		strCmd(`%[$"matches" *[*[*[:4 :7] *[:5 :8]] *[*[:2 :3] *[:0 :1]]] $"len" :6]`, "LCS", "key1", "key2", "IDX"),
	})
}
