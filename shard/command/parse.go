package command

import (
	"bytes"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// ParseInt parses b as Redis's string2ll does: an optional minus sign,
// decimal digits, no leading zeros, no spaces or plus sign, within int64.
func ParseInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	neg := b[0] == '-'
	p := b
	if neg {
		p = p[1:]
	}
	if len(p) == 0 || p[0] < '1' || p[0] > '9' {
		return 0, false
	}
	var v uint64
	for _, c := range p {
		if c < '0' || c > '9' {
			return 0, false
		}
		if v > (math.MaxUint64-9)/10 {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

// ParseFloat parses b as Redis's getDoubleFromObject does (strtod): the
// whole string must be a number, no leading space, NaN and overflow are
// rejected, and "inf", "+inf", "-inf" and "infinity" are accepted.
func ParseFloat(b []byte) (float64, bool) {
	if len(b) == 0 || isSpace(b[0]) {
		return 0, false
	}
	s := string(b)
	if strings.ContainsAny(s, "_") {
		return 0, false
	}
	if hasHexPrefix(s) && !strings.ContainsAny(s, "pP") {
		// C accepts hex floats without an exponent; Go needs one.
		s += "p0"
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, false
		}
		return 0, false
	}
	if math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

func hasHexPrefix(s string) bool {
	s = strings.TrimLeft(s, "+-")
	return len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// FormatDouble formats f as Redis 7.0 replies a double: "%.17g", with
// "inf" and "-inf".
func FormatDouble(f float64) string {
	return string(AppendDouble(nil, f))
}

// AppendDouble appends FormatDouble(f) to b.
func AppendDouble(b []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(b, "inf"...)
	case math.IsInf(f, -1):
		return append(b, "-inf"...)
	}
	return strconv.AppendFloat(b, f, 'g', 17, 64)
}

// longDoublePrec is the mantissa of the x87 80-bit long double that Redis
// uses for INCRBYFLOAT and HINCRBYFLOAT on amd64.
const longDoublePrec = 64

// ParseLongDouble parses b as Redis's string2ld does (strtold), keeping
// long-double precision so that sums match Redis digit for digit. Only
// finite values are accepted; strtold reports infinities.
func ParseLongDouble(b []byte) (*big.Float, bool) {
	f, ok := strtold(b)
	if !ok || f.IsInf() {
		return nil, false
	}
	return f, true
}

// FormatLongDouble formats f as Redis's ld2string with LD_STR_HUMAN:
// "%.17Lf" with trailing zeros (and a trailing point) removed, "-0" as "0".
func FormatLongDouble(f *big.Float) []byte {
	b := f.Append(nil, 'f', 17)
	if bytes.IndexByte(b, '.') >= 0 {
		b = bytes.TrimRight(b, "0")
		b = bytes.TrimSuffix(b, []byte("."))
	}
	if string(b) == "-0" {
		b = b[1:]
	}
	return b
}

// AddLongDouble returns a+b rounded to long double precision and whether
// the result is finite.
func AddLongDouble(a, b *big.Float) (*big.Float, bool) {
	r := new(big.Float).SetPrec(longDoublePrec).SetMode(big.ToNearestEven).Add(a, b)
	if r.MantExp(nil) > 16384 {
		return nil, false
	}
	return r, true
}

// Upper-case-insensitive comparison of an argument with an option word.
func eq(arg []byte, word string) bool {
	if len(arg) != len(word) {
		return false
	}
	for i := 0; i < len(arg); i++ {
		c := arg[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c != word[i] {
			return false
		}
	}
	return true
}

// Eq reports whether arg equals the upper-case option word, ignoring case.
func Eq(arg []byte, word string) bool { return eq(arg, word) }

// intArg parses an integer argument and answers "not an integer" when it
// is not one, as Redis's getLongLongFromObjectOrReply.
func intArg(c *Ctx, b []byte) (int64, bool) {
	n, ok := ParseInt(b)
	if !ok {
		c.W.Error(ErrNotInt)
	}
	return n, ok
}

// failed writes msg as an error reply unless it is empty, and reports
// whether it did. Parsers return Redis's message or "", so that Prepare
// (which refuses a command before it becomes a record) and Exec share them.
func failed(c *Ctx, msg string) bool {
	if msg != "" {
		c.W.Error(msg)
	}
	return msg != ""
}

// intPair parses two integer arguments (LRANGE's and LTRIM's start and
// stop, GETRANGE's start and end), replying "not an integer" when either
// is not one.
func intPair(c *Ctx, a, b []byte) (int64, int64, bool) {
	x, ok1 := ParseInt(a)
	y, ok2 := ParseInt(b)
	if !ok1 || !ok2 {
		c.W.Error(ErrNotInt)
		return 0, 0, false
	}
	return x, y, true
}

// indexRange turns Redis's inclusive start..end over n elements, negative
// indexes counting from the end, into the half-open [lo, hi) with the
// clamping of LRANGE, LTRIM and ZRANGE: empty (lo == hi) when start is
// past end or past the last element.
func indexRange(start, end int64, n int) (lo, hi int) {
	size := int64(n)
	if start < 0 {
		start += size
	}
	if end < 0 {
		end += size
	}
	start = max(start, 0)
	if start > end || start >= size {
		return 0, 0
	}
	end = min(end, size-1)
	return int(start), int(end + 1)
}
