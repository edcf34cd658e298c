package difftest

import (
	"slices"
	"strconv"
	"strings"

	"github.com/ember-node/ember-node/rpc/resp"
)

// cmpMode says how much of a reply Redis fixes.
type cmpMode uint8

const (
	// cmpExact: byte for byte.
	cmpExact cmpMode = iota
	// cmpUnordered: an aggregate whose element order is unspecified
	// (SMEMBERS, KEYS, HKEYS...): equal as multisets.
	cmpUnordered
	// cmpPairs: a map or flat field/value array in unspecified order
	// (HGETALL): equal as multisets of pairs.
	cmpPairs
	// cmpSec: an integer of seconds derived from each server's clock
	// (TTL, EXPIRETIME): negatives exact, others within 1.
	cmpSec
	// cmpMilli: as cmpSec in milliseconds (PTTL, PEXPIRETIME), within 1000.
	cmpMilli
	// cmpShape: only the type and length are fixed (TIME, CLIENT ID, INFO).
	cmpShape
)

func equal(a, b resp.Value) bool {
	if a.Type != b.Type || a.Null != b.Null || a.Str != b.Str || a.Int != b.Int || len(a.Elems) != len(b.Elems) {
		return false
	}
	for i := range a.Elems {
		if !equal(a.Elems[i], b.Elems[i]) {
			return false
		}
	}
	return true
}

// compare reports whether ember's reply e is as good as redis's r under mode.
func compare(mode cmpMode, e, r resp.Value) bool {
	if e.Type != r.Type || e.Null != r.Null || e.Type == '-' {
		return equal(e, r)
	}
	switch mode {
	case cmpUnordered:
		return sameMultiset(elemKeys(e.Elems, 1), elemKeys(r.Elems, 1)) && len(e.Elems) == len(r.Elems)
	case cmpPairs:
		return len(e.Elems) == len(r.Elems) && sameMultiset(elemKeys(e.Elems, 2), elemKeys(r.Elems, 2))
	case cmpSec:
		return within(e, r, 1)
	case cmpMilli:
		return within(e, r, 1000)
	case cmpShape:
		return sameShape(e, r)
	}
	return equal(e, r)
}

func within(e, r resp.Value, tol int64) bool {
	if e.Type != ':' || e.Int < 0 || r.Int < 0 {
		return equal(e, r)
	}
	d := e.Int - r.Int
	return d >= -tol && d <= tol
}

// sameShape compares types and lengths, recursively, not contents.
func sameShape(a, b resp.Value) bool {
	if a.Type != b.Type || a.Null != b.Null || len(a.Elems) != len(b.Elems) {
		return false
	}
	for i := range a.Elems {
		if !sameShape(a.Elems[i], b.Elems[i]) {
			return false
		}
	}
	return true
}

// elemKeys renders elems in groups of n, one string per group, for
// multiset comparison; a trailing partial group is rendered alone.
func elemKeys(elems []resp.Value, n int) []string {
	out := make([]string, 0, (len(elems)+n-1)/n)
	for i := 0; i < len(elems); i += n {
		var sb strings.Builder
		for j := i; j < i+n && j < len(elems); j++ {
			sb.WriteString(elems[j].String())
			sb.WriteByte(0)
		}
		out = append(out, sb.String())
	}
	return out
}

func sameMultiset(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// quoteArgs renders a command for failure messages.
func quoteArgs(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = strconv.Quote(a)
	}
	return strings.Join(q, " ")
}

// strs returns the strings of an aggregate's elements.
func strs(v resp.Value) []string {
	out := make([]string, len(v.Elems))
	for i, e := range v.Elems {
		out[i] = e.Str
	}
	return out
}
