package command

import "testing"

var saddScript = []collStep{
	cstep(`:3`, "SADD", "s", "a", "b", "c"),
	cstep(`:1`, "SADD", "s", "a", "d", "d"),
	cstep(`:4`, "SCARD", "s"),
	cstep(`:0`, "SCARD", "nokey"),
	unordered(`*[$"a" $"b" $"c" $"d"]`, "SMEMBERS", "s"),
	resp3(unordered(`~[$"a" $"b" $"c" $"d"]`, "SMEMBERS", "s")),
	cstep(`*[]`, "SMEMBERS", "nokey"),
	resp3(cstep(`~[]`, "SMEMBERS", "nokey")),
	cstep(`:1`, "SISMEMBER", "s", "a"),
	cstep(`:0`, "SISMEMBER", "s", "z"),
	cstep(`:0`, "SISMEMBER", "nokey", "a"),
	cstep(`*[:1 :0 :1]`, "SMISMEMBER", "s", "a", "z", "d"),
	cstep(`*[:0 :0]`, "SMISMEMBER", "nokey", "a", "b"),
	cstep(`:2`, "SREM", "s", "a", "b", "z", "a"),
	cstep(`:0`, "SREM", "nokey", "a"),
	unordered(`*[$"c" $"d"]`, "SMEMBERS", "s"),
	cstep(`:2`, "SREM", "s", "c", "d"),
	// Emptied, the key is gone.
	cstep(`:0`, "SCARD", "s"),
	cstep(`+"OK"`, "SET", "s", "now a string"),
	// Empty and binary members.
	cstep(`:3`, "SADD", "bin", "", "\x00\xff", "a\r\nb"),
	cstep(`:1`, "SISMEMBER", "bin", ""),
	cstep(`:1`, "SISMEMBER", "bin", "\x00\xff"),
	cstep(`:0`, "SISMEMBER", "bin", "\x00"),
	resp3(unordered(`~[$"" $"\x00\xff" $"a\r\nb"]`, "SMEMBERS", "bin")),
	cstep(`:1`, "SREM", "bin", ""),
	cstep(`:2`, "SCARD", "bin"),
}

func TestSAddRem(t *testing.T) { t.Parallel(); runColl(t, saddScript) }

var setWrongTypeScript = []collStep{
	cstep(`+"OK"`, "SET", "str", "x"),
	cstep(`:1`, "SADD", "s", "a"),
	cstep(wrongType, "SADD", "str", "a"),
	cstep(wrongType, "SREM", "str", "a"),
	cstep(wrongType, "SMEMBERS", "str"),
	cstep(wrongType, "SISMEMBER", "str", "a"),
	cstep(wrongType, "SMISMEMBER", "str", "a"),
	cstep(wrongType, "SCARD", "str"),
	cstep(wrongType, "SPOP", "str"),
	cstep(wrongType, "SPOP", "str", "0"),
	cstep(wrongType, "SRANDMEMBER", "str"),
	cstep(wrongType, "SRANDMEMBER", "str", "-2"),
	cstep(wrongType, "SMOVE", "str", "s", "a"),
	cstep(wrongType, "SMOVE", "s", "str", "a"),
	cstep(wrongType, "SINTER", "nokey", "str"),
	cstep(wrongType, "SINTER", "s", "str"),
	cstep(wrongType, "SUNION", "s", "str"),
	cstep(wrongType, "SDIFF", "nokey", "str"),
	cstep(wrongType, "SDIFF", "str", "nokey"),
	cstep(wrongType, "SINTERSTORE", "d", "nokey", "str"),
	cstep(wrongType, "SUNIONSTORE", "d", "str"),
	cstep(wrongType, "SDIFFSTORE", "d", "s", "str"),
	cstep(wrongType, "SINTERCARD", "2", "nokey", "str"),
	cstep(wrongType, "SSCAN", "str", "0"),
	cstep(`$"x"`, "GET", "str"),
	cstep(`:1`, "SCARD", "s"),
	cstep(`:0`, "SCARD", "d"),
}

func TestSetsWrongType(t *testing.T) { t.Parallel(); runColl(t, setWrongTypeScript) }

var smoveScript = []collStep{
	cstep(`+"OK"`, "SET", "str", "x"),
	cstep(`:2`, "SADD", "s", "a", "b"),
	// A missing source answers 0 before the destination's type matters.
	cstep(`:0`, "SMOVE", "nokey", "str", "a"),
	cstep(`:1`, "SMOVE", "s", "s", "a"),
	cstep(`:0`, "SMOVE", "s", "s", "z"),
	cstep(`:0`, "SMOVE", "s", "d", "z"),
	cstep(`:0`, "SCARD", "d"),
	cstep(`:1`, "SMOVE", "s", "d", "a"),
	cstep(`:1`, "SADD", "s", "a"),
	cstep(`:1`, "SMOVE", "s", "d", "a"),
	cstep(`:1`, "SMOVE", "s", "d", "b"),
	cstep(`:0`, "SCARD", "s"),
	unordered(`*[$"a" $"b"]`, "SMEMBERS", "d"),
	cstep(`:1`, "SMOVE", "d", "e", "b"),
	cstep(`:1`, "SCARD", "e"),
}

