package command

import "errors"

// Error replies, worded exactly as Redis 7 words them.
const (
	ErrWrongType     = "WRONGTYPE Operation against a key holding the wrong kind of value"
	ErrSyntax        = "ERR syntax error"
	ErrNotInt        = "ERR value is not an integer or out of range"
	ErrNotFloat      = "ERR value is not a valid float"
	ErrOverflow      = "ERR increment or decrement would overflow"
	ErrNoSuchKey     = "ERR no such key"
	ErrIndexRange    = "ERR index out of range"
	ErrNaNInf        = "ERR increment would produce NaN or Infinity"
	ErrMustPositive  = "ERR value is out of range, must be positive"
	ErrStringTooLong = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
)

// ReplyError is an error whose text is sent to the client as is.
type ReplyError string

func (e ReplyError) Error() string { return string(e) }

// Errorf-free helpers keep error paths allocation-free.

// ArityError returns Redis's wrong-number-of-arguments error for name.
func ArityError(name string) string {
	return "ERR wrong number of arguments for '" + name + "' command"
}

// AsReply returns the reply text of err: its own text for a ReplyError,
// "ERR " and the text otherwise.
func AsReply(err error) string {
	var re ReplyError
	if errors.As(err, &re) {
		return string(re)
	}
	return "ERR " + err.Error()
}

// ErrOOM is Redis's refusal of a command flagged denyoom while used memory
// is over maxmemory and eviction cannot bring it down.
const ErrOOM ReplyError = "OOM command not allowed when used memory > 'maxmemory'."

// Discard is a Writer that drops every reply: replicas apply records
// without anyone to answer.
type Discard struct{}

func (Discard) Simple(string)     {}
func (Discard) Error(string)      {}
func (Discard) Int(int64)         {}
func (Discard) Bulk([]byte)       {}
func (Discard) BulkString(string) {}
func (Discard) Null()             {}
func (Discard) NullArray()        {}
func (Discard) Array(int)         {}
func (Discard) Map(int)           {}
func (Discard) Set(int)           {}
func (Discard) Double(float64)    {}
func (Discard) Resp3() bool       { return false }

// Count is a Writer that keeps only an integer reply: the number of keys an
// expiry or eviction record deleted.
type Count struct {
	Discard
	N int64
}

// Int keeps n.
func (c *Count) Int(n int64) { c.N = n }

// CString returns b up to its first NUL byte: Redis formats user input
// into error messages as C strings, so a NUL ends the quoted text.
func CString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// countArgs replies how many of args fn reports true for, a repeated
// argument counting each time: the fields or members HDEL, SADD, SREM and
// ZREM changed, the keys DEL, EXISTS and TOUCH found.
func countArgs(c *Ctx, args [][]byte, fn func(arg []byte) bool) {
	n := int64(0)
	for _, a := range args {
		if fn(a) {
			n++
		}
	}
	c.W.Int(n)
}

// writeEntries replies the value in x (nil: a missing key) of each of
// names, through get and write, or a null for one that is not there: as an
// array for HMGET and ZMSCORE, as the one value for HGET and ZSCORE.
func writeEntries[T, V any](c *Ctx, names [][]byte, array bool, x *T, get func(*T, []byte) (V, bool), write func(V)) {
	if array {
		c.W.Array(len(names))
	}
	for _, name := range names {
		var v V
		found := false
		if x != nil {
			v, found = get(x, name)
		}
		if found {
			write(v)
		} else {
			c.W.Null()
		}
	}
}
