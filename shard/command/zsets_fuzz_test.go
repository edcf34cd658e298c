package command

import (
	"bytes"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The references below are written from Redis's C source (t_zset.c,
// util.c) independently of the parsers they check: grammar by regular
// expression, control flow transcribed line by line.

// cNumber is what strtod consumes: decimal, hex (exponent optional) or
// infinity. NaN is left out: every caller refuses it.
const cNumber = `[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?` +
	`|0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?[0-9]+)?` +
	`|(?i:inf|infinity))`

var (
	reString2d = regexp.MustCompile(`^` + cNumber + `$`)
	reStrtod   = regexp.MustCompile(`^[ \t\n\v\f\r]*` + cNumber + `$`)
	reHexMant  = regexp.MustCompile(`^[ \t\n\v\f\r]*[+-]?0[xX]([0-9a-fA-F.]*)`)
	reDecMant  = regexp.MustCompile(`^[ \t\n\v\f\r]*[+-]?([0-9.]*)`)
	reLong     = regexp.MustCompile(`^(0|-?[1-9][0-9]*)$`)
)

// refValue converts a string the grammar accepted; it reports overflow and
// underflow (a non-zero mantissa giving 0) as strtod's ERANGE.
func refValue(s string) (f float64, erange bool) {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	if strings.HasPrefix(strings.TrimLeft(s, "+-"), "0x") || strings.HasPrefix(strings.TrimLeft(s, "+-"), "0X") {
		if !strings.ContainsAny(s, "pP") {
			s += "p0"
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	low := strings.ToLower(s)
	if strings.Contains(low, "inf") {
		return f, false
	}
	if err != nil {
		return f, true
	}
	m := reHexMant.FindStringSubmatch(s)
	if m == nil {
		m = reDecMant.FindStringSubmatch(s)
	}
	return f, f == 0 && strings.Trim(m[1], "0.") != ""
}

// refString2d is util.c's string2d.
func refString2d(b []byte) (float64, bool) {
	if !reString2d.Match(b) {
		return 0, false
	}
	f, erange := refValue(string(b))
	return f, !erange
}

// refStrtodBound is one bound of zslParseRange: strtod over the C string,
// all of it consumed, NaN refused, errno ignored.
func refStrtodBound(b []byte) (float64, bool) {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	if len(b) == 0 {
		return 0, true
	}
	if !reStrtod.Match(b) {
		return 0, false
	}
	f, _ := refValue(string(b))
	return f, true
}

// refLong is getLongFromObject (string2ll).
func refLong(b []byte) (int64, bool) {
	if !reLong.Match(b) {
		return 0, false
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	return n, err == nil
}

// refZAdd is the option loop and checks of zaddGenericCommand.
func refZAdd(argv [][]byte, incr bool) (nx, xx, gt, lt, ch, inc bool, scores []float64, err string) {
	inc = incr
	i := 2
loop:
	for ; i < len(argv); i++ {
		switch strings.ToLower(string(argv[i])) {
		case "nx":
			nx = true
		case "xx":
			xx = true
		case "ch":
			ch = true
		case "incr":
			inc = true
		case "gt":
			gt = true
		case "lt":
			lt = true
		default:
			break loop
		}
	}
	elements := len(argv) - i
	if elements%2 != 0 || elements == 0 {
		err = ErrSyntax
		return
	}
	if nx && xx {
		err = "ERR XX and NX options at the same time are not compatible"
		return
	}
	if gt && nx || lt && nx || gt && lt {
		err = "ERR GT, LT, and/or NX options at the same time are not compatible"
		return
	}
	if inc && elements/2 > 1 {
		err = "ERR INCR option supports a single increment-element pair"
		return
	}
	for j := i; j < len(argv); j += 2 {
		s, ok := refString2d(argv[j])
		if !ok {
			err = "ERR value is not a valid float"
			return
		}
		scores = append(scores, s)
	}
	return
}

// splitFuzzArgs cuts s into arguments at '|' so that the fuzzer can shape
// argument lists; empty arguments are kept.
func splitFuzzArgs(prefix []string, s string) [][]byte {
	argv := make([][]byte, 0, len(prefix)+4)
	for _, p := range prefix {
		argv = append(argv, []byte(p))
	}
	for _, a := range strings.Split(s, "|") {
		argv = append(argv, []byte(a))
	}
	return argv
}

func sameFloat(a, b float64) bool {
	return a == b && math.Signbit(a) == math.Signbit(b) || math.IsNaN(a) && math.IsNaN(b)
}

func FuzzZAddArgs(f *testing.F) {
	for _, s := range []string{
		"1|a", "nx|xx|1|a", "gt|lt|1|a", "incr|1|a|2|b", "ch|xx|1.5|a|-inf|b", "NX|GT|1|a",
		"1e-400|a", "1e999|a", "0x1p-3|a", " 1|a", "|a", "nan|a", "inf|a", "1|a|2", "incr|ch",
		"2.5e-310|a", "0e+0|", "0x|a", "1_0|a", "+.5e+2|m", "0X.8P1|m", "-Infinity|m", "1\x00|a",
	} {
		f.Add(s, false)
	}
	f.Add("nx|a", true)
	f.Fuzz(func(t *testing.T, s string, incr bool) {
		argv := splitFuzzArgs([]string{"ZADD", "k"}, s)
		base := 0
		if incr {
			argv[0] = []byte("ZINCRBY")
			base = zaddIncr
		}
		scores, flags, _, msg := parseZAdd(argv, base, nil)
		nx, xx, gt, lt, ch, inc, want, wantMsg := refZAdd(argv, incr)
		if msg != wantMsg {
			t.Fatalf("%q: error %q, reference %q", argv, msg, wantMsg)
		}
		if msg != "" {
			return
		}
		got := [...]bool{flags&zaddNX != 0, flags&zaddXX != 0, flags&zaddGT != 0, flags&zaddLT != 0, flags&zaddCH != 0, flags&zaddIncr != 0}
		if got != [...]bool{nx, xx, gt, lt, ch, inc} || len(scores) != len(want) {
			t.Fatalf("%q: flags %v, %d scores; reference %v, %d", argv, got, len(scores), []bool{nx, xx, gt, lt, ch, inc}, len(want))
		}
		for i := range scores {
			if !sameFloat(scores[i], want[i]) || math.IsNaN(scores[i]) {
				t.Fatalf("%q: score %d = %v, reference %v", argv, i, scores[i], want[i])
			}
		}
	})
}

// fixtureHarness holds "k", a set whose member order equals its score
// order, so that score and lex ranges both have one right answer: a..j
// scored 1..10.
func fixtureHarness(t *testing.T) *harness {
	h := newHarness(t)
	h.expect(`:10`, "ZADD", "k", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "6", "f", "7", "g", "8", "h", "9", "i", "10", "j")
	return h
}

const fixtureMembers = "abcdefghij"

func fixtureScore(i int) float64 { return float64(i + 1) }

func FuzzScoreRange(f *testing.F) {
	for _, s := range [][2]string{
		{"1", "2"}, {"(1", "(2"}, {"-inf", "+inf"}, {"(", ""}, {" 1", "2 "}, {"0x2", "1e999"},
		{"nan", "1"}, {"(-inf", "(inf"}, {"1\x00x", "5"}, {"+Infinity", "-INF"}, {"1e-400", "(0"},
	} {
		f.Add([]byte(s[0]), []byte(s[1]))
	}
	f.Fuzz(func(t *testing.T, min, max []byte) {
		r, ok := parseScoreRange(min, max)
		wmin, ok1 := refStrtodBound(bytes.TrimPrefix(min, []byte("(")))
		wmax, ok2 := refStrtodBound(bytes.TrimPrefix(max, []byte("(")))
		if ok != (ok1 && ok2) {
			t.Fatalf("%q %q: ok %v, reference %v %v", min, max, ok, ok1, ok2)
		}
		if !ok {
			return
		}
		minEx, maxEx := bytes.HasPrefix(min, []byte("(")), bytes.HasPrefix(max, []byte("("))
		if !sameFloat(r.Min, wmin) || !sameFloat(r.Max, wmax) || r.MinEx != minEx || r.MaxEx != maxEx {
			t.Fatalf("%q %q: %+v, reference %v %v %v %v", min, max, r, wmin, minEx, wmax, maxEx)
		}
		h := fixtureHarness(t)
		n := 0
		for i := range fixtureMembers {
			s := fixtureScore(i)
			if (s > wmin || !minEx && s == wmin) && (s < wmax || !maxEx && s == wmax) {
				n++
			}
		}
		h.expect(":"+strconv.Itoa(n), "ZCOUNT", "k", string(min), string(max))
	})
}

// asciiLower is strcasecmp's folding: ASCII only.
func asciiLower(b []byte) string {
	out := []byte(string(b))
	for i, c := range out {
		if c >= 'A' && c <= 'Z' {
			out[i] = c + 'a' - 'A'
		}
	}
	return string(out)
}

// refRange is a ZRANGE-family command as zrangeGenericCommand reads it.
type refRange struct {
	by, dir        int
	withScores     bool
	offset, limit  int64
	start, end     int64
	min, max       float64
	minEx, maxEx   bool
	lexMin, lexMax []byte // with their leading '[', '(', '-' or '+'
	err            string
}

func refParseZRange(argv [][]byte, by, dir int) refRange {
	r := refRange{by: by, dir: dir, limit: -1}
	for j := 4; j < len(argv); j++ {
		left := len(argv) - j - 1
		switch a := asciiLower(argv[j]); {
		case a == "withscores":
			r.withScores = true
		case a == "limit" && left >= 2:
			var ok1, ok2 bool
			r.offset, ok1 = refLong(argv[j+1])
			if ok1 {
				r.limit, ok2 = refLong(argv[j+2])
			}
			if !ok1 || !ok2 {
				r.err = ErrNotInt
				return r
			}
			j += 2
		case r.dir == zDirAuto && a == "rev":
			r.dir = zDirRev
		case r.by == zByAuto && a == "bylex":
			r.by = zByLex
		case r.by == zByAuto && a == "byscore":
			r.by = zByScore
		default:
			r.err = ErrSyntax
			return r
		}
	}
	if r.dir == zDirAuto {
		r.dir = zDirFwd
	}
	if r.by == zByAuto {
		r.by = zByRank
	}
	if r.limit != -1 && r.by == zByRank {
		r.err = "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"
		return r
	}
	if r.withScores && r.by == zByLex {
		r.err = "ERR syntax error, WITHSCORES not supported in combination with BYLEX"
		return r
	}
	lo, hi := argv[2], argv[3]
	if r.dir == zDirRev && r.by != zByRank {
		lo, hi = hi, lo
	}
	var ok1, ok2 bool
	switch r.by {
	case zByRank:
		r.start, ok1 = refLong(lo)
		r.end, ok2 = refLong(hi)
		if !ok1 || !ok2 {
			r.err = ErrNotInt
		}
	case zByScore:
		r.minEx, r.maxEx = bytes.HasPrefix(lo, []byte("(")), bytes.HasPrefix(hi, []byte("("))
		r.min, ok1 = refStrtodBound(bytes.TrimPrefix(lo, []byte("(")))
		r.max, ok2 = refStrtodBound(bytes.TrimPrefix(hi, []byte("(")))
		if !ok1 || !ok2 {
			r.err = "ERR min or max is not a float"
		}
	default:
		r.lexMin, r.lexMax = lo, hi
		if !refLexItem(lo) || !refLexItem(hi) {
			r.err = "ERR min or max not valid string range item"
		}
	}
	return r
}

// refLexItem is zslParseLexRangeItem's acceptance.
func refLexItem(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	switch b[0] {
	case '+', '-':
		return len(b) == 1 || b[1] == 0
	case '(', '[':
		return true
	}
	return false
}

// inLex reports whether member m lies within the lex bounds.
func (r *refRange) inLex(m string) bool {
	above := func(b []byte) bool {
		switch b[0] {
		case '-':
			return true
		case '+':
			return false
		case '(':
			return m > string(b[1:])
		}
		return m >= string(b[1:])
	}
	below := func(b []byte) bool {
		switch b[0] {
		case '+':
			return true
		case '-':
			return false
		case '(':
			return m < string(b[1:])
		}
		return m <= string(b[1:])
	}
	return above(r.lexMin) && below(r.lexMax)
}

// expected renders, in RESP2, the reply of r on the fixture.
func (r *refRange) expected() string {
	var idx []int
	for i := range fixtureMembers {
		idx = append(idx, i)
	}
	if r.dir == zDirRev {
		for i, j := 0, len(idx)-1; i < j; i, j = i+1, j-1 {
			idx[i], idx[j] = idx[j], idx[i]
		}
	}
	var sel []int
	if r.by == zByRank {
		n := int64(len(idx))
		start, end := r.start, r.end
		if start < 0 {
			start += n
		}
		if end < 0 {
			end += n
		}
		start = max(start, 0)
		for i := start; i <= min(end, n-1); i++ {
			sel = append(sel, idx[i])
		}
	} else {
		for _, i := range idx {
			s, m := fixtureScore(i), fixtureMembers[i:i+1]
			if r.by == zByLex && r.inLex(m) || r.by == zByScore &&
				(s > r.min || !r.minEx && s == r.min) && (s < r.max || !r.maxEx && s == r.max) {
				sel = append(sel, i)
			}
		}
		if r.offset < 0 || r.offset > int64(len(sel)) {
			sel = nil
		} else {
			sel = sel[r.offset:]
		}
		if r.limit >= 0 && r.limit < int64(len(sel)) {
			sel = sel[:r.limit]
		}
	}
	var sb strings.Builder
	sb.WriteString("*[")
	for k, i := range sel {
		if k > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(`$"` + fixtureMembers[i:i+1] + `"`)
		if r.withScores {
			sb.WriteString(` $"` + FormatDouble(fixtureScore(i)) + `"`)
		}
	}
	sb.WriteString("]")
	return sb.String()
}

var zrangeVariants = [...]struct {
	name    string
	by, dir int
}{
	{"ZRANGE", zByAuto, zDirAuto}, {"ZREVRANGE", zByRank, zDirRev},
	{"ZRANGEBYSCORE", zByScore, zDirFwd}, {"ZREVRANGEBYSCORE", zByScore, zDirRev},
	{"ZRANGEBYLEX", zByLex, zDirFwd}, {"ZREVRANGEBYLEX", zByLex, zDirRev},
}

func FuzzZRangeArgs(f *testing.F) {
	for _, s := range []string{
		"0|-1", "0|-1|WITHSCORES", "0|1|REV|WITHSCORES", "-inf|+inf|BYSCORE|LIMIT|1|2",
		"(3|8|byscore|rev", "[b|(f|BYLEX", "+|-|BYLEX|REV|LIMIT|0|3", "0|1|LIMIT|0|-1",
		"0|1|LIMIT|0|1", "a|b|BYLEX|WITHSCORES", "1|2|LIMIT|1", "1|2|rev|rev", "-|+|limit|-1|2",
		"9223372036854775807|-9223372036854775808", "(|\x00|byscore", "+\x00|-",
	} {
		for v := range zrangeVariants {
			f.Add(uint8(v), s)
		}
	}
	f.Fuzz(func(t *testing.T, variant uint8, s string) {
		v := zrangeVariants[int(variant)%len(zrangeVariants)]
		argv := splitFuzzArgs([]string{v.name, "k"}, s)
		if len(argv) < 4 {
			return
		}
		a, msg := parseZRange(argv, v.by, v.dir)
		ref := refParseZRange(argv, v.by, v.dir)
		if msg != ref.err {
			t.Fatalf("%q: error %q, reference %q", argv, msg, ref.err)
		}
		if msg != "" {
			return
		}
		if a.by != ref.by || a.rev != (ref.dir == zDirRev) || a.withScores != ref.withScores ||
			a.offset != ref.offset || a.limit != ref.limit {
			t.Fatalf("%q: parsed %+v, reference %+v", argv, a, ref)
		}
		h := fixtureHarness(t)
		args := make([]string, len(argv))
		for i, b := range argv {
			args[i] = string(b)
		}
		h.expect(ref.expected(), args...)
	})
}
