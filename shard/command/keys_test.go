package command

import (
	"strconv"
	"strings"
	"testing"

	"github.com/ember-node/ember-node/shard"
)

// keysStep is one command and its expected reply; names are prefixed to
// stay clear of the other families' test helpers in this package.
type keysStep struct {
	want string
	args []string
}

func runKeysSteps(h *harness, steps []keysStep) {
	h.t.Helper()
	for _, s := range steps {
		h.expect(s.want, s.args...)
	}
}

func kargs(s string) []string { return strings.Fields(s) }

func TestDelExistsTouchType(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	runKeysSteps(h, []keysStep{
		{`+"OK"`, kargs("SET a 1")},
		{`+"OK"`, kargs("SET b 2")},
		{`:3`, kargs("EXISTS a a b")},
		{`:0`, kargs("EXISTS nope")},
		{`:2`, kargs("TOUCH a a nope")},
		{`+"string"`, kargs("TYPE a")},
		{`+"none"`, kargs("TYPE nope")},
		{`:1`, kargs("DEL a a nope")},
		{`:0`, kargs("EXISTS a")},
		{`:1`, kargs("UNLINK b")},
		{`:0`, kargs("unlink b")},
		{`-"ERR wrong number of arguments for 'del' command"`, kargs("DEL")},
		{`-"ERR wrong number of arguments for 'exists' command"`, kargs("EXISTS")},
		{`-"ERR wrong number of arguments for 'type' command"`, kargs("TYPE a b")},
		{`+"OK"`, []string{"SET", "", "empty key"}},
		{`:1`, []string{"EXISTS", ""}},
		{`:1`, []string{"DEL", ""}},
		{`+"OK"`, kargs("SET t v PX 100")},
		{`:1`, kargs("EXISTS t")},
	})
	h.now += 100
	runKeysSteps(h, []keysStep{
		{`:0`, kargs("EXISTS t")},
		{`+"none"`, kargs("TYPE t")},
		{`:0`, kargs("TOUCH t")},
		{`:0`, kargs("DEL t")}, // expired: deleted as such, not counted
	})
	if h.ks.Len() != 0 {
		t.Errorf("keys left: %d", h.ks.Len())
	}
}

func TestTypeOfCollections(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, k := range []shard.Kind{shard.KindList, shard.KindHash, shard.KindSet, shard.KindZSet} {
		h.ks.Create([]byte(k.String()), k, h.now)
		h.expect(`+"`+k.String()+`"`, "TYPE", k.String())
	}
}

func toArgv(args []string) [][]byte {
	argv := make([][]byte, len(args))
	for i, a := range args {
		argv[i] = []byte(a)
	}
	return argv
}

func joinStrings(argv [][]byte) []string {
	out := make([]string, len(argv))
	for i, a := range argv {
		out[i] = string(a)
	}
	return out
}

func joinArgv(argv [][]byte) string { return strings.Join(joinStrings(argv), " ") }

func TestRename(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	runKeysSteps(h, []keysStep{
		{`-"ERR no such key"`, kargs("RENAME nope x")},
		{`-"ERR no such key"`, kargs("RENAME nope nope")},
		{`-"ERR no such key"`, kargs("RENAMENX nope x")},
		{`+"OK"`, kargs("SET a 1")},
		{`+"OK"`, kargs("SET b 2")},
		{`+"OK"`, kargs("RENAME a a")},
		{`:0`, kargs("RENAMENX a a")},
		{`:1`, kargs("EXPIRE a 100")},
		{`+"OK"`, kargs("RENAME a b")},
		{`:100`, kargs("TTL b")},
		{`$"1"`, kargs("GET b")},
		{`:0`, kargs("EXISTS a")},
		{`+"OK"`, kargs("SET a 3")},
		{`:0`, kargs("RENAMENX a b")},
		{`$"3"`, kargs("GET a")},
		{`:1`, kargs("RENAMENX a c")},
		{`:-1`, kargs("TTL c")},
		{`+"OK"`, kargs("RENAME b c")}, // replaces c, TTL travels with b
		{`:100`, kargs("TTL c")},
		{`$"1"`, kargs("GET c")},
		{`:1`, kargs("DBSIZE")},
		{`+"OK"`, kargs("SET x v PX 10")},
	})
	h.now += 10
	runKeysSteps(h, []keysStep{
		{`-"ERR no such key"`, kargs("RENAME x y")},
		{`+"OK"`, kargs("SET x v")},
		{`+"OK"`, kargs("SET y w PX 10")},
	})
	h.now += 10
	h.expect(`:1`, "RENAMENX", "x", "y") // an expired destination is free
	h.expect(`$"v"`, "GET", "y")
}

