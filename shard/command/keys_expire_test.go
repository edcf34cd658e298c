package command

import (
	"testing"

	"github.com/ember-node/ember-node/shard"
)

func TestExpireErrors(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.expect(`+"OK"`, "SET", "k", "v")
	const compat = `-"ERR NX and XX, GT or LT options at the same time are not compatible"`
	runKeysSteps(h, []keysStep{
		{compat, kargs("EXPIRE k abc NX XX")}, // options are checked before the time
		{compat, kargs("EXPIRE k 10 nx gt")},
		{compat, kargs("PEXPIRE k 10 NX LT")},
		{`-"ERR GT and LT options at the same time are not compatible"`, kargs("EXPIREAT k 10 GT LT")},
		{`-"ERR Unsupported option foo"`, kargs("EXPIRE k abc foo")},
		{`-"ERR value is not an integer or out of range"`, kargs("EXPIRE k abc")},
		{`-"ERR value is not an integer or out of range"`, kargs("EXPIRE k 1.5")},
		{`-"ERR value is not an integer or out of range"`, kargs("EXPIRE missing +1")},
		{`-"ERR invalid expire time in 'expire' command"`, kargs("EXPIRE k 9223372036854775807")},
		{`-"ERR invalid expire time in 'expire' command"`, kargs("EXPIRE k 9223372036854774")},
		{`-"ERR invalid expire time in 'expire' command"`, kargs("EXPIRE k -9223372036854776")},
		{`-"ERR invalid expire time in 'pexpire' command"`, kargs("PEXPIRE k 9223372036854775807")},
		{`-"ERR invalid expire time in 'expireat' command"`, kargs("EXPIREAT k 9223372036854776")},
		{`-"ERR wrong number of arguments for 'expire' command"`, kargs("EXPIRE k")},
		{`-"ERR wrong number of arguments for 'ttl' command"`, kargs("TTL k x")},
		{`:-1`, kargs("TTL k")}, // no error touched the key
		{`:1`, kargs("EXPIREAT k 9223372036854775")},
		{`:9223372036854775000`, kargs("PEXPIRETIME k")},
		{`:1`, kargs("PEXPIREAT k 9223372036854775807")},
		{`:9223372036854775807`, kargs("PEXPIRETIME k")},
		{`:9223372036854776`, kargs("EXPIRETIME k")}, // rounded without overflow
		{`:1`, kargs("PEXPIRE k -9223372036854775808")},
		{`:0`, kargs("EXISTS k")},
		{`:0`, kargs("EXPIRE k 10")},
	})
}

func TestExpireConditions(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	runKeysSteps(h, []keysStep{
		{`:0`, kargs("EXPIRE missing 10")},
		{`+"OK"`, kargs("SET k v")},
		{`:0`, kargs("EXPIRE k 10 XX")},
		{`:0`, kargs("EXPIRE k 10 GT")}, // no TTL counts as infinite
		{`:-1`, kargs("TTL k")},
		{`:1`, kargs("EXPIRE k 10 NX")},
		{`:0`, kargs("EXPIRE k 20 NX")},
		{`:1`, kargs("EXPIRE k 20 XX")},
		{`:0`, kargs("EXPIRE k 10 GT")},
		{`:0`, kargs("EXPIRE k 20 GT")}, // equal is not greater
		{`:1`, kargs("EXPIRE k 30 GT")},
		{`:0`, kargs("EXPIRE k 40 LT")},
		{`:0`, kargs("EXPIRE k 30 lt")},
		{`:1`, kargs("EXPIRE k 5 LT")},
		{`:5`, kargs("TTL k")},
		{`:1`, kargs("EXPIRE k 6 XX GT")},
		{`:6000`, kargs("PTTL k")},
		{`:1`, kargs("PERSIST k")},
		{`:0`, kargs("PERSIST k")},
		{`:0`, kargs("PERSIST missing")},
		{`:1`, kargs("EXPIRE k 10 LT")}, // LT on no TTL sets one
		{`:10`, kargs("TTL k")},
		{`:1`, kargs("PEXPIRE k 1500")},
		{`:2`, kargs("TTL k")}, // 1.5 s rounds up, as (ttl+500)/1000
		{`:1`, kargs("PEXPIRE k 1499")},
		{`:1`, kargs("TTL k")},
		{`:1`, kargs("PEXPIRE k 499")},
		{`:0`, kargs("TTL k")},
		{`:499`, kargs("PTTL k")},
		{`:1700000000`, kargs("EXPIRETIME k")},
		{`:1700000000499`, kargs("PEXPIRETIME k")},
		{`:1`, kargs("PEXPIRE k 500")},
		{`:1700000001`, kargs("EXPIRETIME k")},
	})
}

