package command

import (
	"testing"

	"github.com/ember-node/ember-node/rpc/resp"
)

// TestListExpiredKey checks that an expired key of another type is absent
// for list reads and replaced, not WRONGTYPE, for list writes.
func TestListExpiredKey(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, k := range []string{"a", "b", "c", "d"} {
		h.expect(`+"OK"`, "SET", k, "v", "PX", "100")
	}
	h.expect(lWrongType, "LLEN", "a")
	h.now += 100
	h.expect(`:0`, "LLEN", "a")
	h.expect(`*[]`, "LRANGE", "a", "0", "-1")
	h.expect(`$nil`, "LINDEX", "a", "0")
	h.expect(`$nil`, "LPOS", "a", "v")
	h.expect(`:0`, "LPUSHX", "a", "x")
	h.expect(`:1`, "LPUSH", "a", "x")
	h.expect(`$"x"`, "LINDEX", "a", "0")
	h.expect(`-"ERR no such key"`, "LSET", "b", "0", "x")
	h.expect(`*nil`, "RPOP", "c", "1")
	h.expect(`$"x"`, "LMOVE", "a", "d", "LEFT", "RIGHT")
	h.expect(`*[$"x"]`, "LRANGE", "d", "0", "-1")
	if h.ks.Peek([]byte("a")) != nil {
		t.Error("emptied source still stored")
	}
}

// TestListMemory checks that the keyspace's accounting follows list
// growth and comes back to zero once every list is gone.
func TestListMemory(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.expect(`:3`, "RPUSH", "l", "a", "b", "c")
	base := h.ks.UsedMemory()
	if base <= 0 {
		t.Fatalf("used memory %d after RPUSH", base)
	}
	h.expect(`+"OK"`, "LSET", "l", "1", "0123456789")
	if d := h.ks.UsedMemory() - base; d != 9 {
		t.Errorf("LSET of 1 byte by 10 bytes changed used memory by %d", d)
	}
	h.expect(`:4`, "RPUSH", "m", "a", "b", "c", "d")
	h.expect(`$"d"`, "RPOPLPUSH", "m", "l")
	h.expect(`:1`, "LREM", "m", "0", "b")
	h.expect(`+"OK"`, "LTRIM", "l", "1", "1")
	h.expect(`*[$"a" $"c"]`, "LPOP", "m", "5")
	h.expect(`$"a"`, "RPOP", "l")
	if u := h.ks.UsedMemory(); u != 0 || h.ks.Len() != 0 {
		t.Errorf("after emptying every list: used %d bytes, %d keys", u, h.ks.Len())
	}
}

// TestListPrepare checks that the leader refuses exactly what Exec
// refuses before touching the keyspace, with the same words, and
// replicates valid commands unchanged.
func TestListPrepare(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	cases := []struct {
		args []string
		want string // "" when the command is replicated
	}{
		{largs("LPOP", "k", "-1"), `-"ERR value is out of range, must be positive"`},
		{largs("RPOP", "k", "1", "2"), `-"ERR wrong number of arguments for 'rpop' command"`},
		{largs("LPOP", "k", "2"), ""},
		{largs("LTRIM", "k", "0", "x"), lNotInt},
		{largs("LTRIM", "k", "0", "-1"), ""},
		{largs("LREM", "k", "1.5", "v"), lNotInt},
		{largs("LINSERT", "k", "NEAR", "p", "v"), lSyntax},
		{largs("LINSERT", "k", "after", "p", "v"), ""},
		{largs("LMOVE", "k", "j", "LEFT", "MIDDLE"), lSyntax},
		{largs("LMOVE", "k", "j", "right", "LEFT"), ""},
	}
	for _, c := range cases {
		argv := listArgv(c.args...)
		s := h.table.Lookup(argv[0])
		out, err := s.Prepare(&Ctx{KS: h.ks, Now: h.now, Spec: s}, argv)
		if c.want == "" {
			if err != nil || len(out) != len(argv) {
				t.Errorf("%q: prepare refused: %v", c.args, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%q: prepare accepted", c.args)
			continue
		}
		got := (&resp.Value{Type: '-', Str: AsReply(err)}).String()
		if got != c.want {
			t.Errorf("%q: prepare %s, want %s", c.args, got, c.want)
		}
		h.expect(c.want, c.args...) // Exec, through the harness, agrees
	}
}