func TestSMove(t *testing.T) { t.Parallel(); runColl(t, smoveScript) }

var setAlgebraScript = []collStep{
	cstep(`:4`, "SADD", "s1", "a", "b", "c", "d"),
	cstep(`:3`, "SADD", "s2", "c", "d", "e"),
	cstep(`:2`, "SADD", "s3", "d", "f"),
	unordered(`*[$"c" $"d"]`, "SINTER", "s1", "s2"),
	unordered(`*[$"d"]`, "SINTER", "s1", "s2", "s3"),
	resp3(unordered(`~[$"d"]`, "SINTER", "s3", "s2", "s1")),
	unordered(`*[$"a" $"b" $"c" $"d"]`, "SINTER", "s1"),
	unordered(`*[$"a" $"b" $"c" $"d"]`, "SINTER", "s1", "s1"),
	cstep(`*[]`, "SINTER", "s1", "nokey"),
	resp3(cstep(`~[]`, "SINTER", "nokey", "s1")),
	unordered(`*[$"a" $"b" $"c" $"d" $"e" $"f"]`, "SUNION", "s1", "s2", "s3"),
	unordered(`*[$"c" $"d" $"e"]`, "SUNION", "nokey", "s2"),
	resp3(unordered(`~[$"c" $"d" $"e" $"f"]`, "SUNION", "s2", "s3", "s3")),
	cstep(`*[]`, "SUNION", "nokey"),
	unordered(`*[$"a" $"b"]`, "SDIFF", "s1", "s2"),
	unordered(`*[$"a" $"b" $"c"]`, "SDIFF", "s1", "s3"),
	unordered(`*[$"a" $"b"]`, "SDIFF", "s1", "s2", "s3", "nokey"),
	unordered(`*[$"a" $"b" $"c" $"d"]`, "SDIFF", "s1", "nokey"),
	cstep(`*[]`, "SDIFF", "s1", "s1"),
	cstep(`*[]`, "SDIFF", "nokey", "s1"),
	resp3(cstep(`~[]`, "SDIFF", "nokey")),
	// STORE forms replace the destination whatever it held.
	cstep(`+"OK"`, "SET", "dst", "x"),
	cstep(`:2`, "SINTERSTORE", "dst", "s1", "s2"),
	unordered(`*[$"c" $"d"]`, "SMEMBERS", "dst"),
	cstep(`:6`, "SUNIONSTORE", "dst", "s1", "s2", "s3"),
	cstep(`:6`, "SCARD", "dst"),
	cstep(`:2`, "SDIFFSTORE", "dst", "s1", "s2"),
	unordered(`*[$"a" $"b"]`, "SMEMBERS", "dst"),
	// An empty result deletes the destination.
	cstep(`:0`, "SINTERSTORE", "dst", "s1", "nokey"),
	cstep(`:0`, "SCARD", "dst"),
	cstep(`+"OK"`, "SET", "dst", "x"),
	cstep(`:0`, "SUNIONSTORE", "dst", "nokey"),
	cstep(`$nil`, "GET", "dst"),
	cstep(`+"OK"`, "SET", "dst", "x"),
	cstep(`:0`, "SDIFFSTORE", "dst", "s1", "s1"),
	cstep(`$nil`, "GET", "dst"),
	// The destination may be a source.
	cstep(`:2`, "SDIFFSTORE", "s1", "s1", "s2"),
	unordered(`*[$"a" $"b"]`, "SMEMBERS", "s1"),
	cstep(`:5`, "SUNIONSTORE", "s1", "s1", "s2"),
	cstep(`:1`, "SINTERSTORE", "s1", "s1", "s3"),
	unordered(`*[$"d"]`, "SMEMBERS", "s1"),
	// Binary members survive the algebra.
	cstep(`:2`, "SADD", "b1", "\x00", ""),
	cstep(`:1`, "SADD", "b2", "\x00"),
	unordered(`*[$"\x00"]`, "SINTER", "b1", "b2"),
	unordered(`*[$""]`, "SDIFF", "b1", "b2"),
}

func TestSetAlgebra(t *testing.T) { t.Parallel(); runColl(t, setAlgebraScript) }

