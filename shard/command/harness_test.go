package command

import (
	"bufio"
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/ember-node/ember-node/persistence"
	"github.com/ember-node/ember-node/rpc/resp"
	"github.com/ember-node/ember-node/shard"
)

// harness runs commands against one keyspace the way a node does: a write
// goes through Prepare, becomes a record, is encoded and decoded, and is
// applied; a read runs directly. Replies come back rendered by resp.Value.
type harness struct {
	t     *testing.T
	ks    *shard.Keyspace
	table *Table
	now   int64
	proto int
	rnd   *rand.Rand
}

func newHarness(t *testing.T) *harness {
	return &harness{t: t, ks: shard.New(), table: NewTable(), now: 1_700_000_000_000, rnd: rand.New(rand.NewPCG(1, 2))}
}

// do runs one command and returns its decoded reply.
func (h *harness) do(args ...string) resp.Value {
	h.t.Helper()
	argv := make([][]byte, len(args))
	for i, a := range args {
		argv[i] = []byte(a)
	}
	w := &resp.Writer{Proto: h.proto}
	h.exec(argv, w)
	v, err := resp.ReadValue(bufio.NewReader(bytes.NewReader(w.B)))
	if err != nil {
		h.t.Fatalf("%q: bad reply %q: %v", args, w.B, err)
	}
	return v
}

// str runs one command and returns its reply rendered as a string.
func (h *harness) str(args ...string) string {
	h.t.Helper()
	return h.do(args...).String()
}

// expect runs one command and fails unless its rendered reply is want.
func (h *harness) expect(want string, args ...string) {
	h.t.Helper()
	if got := h.str(args...); got != want {
		h.t.Errorf("%q: got %s, want %s", args, got, want)
	}
}

func (h *harness) exec(argv [][]byte, w *resp.Writer) {
	s := h.table.Lookup(argv[0])
	if s == nil {
		w.Error("ERR unknown command")
		return
	}
	if !s.CheckArity(len(argv)) {
		w.Error(ArityError(s.Name))
		return
	}
	c := &Ctx{KS: h.ks, Now: h.now, Seed: h.rnd.Uint64(), W: w, Spec: s}
	if s.Flags&Write == 0 {
		Run(c, s, argv)
		return
	}
	if s.Prepare != nil {
		var err error
		if argv, err = s.Prepare(c, argv); err != nil {
			w.Error(AsReply(err))
			return
		}
	}
	rec := persistence.Record{Tag: persistence.TagCommand, Time: h.now, Seed: c.Seed, Args: argv}
	dec, err := persistence.Decode(rec.AppendBinary(nil))
	if err != nil {
		h.t.Fatalf("record round trip: %v", err)
	}
	if err := h.table.Apply(h.ks, &dec, w); err != nil {
		h.t.Fatalf("apply %q: %v", argv, err)
	}
}