func TestCopy(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	runKeysSteps(h, []keysStep{
		{`:0`, kargs("COPY a b")},
		{`+"OK"`, kargs("SET a v")},
		{`-"ERR source and destination objects are the same"`, kargs("COPY a a")},
		{`-"ERR source and destination objects are the same"`, kargs("COPY a a DB 0")},
		{`-"ERR Copying to another database is not allowed in cluster mode"`, kargs("COPY a b DB 1")},
		{`-"ERR Copying to another database is not allowed in cluster mode"`, kargs("COPY a a DB 15")},
		{`-"ERR DB index is out of range"`, kargs("COPY a b DB 16")},
		{`-"ERR DB index is out of range"`, kargs("COPY a b DB -1")},
		{`-"ERR value is not an integer or out of range"`, kargs("COPY a b DB abc")},
		{`-"ERR value is out of range, value must between -2147483648 and 2147483647"`, kargs("COPY a b DB 4294967296")},
		{`-"ERR syntax error"`, kargs("COPY a b DB 0 FOO")},
		{`-"ERR syntax error"`, kargs("COPY a b DB 1 FOO")},
		{`-"ERR syntax error"`, kargs("COPY a b DB")},
		{`-"ERR syntax error"`, kargs("COPY a b FOO")},
		{`-"ERR wrong number of arguments for 'copy' command"`, kargs("COPY a")},
		{`:0`, kargs("EXISTS b")},
		{`:1`, kargs("COPY a b DB 0")},
		{`$"v"`, kargs("GET b")},
		{`:0`, kargs("COPY a b")},
		{`+"OK"`, kargs("SET a w")},
		{`:1`, kargs("COPY a b replace")},
		{`$"w"`, kargs("GET b")},
		{`:-1`, kargs("TTL b")},
		{`:1`, kargs("PEXPIRE a 100000")},
		{`:1`, kargs("COPY a c REPLACE DB 0 REPLACE")},
		{`:100000`, kargs("PTTL c")},
		{`+"OK"`, kargs("SET a x")}, // the copy does not share bytes with a
		{`$"w"`, kargs("GET c")},
		{`:3`, kargs("DBSIZE")},
	})
	h.expect(`:1`, "COPY", "a", "c", "REPLACE")
	if ca, cc := h.ks.Peek([]byte("a")), h.ks.Peek([]byte("c")); &ca.Str[0] == &cc.Str[0] {
		t.Errorf("COPY shares the value's bytes")
	}
}

func TestRandomKeyDBSizeFlush(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	runKeysSteps(h, []keysStep{
		{`$nil`, kargs("RANDOMKEY")},
		{`:0`, kargs("DBSIZE")},
		{`+"OK"`, kargs("SET a 1")},
		{`$"a"`, kargs("RANDOMKEY")},
		{`+"OK"`, kargs("SET b 1 PX 5")},
		{`:2`, kargs("DBSIZE")},
		{`-"ERR wrong number of arguments for 'randomkey' command"`, kargs("RANDOMKEY x")},
		{`-"ERR wrong number of arguments for 'dbsize' command"`, kargs("DBSIZE x")},
	})
	h.now += 5
	for range 20 {
		h.expect(`$"a"`, "RANDOMKEY") // never the expired key
	}
	h.expect(`:2`, "DBSIZE") // expired but not yet deleted, as in Redis
	runKeysSteps(h, []keysStep{
		{`-"ERR syntax error"`, kargs("FLUSHDB foo")},
		{`-"ERR syntax error"`, kargs("FLUSHALL SYNC SYNC")},
		{`:2`, kargs("DBSIZE")},
		{`+"OK"`, kargs("FLUSHDB async")},
		{`:0`, kargs("DBSIZE")},
		{`+"OK"`, kargs("SET a 1")},
		{`+"OK"`, kargs("FLUSHALL SYNC")},
		{`:0`, kargs("DBSIZE")},
		{`+"OK"`, kargs("FLUSHALL")},
		{`$nil`, kargs("RANDOMKEY")},
	})
	if h.ks.UsedMemory() != 0 {
		t.Errorf("memory after FLUSHALL: %d", h.ks.UsedMemory())
	}
}

func TestRandomKeyCoversKeys(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for i := range 8 {
		h.expect(`+"OK"`, "SET", "k"+strconv.Itoa(i), "v")
	}
	seen := map[string]bool{}
	for range 400 {
		seen[h.do("RANDOMKEY").Str] = true
	}
	if len(seen) != 8 {
		t.Errorf("RANDOMKEY returned %d distinct keys of 8", len(seen))
	}
}

func TestKeySpecFlags(t *testing.T) {
	t.Parallel()
	table := NewTable()
	for _, name := range []string{"dbsize", "flushdb", "flushall", "keys", "scan", "randomkey"} {
		if s := table.Lookup([]byte(name)); s == nil || s.Flags&AllShards == 0 {
			t.Errorf("%s: not AllShards", name)
		}
	}
	for _, name := range []string{"del", "expire", "rename", "copy", "get"} {
		if s := table.Lookup([]byte(name)); s.Flags&AllShards != 0 {
			t.Errorf("%s: AllShards", name)
		}
	}
	rename := table.Lookup([]byte("rename"))
	if got := rename.KeyPositions(toArgv(kargs("RENAME a b"))); len(got) != 2 || got[0] != 1 || got[1] != 2 {
		t.Errorf("RENAME keys at %v", got)
	}
	del := table.Lookup([]byte("del"))
	if got := del.KeyPositions(toArgv(kargs("DEL a b c"))); len(got) != 3 {
		t.Errorf("DEL keys at %v", got)
	}
}