var sintercardScript = []collStep{
	cstep(`:4`, "SADD", "s1", "a", "b", "c", "d"),
	cstep(`:3`, "SADD", "s2", "b", "c", "d"),
	cstep(`:4`, "SINTERCARD", "1", "s1"),
	cstep(`:3`, "SINTERCARD", "2", "s1", "s2"),
	cstep(`:0`, "SINTERCARD", "2", "s1", "nokey"),
	cstep(`:3`, "SINTERCARD", "2", "s1", "s2", "LIMIT", "0"),
	cstep(`:2`, "SINTERCARD", "2", "s1", "s2", "limit", "2"),
	cstep(`:3`, "SINTERCARD", "2", "s1", "s2", "LIMIT", "10"),
	cstep(`:3`, "SINTERCARD", "2", "s1", "s2", "LIMIT", "1", "LIMIT", "0"),
	cstep(`-"ERR numkeys should be greater than 0"`, "SINTERCARD", "0", "s1"),
	cstep(`-"ERR numkeys should be greater than 0"`, "SINTERCARD", "-1", "s1"),
	cstep(`-"ERR numkeys should be greater than 0"`, "SINTERCARD", "x", "s1"),
	cstep(`-"ERR Number of keys can't be greater than number of args"`, "SINTERCARD", "3", "s1", "s2"),
	cstep(`-"ERR numkeys should be greater than 0"`, "SINTERCARD", "99999999999999999999", "s1"),
	cstep(`-"ERR LIMIT can't be negative"`, "SINTERCARD", "1", "s1", "LIMIT", "-1"),
	cstep(`-"ERR LIMIT can't be negative"`, "SINTERCARD", "1", "s1", "LIMIT", "x"),
	cstep(`-"ERR syntax error"`, "SINTERCARD", "1", "s1", "LIMIT"),
	cstep(`-"ERR syntax error"`, "SINTERCARD", "1", "s1", "s2"),
	cstep(`-"ERR syntax error"`, "SINTERCARD", "1", "s1", "LIMIT", "1", "x"),
}

func TestSInterCard(t *testing.T) { t.Parallel(); runColl(t, sintercardScript) }

func TestSInterCardKeys(t *testing.T) {
	t.Parallel()
	s := NewTable().Lookup([]byte("sintercard"))
	cases := []struct {
		args []string
		want []int
	}{
		{[]string{"SINTERCARD", "2", "a", "b", "LIMIT", "1"}, []int{2, 3}},
		{[]string{"SINTERCARD", "1", "a"}, []int{2}},
		{[]string{"SINTERCARD", "3", "a", "b"}, nil},
		{[]string{"SINTERCARD", "0", "a"}, nil},
		{[]string{"SINTERCARD", "x", "a"}, nil},
	}
	for _, c := range cases {
		argv := make([][]byte, len(c.args))
		for i, a := range c.args {
			argv[i] = []byte(a)
		}
		got := s.KeyPositions(argv)
		if len(got) != len(c.want) || len(got) > 0 && (got[0] != c.want[0] || got[len(got)-1] != c.want[len(c.want)-1]) {
			t.Errorf("%q: keys %v, want %v", c.args, got, c.want)
		}
	}
}

// TestSetStoreClearsExpiry checks that a STORE destination is a new key:
// its old expiry goes with its old value.
func TestSetStoreClearsExpiry(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.expect(`:2`, "SADD", "src", "a", "b")
	h.expect(`:1`, "SADD", "dst", "z")
	h.ks.SetExpire([]byte("dst"), h.ks.Peek([]byte("dst")), h.now+1000)
	h.expect(`:3`, "SUNIONSTORE", "dst", "src", "dst")
	h.expect(`:1`, "SISMEMBER", "dst", "z")
	if o := h.ks.Peek([]byte("dst")); o == nil || o.ExpireAt != 0 || o.Set().Len() != 3 {
		t.Fatal("SUNIONSTORE kept the old expiry or lost members")
	}
	// An expired source reads as missing.
	h.ks.SetExpire([]byte("src"), h.ks.Peek([]byte("src")), h.now+5)
	h.now += 5
	h.expect(`:0`, "SINTERSTORE", "out", "src", "dst")
	h.expect(`:0`, "SCARD", "src")
}

// TestSetMemoryAccounting checks the keyspace's accounting after set
// writes, stores and moves: back to zero once every key is emptied.
func TestSetMemoryAccounting(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	fillSet(h, "a", 200)
	fillSet(h, "b", 50)
	if h.ks.UsedMemory() < 250*40 {
		t.Fatalf("250 members account for %d bytes", h.ks.UsedMemory())
	}
	h.expect(`:200`, "SUNIONSTORE", "u", "a", "b")
	h.expect(`:50`, "SINTERSTORE", "a", "a", "b")
	h.expect(`:1`, "SMOVE", "a", "c", "m1")
	h.do("SPOP", "a", "100")
	h.do("SPOP", "b", "10")
	h.do("SPOP", "b", "100")
	h.do("SPOP", "u", "1000")
	h.do("SPOP", "c")
	if h.ks.Len() != 0 || h.ks.UsedMemory() != 0 {
		t.Fatalf("after emptying every set: %d keys, %d bytes", h.ks.Len(), h.ks.UsedMemory())
	}
}
