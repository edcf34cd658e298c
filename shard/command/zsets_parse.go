package command

import (
	"bytes"
	"math"
	"strconv"
	"unsafe"

	"github.com/ember-node/ember-node/shard"
)

// Sorted-set argument parsing, following Redis 7.0's t_zset.c: the same
// acceptance rules (strtod for score ranges, getDoubleFromObject for
// scores) and the same error words in the same order.

const (
	errZNaN       = "ERR resulting score is not a number (NaN)"
	errZNXXX      = "ERR XX and NX options at the same time are not compatible"
	errZGTLTNX    = "ERR GT, LT, and/or NX options at the same time are not compatible"
	errZIncrPair  = "ERR INCR option supports a single increment-element pair"
	errZNotFloat  = "ERR min or max is not a float"
	errZNotLex    = "ERR min or max not valid string range item"
	errZLimitRank = "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"
	errZLexScores = "ERR syntax error, WITHSCORES not supported in combination with BYLEX"
	errZCursor    = "ERR invalid cursor"
)

// ZADD options.
const (
	zaddNX = 1 << iota
	zaddXX
	zaddGT
	zaddLT
	zaddCH
	zaddIncr
)

var zaddWords = [...]struct {
	word string
	flag int
}{{"NX", zaddNX}, {"XX", zaddXX}, {"GT", zaddGT}, {"LT", zaddLT}, {"CH", zaddCH}, {"INCR", zaddIncr}}

func zaddWord(a []byte) int {
	for _, w := range zaddWords {
		if eq(a, w.word) {
			return w.flag
		}
	}
	return 0
}

// parseZAdd parses the options and score-member pairs of ZADD (and of
// ZINCRBY, whose flags start as zaddIncr). It appends the scores to dst
// and returns them with the flags and the argv index of the first score.
func parseZAdd(argv [][]byte, flags int, dst []float64) ([]float64, int, int, string) {
	first := 2
	for ; first < len(argv); first++ {
		f := zaddWord(argv[first])
		if f == 0 {
			break
		}
		flags |= f
	}
	pairs := len(argv) - first
	switch {
	case pairs == 0 || pairs%2 != 0:
		return dst, flags, first, ErrSyntax
	case flags&zaddNX != 0 && flags&zaddXX != 0:
		return dst, flags, first, errZNXXX
	case bitsSet(flags&(zaddNX|zaddGT|zaddLT)) > 1:
		return dst, flags, first, errZGTLTNX
	case flags&zaddIncr != 0 && pairs > 2:
		return dst, flags, first, errZIncrPair
	}
	for j := first; j < len(argv); j += 2 {
		s, ok := parseZScore(argv[j])
		if !ok {
			return dst, flags, first, ErrNotFloat
		}
		dst = append(dst, s)
	}
	return dst, flags, first, ""
}

func bitsSet(f int) int {
	n := 0
	for ; f != 0; f &= f - 1 {
		n++
	}
	return n
}

// parseZScore is ParseFloat that also refuses a non-zero number that
// underflows to zero, as string2d does on strtod's ERANGE.
func parseZScore(b []byte) (float64, bool) {
	f, ok := ParseFloat(b)
	if !ok || f != 0 {
		return f, ok
	}
	return f, !hasNonZeroMantissa(b)
}

func hasNonZeroMantissa(b []byte) bool {
	hex := hasHexPrefix(string(b))
	for i, c := range b {
		switch {
		case i > 0 && (c == 'x' || c == 'X'):
		case c == 'p' || c == 'P' || !hex && (c == 'e' || c == 'E'):
			return false
		case c >= '1' && c <= '9', hex && (c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'):
			return true
		}
	}
	return false
}

// cString returns b up to its first NUL: Redis hands sds strings to C
// functions that stop there.
func cString(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

// strtodFull parses b as strtod would when the whole string must be
// consumed: leading white space is skipped, overflow gives ±inf and
// underflow 0 (errno is not checked), NaN is refused. The empty string
// gives 0, since strtod then stops at the terminating NUL.
func strtodFull(b []byte) (float64, bool) {
	b = cString(b)
	if len(b) == 0 {
		return 0, true
	}
	s := b
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	if len(s) == 0 || bytes.IndexByte(s, '_') >= 0 {
		return 0, false
	}
	str := string(s)
	if hasHexPrefix(str) && !bytes.ContainsAny(s, "pP") {
		str += "p0"
	}
	f, err := strconv.ParseFloat(str, 64)
	if err != nil && err.(*strconv.NumError).Err != strconv.ErrRange || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// parseScoreRange parses ZRANGEBYSCORE-style bounds: a float, "(" for an
// exclusive bound, "-inf" and "+inf" (zslParseRange).
func parseScoreRange(min, max []byte) (shard.ScoreRange, bool) {
	var r shard.ScoreRange
	var ok1, ok2 bool
	r.Min, r.MinEx, ok1 = parseScoreBound(min)
	r.Max, r.MaxEx, ok2 = parseScoreBound(max)
	return r, ok1 && ok2
}

func parseScoreBound(b []byte) (f float64, ex, ok bool) {
	if len(b) > 0 && b[0] == '(' {
		f, ok = strtodFull(b[1:])
		return f, true, ok
	}
	f, ok = strtodFull(b)
	return f, false, ok
}

// parseLexRange parses ZRANGEBYLEX bounds: "[x", "(x", "-" and "+".
// The strings alias argv; they live as long as the command.
func parseLexRange(min, max []byte) (shard.LexRange, bool) {
	var r shard.LexRange
	var ok1, ok2 bool
	r.Min, ok1 = parseLexBound(min)
	r.Max, ok2 = parseLexBound(max)
	return r, ok1 && ok2
}

func parseLexBound(b []byte) (shard.LexBound, bool) {
	if len(b) == 0 {
		return shard.LexBound{}, false
	}
	switch b[0] {
	case '+', '-':
		// C compares the next byte with NUL, so "+\x00..." is "+".
		if len(b) > 1 && b[1] != 0 {
			return shard.LexBound{}, false
		}
		if b[0] == '+' {
			return shard.LexBound{Inf: 1}, true
		}
		return shard.LexBound{Inf: -1}, true
	case '(':
		return shard.LexBound{S: zview(b[1:]), Ex: true}, true
	case '[':
		return shard.LexBound{S: zview(b[1:])}, true
	}
	return shard.LexBound{}, false
}

// zview views b as a string for the duration of a command.
func zview(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
