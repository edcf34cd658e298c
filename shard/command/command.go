// Package command is the Redis command set over one shard's keyspace: the
// table of commands (arity, flags, key positions), argument parsing, and
// execution with replies written to a protocol-neutral Writer.
//
// Execution is a pure function of the keyspace, the arguments, the time and
// a seed, so the same code serves a leader's read, the apply of a
// replicated write record on every replica, and tests without any server.
package command

import (
	"math/rand/v2"

	"github.com/ember-node/ember-node/shard"
)

// Flags describe a command, in COMMAND INFO's words where Redis has them.
type Flags uint32

const (
	// Write commands change the keyspace; they run through a record.
	Write Flags = 1 << iota
	// ReadOnly commands only read keys.
	ReadOnly
	// DenyOOM commands may grow memory and are refused at maxmemory.
	DenyOOM
	// Fast commands run in O(1) or O(log N).
	Fast
	// Admin, Noscript, Loading, Stale and NoMulti mirror Redis's flags.
	Admin
	Noscript
	Loading
	Stale
	NoMulti
	// NoAuth commands may run before AUTH.
	NoAuth
	// AllShards commands act on every shard (DBSIZE, FLUSHALL, KEYS, SCAN).
	AllShards
	// Random commands reply with a random pick.
	Random
	// Pubsub and Blocking are reported for completeness.
	Blocking
)

var flagNames = []struct {
	f    Flags
	name string
}{
	{Write, "write"}, {ReadOnly, "readonly"}, {DenyOOM, "denyoom"}, {Admin, "admin"},
	{Noscript, "noscript"}, {Loading, "loading"}, {Stale, "stale"}, {Fast, "fast"},
	{NoMulti, "no_multi"}, {NoAuth, "no_auth"}, {Blocking, "blocking"},
}

// Names returns the flags as COMMAND reports them.
func (f Flags) Names() []string {
	var out []string
	for _, n := range flagNames {
		if f&n.f != 0 {
			out = append(out, n.name)
		}
	}
	return out
}

// Spec is one command's entry in the table.
type Spec struct {
	// Name is lower case, as COMMAND reports it.
	Name string
	// Arity counts the name: N means exactly N args, -N at least N.
	Arity int
	Flags Flags
	// First, Last and Step locate keys in argv (1-based, Last -1 = end),
	// as COMMAND INFO's first-key, last-key and step.
	First, Last, Step int
	// Keys returns the key positions when they depend on the arguments
	// (numkeys commands). Nil means First/Last/Step say it all.
	Keys func(argv [][]byte) []int
	// Prepare runs on the leader before a write is proposed: it validates
	// what can be validated without the keyspace and rewrites relative
	// times to absolute ones (SET EX becomes SET PXAT). It returns the argv
	// to replicate, or an error reply. Nil means argv is replicated as is.
	Prepare func(c *Ctx, argv [][]byte) ([][]byte, error)
	// Exec runs the command. argv[0] is the name as the client sent it.
	Exec func(c *Ctx, argv [][]byte)
	// Group is COMMAND DOCS's group (string, list, hash, ...).
	Group string
	// Summary is COMMAND DOCS's one line.
	Summary string
}

// KeyPositions returns the argv indexes of the keys of argv.
func (s *Spec) KeyPositions(argv [][]byte) []int {
	if s.Keys != nil {
		return s.Keys(argv)
	}
	if s.First == 0 {
		return nil
	}
	last := s.Last
	if last < 0 {
		last = len(argv) + last
	}
	var out []int
	for i := s.First; i <= last && i < len(argv); i += max(s.Step, 1) {
		out = append(out, i)
	}
	return out
}

// Writer receives a reply. Implementations render RESP2 or RESP3, record
// the reply for another goroutine, or discard it (replicas).
type Writer interface {
	Simple(s string)
	// Error writes an error reply; msg starts with its code ("ERR ...").
	Error(msg string)
	Int(n int64)
	Bulk(b []byte)
	BulkString(s string)
	// Null is a missing value: $-1 in RESP2, _ in RESP3.
	Null()
	// NullArray is a missing aggregate: *-1 in RESP2, _ in RESP3.
	NullArray()
	Array(n int)
	// Map announces n key/value pairs: a flat array of 2n in RESP2.
	Map(n int)
	// Set announces n members: an array in RESP2.
	Set(n int)
	// Double writes a float: a bulk string in RESP2.
	Double(f float64)
	// Resp3 reports whether replies may use RESP3 shapes.
	Resp3() bool
}

// Ctx is what a command runs with.
type Ctx struct {
	KS *shard.Keyspace
	// Now is the time of the command, unix ms: the record's time for
	// writes, the leader's clock for reads.
	Now  int64
	Seed uint64
	W    Writer
	Spec *Spec
	// Shards, when set, is every shard of the node, for AllShards reads;
	// KS is then nil.
	Shards ShardSet
	rnd    *rand.Rand
}

// Rand returns the command's deterministic random source, seeded from the
// record so that every replica draws the same numbers.
func (c *Ctx) Rand() *rand.Rand {
	if c.rnd == nil {
		c.rnd = rand.New(rand.NewPCG(c.Seed, c.Seed^0x9e3779b97f4a7c15))
	}
	return c.rnd
}

// Table is the set of commands, built once.
type Table struct {
	names nameIndex
	specs []*Spec
}

// NewTable returns the table of every keyspace command.
func NewTable() *Table {
	t := &Table{}
	for _, group := range [][]*Spec{
		stringCommands(), listCommands(), hashCommands(), setCommands(),
		zsetCommands(), keyCommands(),
	} {
		for _, s := range group {
			t.Add(s)
		}
	}
	return t
}

// Add registers s. A duplicate name is a programming error.
func (t *Table) Add(s *Spec) {
	if t.Lookup([]byte(s.Name)) != nil {
		panic("command: duplicate " + s.Name)
	}
	if s.Flags&Write != 0 && s.Flags&ReadOnly != 0 {
		panic("command: write and readonly " + s.Name)
	}
	t.specs = append(t.specs, s)
	t.names.build(t.specs)
}

// Lookup finds a command by name, in any case, without allocating.
func (t *Table) Lookup(name []byte) *Spec { return t.names.lookup(name) }

// All returns every command in registration order.
func (t *Table) All() []*Spec { return t.specs }
