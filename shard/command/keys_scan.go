package command

import (
	"bytes"
	"math"
	"strconv"

	"github.com/ember-node/ember-node/shard"
)

// scanCommands iterate the keyspace. Both act on one shard here; the server
// runs them on every shard.
func scanCommands() []*Spec {
	const g = "generic"
	return []*Spec{
		{Name: "scan", Arity: -2, Flags: ReadOnly | Random | AllShards, Exec: scanCmd, Group: g, Summary: "Incrementally iterate the keys space"},
		{Name: "keys", Arity: 2, Flags: ReadOnly | AllShards, Exec: keysCmd, Group: g, Summary: "Find all keys matching the given pattern"},
	}
}

const errInvalidCursor = "ERR invalid cursor"

// parseCursor parses a SCAN cursor as Redis does with strtoul: the whole
// C string must be an unsigned decimal, with an optional sign (a minus
// negates modulo 2^64, so -1 is 2^64-1), no leading space and no overflow.
// The empty string is cursor 0, and a NUL byte ends the C string.
func parseCursor(b []byte) (uint64, bool) {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	if len(b) == 0 {
		return 0, true
	}
	neg := b[0] == '-'
	if b[0] == '-' || b[0] == '+' {
		b = b[1:]
	}
	if len(b) == 0 {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (math.MaxUint64-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	if neg {
		v = -v
	}
	return v, true
}

// scanOpts are SCAN's MATCH, COUNT and TYPE.
type scanOpts struct {
	pattern []byte // nil matches every key
	count   int
	typed   bool
	kind    shard.Kind // with typed; KindNone (an unknown name) matches nothing
}

func parseScanOpts(args [][]byte) (scanOpts, string) {
	o := scanOpts{count: 10}
	for i := 0; i < len(args); i += 2 {
		if i+1 >= len(args) {
			return o, ErrSyntax
		}
		a, v := args[i], args[i+1]
		switch {
		case eq(a, "COUNT"):
			n, ok := ParseInt(v)
			if !ok {
				return o, ErrNotInt
			}
			if n < 1 {
				return o, ErrSyntax
			}
			o.count = int(min(n, math.MaxInt))
		case eq(a, "MATCH"):
			o.pattern = v
			if len(v) == 1 && v[0] == '*' {
				o.pattern = nil
			}
		case eq(a, "TYPE"):
			o.typed, o.kind = true, kindByName(v)
		default:
			return o, ErrSyntax
		}
	}
	return o, ""
}

// typeWords are the TYPE names by kind, upper case for eq.
var typeWords = [...]string{shard.KindString: "STRING", shard.KindList: "LIST",
	shard.KindHash: "HASH", shard.KindSet: "SET", shard.KindZSet: "ZSET"}

// kindByName maps a TYPE name, in any case, to its kind; KindNone if none.
func kindByName(name []byte) shard.Kind {
	for k := shard.KindString; k <= shard.KindZSet; k++ {
		if eq(name, typeWords[k]) {
			return k
		}
	}
	return shard.KindNone
}

// scanCmd walks ks.Scan: every key present for a whole iteration is
// returned at least once. Filters apply after the walk, so COUNT bounds the
// keys looked at, not the keys returned, as in Redis; expired keys are
// never returned.
func scanCmd(c *Ctx, argv [][]byte) {
	cursor, ok := parseCursor(argv[1])
	if !ok {
		c.W.Error(errInvalidCursor)
		return
	}
	o, msg := parseScanOpts(argv[2:])
	if msg != "" {
		c.W.Error(msg)
		return
	}
	var keys []string
	// Shards hold disjoint slot ranges and the cursor names a slot, so the
	// walk goes shard by shard in slot order until COUNT is reached.
	var next uint64
	err := c.eachShard(func(ks *shard.Keyspace, now int64) bool {
		visited := 0
		next = ks.Scan(cursor, o.count, func(k string, obj *shard.Object) {
			visited++
			if obj.Expired(now) || o.typed && obj.Kind != o.kind ||
				o.pattern != nil && !shard.MatchKey(o.pattern, k) {
				return
			}
			keys = append(keys, k)
		})
		// A shard that ran out passes on to the next with at least one
		// key to look at, so the reply's cursor lands inside it.
		o.count = max(o.count-visited, 1)
		return next == 0
	})
	if err != nil {
		c.shardError(err)
		return
	}
	var buf [20]byte
	c.W.Array(2)
	c.W.Bulk(strconv.AppendUint(buf[:0], next, 10))
	writeKeys(c.W, keys)
}

func keysCmd(c *Ctx, argv [][]byte) {
	pattern := argv[1]
	all := len(pattern) == 1 && pattern[0] == '*'
	var keys []string
	err := c.eachShard(func(ks *shard.Keyspace, now int64) bool {
		ks.Range(func(k string, o *shard.Object) bool {
			if !o.Expired(now) && (all || shard.MatchKey(pattern, k)) {
				keys = append(keys, k)
			}
			return true
		})
		return true
	})
	if err != nil {
		c.shardError(err)
		return
	}
	writeKeys(c.W, keys)
}

func writeKeys(w Writer, keys []string) {
	w.Array(len(keys))
	for _, k := range keys {
		w.BulkString(k)
	}
}
