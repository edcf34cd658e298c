package command

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/ember-node/ember-node/rpc/resp"
	"github.com/ember-node/ember-node/shard"
)

const strFuzzNow = 1_700_000_000_000

// strFuzzTable is shared by fuzz runs: a Table is read-only once built.
var strFuzzTable = NewTable()

// strFuzzState builds a keyspace whose key "k" is, by state: absent, a
// string, a string with a TTL, an expired string, or a hash.
func strFuzzState(state uint8) *shard.Keyspace {
	ks := shard.New()
	k := []byte("k")
	switch state % 5 {
	case 1:
		ks.SetString(k, []byte("old"), strFuzzNow)
	case 2:
		o := ks.SetString(k, []byte("old"), strFuzzNow)
		ks.SetExpire(k, o, strFuzzNow+5000)
	case 3:
		o := ks.SetString(k, []byte("old"), strFuzzNow-10)
		ks.SetExpire(k, o, strFuzzNow-1)
	case 4:
		ks.Create(k, shard.KindHash, strFuzzNow)
		return ks // left dirty: a Flush would remove the empty hash
	}
	ks.Flush()
	return ks
}

// strSnapshot describes everything a replica must agree on.
func strSnapshot(ks *shard.Keyspace) string {
	s := fmt.Sprintf("keys=%d volatile=%d mem=%d", ks.Len(), ks.VolatileLen(), ks.UsedMemory())
	if o := ks.Peek([]byte("k")); o != nil {
		s += fmt.Sprintf(" k=%v:%q@%d", o.Kind, o.Str, o.ExpireAt)
	}
	return s
}

// strExecAt runs argv's Exec directly (no Prepare) at strFuzzNow on state.
func strExecAt(t *testing.T, table *Table, argv [][]byte, state uint8) (reply, snap string) {
	s := table.Lookup(argv[0])
	if s == nil || !s.CheckArity(len(argv)) {
		t.Fatalf("%q is not a command", argv)
	}
	ks := strFuzzState(state)
	w := &resp.Writer{}
	Run(&Ctx{KS: ks, Now: strFuzzNow, W: w}, s, argv)
	return string(w.B), strSnapshot(ks)
}

// strCheckPrepared holds Prepare to its contract: it never panics; an error
// is the very error Exec gives the original argv, with nothing changed;
// otherwise the rewritten argv is a registered write that replies and
// changes the keyspace exactly as the original did, and preparing it
// again changes nothing.
func strCheckPrepared(t *testing.T, argv [][]byte, state uint8) {
	table := strFuzzTable
	spec := table.Lookup(argv[0])
	wantReply, wantSnap := strExecAt(t, table, argv, state)
	out, err := spec.Prepare(&Ctx{KS: strFuzzState(state), Now: strFuzzNow}, argv)
	if err != nil {
		if got := "-" + AsReply(err) + "\r\n"; got != wantReply {
			t.Fatalf("%q: Prepare says %q, Exec %q", argv, got, wantReply)
		}
		// A write that changes nothing still ends with a Flush (which
		// removes the bare hash of state 4).
		ks := strFuzzState(state)
		ks.Flush()
		if before := strSnapshot(ks); before != wantSnap {
			t.Fatalf("%q: failed Exec changed %s to %s", argv, before, wantSnap)
		}
		return
	}
	s2 := table.Lookup(out[0])
	if s2 == nil || s2.Flags&Write == 0 || !s2.CheckArity(len(out)) {
		t.Fatalf("%q prepared as %q, not a write", argv, out)
	}
	reply, snap := strExecAt(t, table, out, state)
	if reply != wantReply || snap != wantSnap {
		t.Fatalf("%q: %q gives %q %s, original %q %s", argv, out, reply, snap, wantReply, wantSnap)
	}
	if s2.Prepare == nil {
		return
	}
	again, err := s2.Prepare(&Ctx{KS: strFuzzState(state), Now: strFuzzNow + 12345}, out)
	if err != nil || !bytes.Equal(bytes.Join(again, []byte{0}), bytes.Join(out, []byte{0})) {
		t.Fatalf("%q: preparing %q again gives %q, %v", argv, out, again, err)
	}
}

// strFuzzArgv returns prefix followed by opts split at spaces (empty
// arguments included), at most 16 of them.
func strFuzzArgv(opts string, prefix ...string) [][]byte {
	argv := strSplit(strings.Join(prefix, " "))
	if opts == "" {
		return argv
	}
	for i, a := range strings.Split(opts, " ") {
		if i == 16 {
			break
		}
		argv = append(argv, []byte(a))
	}
	return argv
}

var strSetSeeds = []string{
	"", "NX", "XX GET", "nx xx", "GET GET NX NX", "KEEPTTL", "KEEPTTL GET XX",
	"KEEPTTL KEEPTTL", "EX 10", "ex 1 EX 2", "PX 100 NX GET", "EXAT 1", "pxat 1700000000001",
	"PXAT 9223372036854775807", "EXAT 9223372036854775", "EXAT 9223372036854776",
	"EX 9223372036854775", "PX 9223372036854775807", "EX 0", "PX -1", "EX x",
	"EX 1.5", "EX 10 KEEPTTL", "KEEPTTL EX 10", "EX 1 PX 1", "PERSIST", "EX", "GET EX",
	"EX  ", "EX 01", "EX +1", "GET PX 1 GET", "XX PXAT 1",
}

func FuzzSetOptions(f *testing.F) {
	for i, s := range strSetSeeds {
		f.Add(s, uint8(i))
	}
	f.Fuzz(func(t *testing.T, opts string, state uint8) {
		strCheckPrepared(t, strFuzzArgv(opts, "SET", "k", "v"), state)
	})
}

// FuzzExpireCommands covers the other commands whose Prepare rewrites a
// relative time: GETEX, SETEX and PSETEX.
func FuzzExpireCommands(f *testing.F) {
	for i, s := range append(strSetSeeds, "PERSIST PERSIST", "PERSIST EX 1", "EXAT 0") {
		f.Add(s, uint8(i), uint8(i))
	}
	f.Fuzz(func(t *testing.T, opts string, state, which uint8) {
		switch which % 3 {
		case 0:
			strCheckPrepared(t, strFuzzArgv(opts, "GETEX", "k"), state)
		case 1, 2:
			name := [...]string{"SETEX", "PSETEX"}[which%3-1]
			ttl, _, _ := strings.Cut(opts, " ")
			strCheckPrepared(t, [][]byte{[]byte(name), []byte("k"), []byte(ttl), []byte("v")}, state)
		}
	})
}
