package command

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/ember-node/ember-node/persistence"
	"github.com/ember-node/ember-node/shard"
)

// Run executes argv (already looked up and arity-checked) and, for a write,
// ends the write so that emptied keys go and memory is re-accounted.
func Run(c *Ctx, s *Spec, argv [][]byte) {
	c.Spec = s
	s.Exec(c, argv)
	if s.Flags&Write != 0 {
		c.KS.Flush()
	}
}

// CheckArity reports whether argc arguments (the name included) fit s.
func (s *Spec) CheckArity(argc int) bool {
	if s.Arity >= 0 {
		return argc == s.Arity
	}
	return argc >= -s.Arity
}

// Apply applies one record to ks, writing the reply to w. An error means
// the record cannot be applied (unknown tag or command, bad shape): the
// caller must stop this keyspace rather than diverge from other replicas.
func (t *Table) Apply(ks *shard.Keyspace, rec *persistence.Record, w Writer) error {
	return t.ApplyWith(new(Ctx), ks, rec, w)
}

// ApplyWith is Apply running the command in c, which it overwrites: a
// caller that applies records one at a time keeps one Ctx for all of them,
// as a Ctx per record would be an allocation per write (it escapes into
// the command's handler).
func (t *Table) ApplyWith(c *Ctx, ks *shard.Keyspace, rec *persistence.Record, w Writer) error {
	switch rec.Tag {
	case persistence.TagCommand:
		if len(rec.Args) == 0 {
			return fmt.Errorf("command record without argv")
		}
		s := t.Lookup(rec.Args[0])
		if s == nil || s.Flags&Write == 0 || !s.CheckArity(len(rec.Args)) {
			return fmt.Errorf("record: not a write command %q/%d", rec.Args[0], len(rec.Args))
		}
		*c = Ctx{KS: ks, Now: rec.Time, Seed: rec.Seed, W: w}
		Run(c, s, rec.Args)
		*c = Ctx{} // keep nothing of the record alive
	case persistence.TagExec:
		return t.applyExec(ks, rec, w)
	case persistence.TagExpire:
		n := 0
		for _, k := range rec.Args {
			if ks.DeleteIfExpired(k, rec.Time) {
				n++
			}
		}
		w.Int(int64(n))
	case persistence.TagEvict:
		w.Int(int64(ks.Evict(rec.Args)))
	default:
		if rec.Tag&persistence.TagSkippable == 0 {
			return fmt.Errorf("record: unknown tag %d", rec.Tag)
		}
		w.Simple("OK")
	}
	return nil
}

// A failed entry in an EXEC record carries the error its command gave at
// the leader (a Prepare error) instead of an argv: the marker, then the text.
var execFailed = []byte{}

// Watch is one WATCHed key as the EXEC record carries it: the version of
// its slot when watched, and its expiry then if it was live with a TTL
// (a watched key that expires before EXEC aborts it, as in Redis).
type Watch struct {
	Slot     int
	Version  uint64
	ExpireAt int64
}

// EncodeWatch encodes the watched keys for an EXEC record.
func EncodeWatch(ws []Watch) []byte {
	var b []byte
	for _, w := range ws {
		b = binary.AppendUvarint(b, uint64(w.Slot))
		b = binary.AppendUvarint(b, w.Version)
		b = binary.AppendVarint(b, w.ExpireAt)
	}
	return b
}

// ExecEntry returns the EXEC record entry of one queued command.
func ExecEntry(argv [][]byte) []byte { return persistence.AppendArgs(nil, argv) }

// ExecFailedEntry returns the EXEC record entry of a command that failed at
// the leader with msg.
func ExecFailedEntry(msg string) []byte {
	return persistence.AppendArgs(nil, [][]byte{execFailed, []byte(msg)})
}

func (t *Table) applyExec(ks *shard.Keyspace, rec *persistence.Record, w Writer) error {
	if len(rec.Args) == 0 {
		return fmt.Errorf("exec record without watch list")
	}
	if !watchHolds(ks, rec.Args[0], rec.Time) {
		w.NullArray()
		return nil
	}
	cmds := rec.Args[1:]
	argvs := make([][][]byte, len(cmds))
	for i, e := range cmds {
		argv, rest, err := persistence.DecodeArgs(e)
		if err != nil || len(rest) != 0 || len(argv) == 0 {
			return fmt.Errorf("exec record entry %d: bad argv", i)
		}
		argvs[i] = argv
	}
	w.Array(len(argvs))
	for i, argv := range argvs {
		if len(argv) == 2 && len(argv[0]) == 0 {
			w.Error(string(argv[1]))
			continue
		}
		if len(argv) == 2 && bytes.Equal(argv[0], execRaw) {
			if rw, ok := w.(RawWriter); ok {
				rw.Raw(argv[1])
			}
			continue
		}
		s := t.Lookup(argv[0])
		if s == nil || !s.CheckArity(len(argv)) {
			return fmt.Errorf("exec record entry %d: unknown command %q", i, argv[0])
		}
		c := Ctx{KS: ks, Now: rec.Time, Seed: rec.Seed + uint64(i), W: w}
		Run(&c, s, argv)
	}
	return nil
}

func watchHolds(ks *shard.Keyspace, b []byte, now int64) bool {
	for len(b) > 0 {
		slot, n := binary.Uvarint(b)
		if n <= 0 || slot >= shard.NumSlots {
			return false
		}
		b = b[n:]
		ver, n := binary.Uvarint(b)
		if n <= 0 {
			return false
		}
		b = b[n:]
		exp, n := binary.Varint(b)
		if n <= 0 {
			return false
		}
		b = b[n:]
		if ks.SlotVersion(int(slot)) != ver || exp != 0 && exp <= now {
			return false
		}
	}
	return true
}

// RawWriter is implemented by writers that can take a reply already
// encoded for them (a server command's reply carried in an EXEC record).
type RawWriter interface {
	Raw(b []byte)
}

// execRaw marks an EXEC entry that carries an encoded reply.
var execRaw = []byte{0}

// ExecReplyEntry returns the EXEC record entry of a reply computed at the
// leader by the server itself (PING, ECHO, TIME inside MULTI).
func ExecReplyEntry(reply []byte) []byte {
	return persistence.AppendArgs(nil, [][]byte{execRaw, reply})
}