func TestExpireInPastDeletes(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		kargs("EXPIRE k 0"), kargs("EXPIRE k -5"), kargs("PEXPIRE k 0"),
		kargs("EXPIREAT k 1"), kargs("PEXPIREAT k 1700000000000"),
		kargs("PEXPIREAT k -9223372036854775808"), kargs("EXPIRE k -1 XX"),
		kargs("PEXPIREAT k 1 LT"), kargs("EXPIRE k 0 NX"),
	} {
		h := newHarness(t)
		h.expect(`+"OK"`, "SET", "k", "v")
		if args[len(args)-1] == "XX" || args[len(args)-1] == "LT" {
			h.expect(`:1`, "EXPIRE", "k", "100")
		}
		h.expect(`:1`, args...)
		h.expect(`:-2`, "TTL", "k")
		if h.ks.Len() != 0 {
			t.Errorf("%q left the key in the keyspace", args)
		}
	}
	h := newHarness(t)
	h.expect(`+"OK"`, "SET", "k", "v")
	h.expect(`:0`, "PEXPIREAT", "k", "1", "GT") // no TTL: GT fails first
	h.expect(`:1`, "EXISTS", "k")
}

func TestExpireOnLapsedKey(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	runKeysSteps(h, []keysStep{
		{`+"OK"`, kargs("SET k v PX 10")},
		{`:1`, kargs("PEXPIRE k 20 GT")},
	})
	h.now += 20
	runKeysSteps(h, []keysStep{
		{`:-2`, kargs("PTTL k")},
		{`:0`, kargs("EXPIRE k 100")},
		{`:0`, kargs("PERSIST k")},
	})
	if h.ks.Len() != 0 {
		t.Errorf("expired key not deleted by the write")
	}
}

// TestExpirePrepare checks that relative times are made absolute at the
// leader, so that a record applied later still expires at the same time.
func TestExpirePrepare(t *testing.T) {
	t.Parallel()
	table := NewTable()
	cases := []struct{ in, out string }{
		{"EXPIRE k 10", "pexpireat k 11000"},
		{"expire k 10 NX", "pexpireat k 11000 NX"},
		{"PEXPIRE k -5 xx gt", "pexpireat k 995 xx gt"},
		{"EXPIREAT k 10", "EXPIREAT k 10"},
		{"PEXPIREAT k 10 LT", "PEXPIREAT k 10 LT"},
	}
	for _, cs := range cases {
		argv := toArgv(kargs(cs.in))
		c := &Ctx{Now: 1000}
		out, err := table.Lookup(argv[0]).Prepare(c, argv)
		if err != nil {
			t.Fatalf("%s: %v", cs.in, err)
		}
		if got := joinArgv(out); got != cs.out {
			t.Errorf("%s: prepared %q, want %q", cs.in, got, cs.out)
		}
		if joinArgv(argv) != cs.in {
			t.Errorf("%s: Prepare changed its input", cs.in)
		}
	}
	_, err := table.Lookup([]byte("expire")).Prepare(&Ctx{Now: 1000}, toArgv(kargs("EXPIRE k 9223372036854775")))
	if err == nil || AsReply(err) != "ERR invalid expire time in 'expire' command" {
		t.Errorf("overflow: %v", err)
	}
	h := newHarness(t)
	h.expect(`+"OK"`, "SET", "k", "v")
	prepared, _ := table.Lookup([]byte("expire")).Prepare(&Ctx{Now: h.now}, toArgv(kargs("EXPIRE k 10")))
	h.now += 4000 // the record is applied later
	h.expect(`:1`, joinStrings(prepared)...)
	h.expect(`:6`, "TTL", "k")
}

// TestExpireNoopKeepsVersion checks that an EXPIRE or PERSIST that changes
// nothing does not look like a write to WATCH.
func TestExpireNoopKeepsVersion(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.expect(`+"OK"`, "SET", "k", "v")
	slot := shard.KeySlot("k")
	v := h.ks.SlotVersion(slot)
	for _, a := range []string{"EXPIRE k 10 XX", "EXPIRE k 10 GT", "PERSIST k", "RENAMENX k k", "RENAME k k"} {
		h.do(kargs(a)...)
	}
	if h.ks.SlotVersion(slot) != v {
		t.Errorf("no-op writes moved the slot version")
	}
	h.expect(`:1`, "EXPIRE", "k", "10")
	if h.ks.SlotVersion(slot) == v {
		t.Errorf("EXPIRE did not move the slot version")
	}
}

func TestTTLResp3(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.proto = 3
	h.expect(`:-2`, "TTL", "k")
	h.expect(`_nil`, "RANDOMKEY")
	h.expect(`+"OK"`, "SET", "k", "v")
	h.expect(`:1`, "EXPIRE", "k", "7")
	h.expect(`:7`, "TTL", "k")
	h.expect(`*[$"0" *[$"k"]]`, "SCAN", "0")
	h.expect(`*[$"k"]`, "KEYS", "*")
	h.expect(`$"k"`, "RANDOMKEY")
}
