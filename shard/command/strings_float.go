package command

import (
	"bytes"
	"math/big"
)

// maxLongDoubleChars is Redis's MAX_LONG_DOUBLE_CHARS: string2ld refuses
// strings this long or longer.
const maxLongDoubleChars = 5 * 1024

// Exponent bounds of the x87 long double, as big.Float.MantExp reports
// them (x = m × 2^e, 0.5 ≤ |m| < 1): the largest finite value has e =
// 16384, the smallest subnormal 2^-16445 has e = -16444.
const (
	ldMaxExp = 16384
	ldMinExp = -16444
)

// strtold parses b as Redis's string2ld does with glibc's strtold: decimal
// or hexadecimal ("0x1.8p3") numbers, "inf" and "infinity" in any case
// (returned as an infinite big.Float), no NaN, no surrounding space or
// other trailing bytes, and neither overflow nor underflow to zero.

func strtold(b []byte) (*big.Float, bool) {
	if len(b) == 0 || len(b) >= maxLongDoubleChars || isSpace(b[0]) {
		return nil, false
	}
	body := b
	neg := body[0] == '-'
	if body[0] == '+' || body[0] == '-' {
		body = body[1:]
	}
	if eq(body, "INF") || eq(body, "INFINITY") {
		return new(big.Float).SetInf(neg), true
	}
	hex := len(body) > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X')
	if !floatChars(body, hex) {
		return nil, false
	}
	base := 10
	if hex {
		base = 0 // the only base that takes a 0x prefix
	}
	f, _, err := big.ParseFloat(string(b), base, longDoublePrec, big.ToNearestEven)
	if err != nil && zeroMantissa(body, hex) {
		// The exponent is beyond what big parses, but strtold makes a
		// zero of a zero mantissa whatever its exponent.
		return new(big.Float), true
	}
	if err != nil || f.IsInf() {
		return nil, false
	}
	if f.Sign() == 0 {
		// A zero that is not exact underflowed big.Float's own range.
		return f, f.Acc() == big.Exact
	}
	if e := f.MantExp(nil); e > ldMaxExp || e < ldMinExp {
		return nil, false
	}
	return f, true
}

// floatChars reports whether s (after any sign) holds only what strtold
// takes in a decimal or hex number; big.ParseFloat checks the grammar, but
// would also take "p" exponents in decimal and "_" separators.
func floatChars(s []byte, hex bool) bool {
	for i, c := range s {
		switch {
		case c >= '0' && c <= '9', c == '.', c == '+', c == '-':
		case hex && i == 1 && (c == 'x' || c == 'X'):
		case hex && (c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == 'p' || c == 'P'):
		case !hex && (c == 'e' || c == 'E'):
		default:
			return false
		}
	}
	return true
}

// addLD adds two long doubles as INCRBYFLOAT does, reporting false when the
// sum is NaN or infinite.
func addLD(a, b *big.Float) (*big.Float, bool) {
	if a.IsInf() || b.IsInf() {
		return nil, false
	}
	return AddLongDouble(a, b)
}

// zeroMantissa reports whether s is a zero mantissa with some digit, then
// an exponent of only a sign and digits.
func zeroMantissa(s []byte, hex bool) bool {
	expc := byte('e')
	if hex {
		s, expc = s[2:], 'p'
	}
	digits, i := 0, 0
	for ; i < len(s) && (s[i] == '0' || s[i] == '.'); i++ {
		if s[i] == '0' {
			digits++
		}
	}
	if digits == 0 || i == len(s) || s[i]|0x20 != expc || bytes.Count(s[:i], []byte(".")) > 1 {
		return false
	}
	exp := s[i+1:]
	if len(exp) > 0 && (exp[0] == '+' || exp[0] == '-') {
		exp = exp[1:]
	}
	for _, c := range exp {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(exp) > 0
}
