package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/anishathalye/porcupine"
	"github.com/cespare/xxhash/v2"
)

// opKind is what one client operation did. Each key is used with one
// family only: registers (GET/SET), counters (GET/INCR) or lists
// (LRANGE/RPUSH), so one model with a string state covers all three.
type opKind uint8

const (
	opGet   opKind = iota // GET key
	opSet                 // SET key value
	opIncr                // INCR key
	opRange               // LRANGE key 0 -1
	opPush                // RPUSH key value
)

var opNames = [...]string{opGet: "GET", opSet: "SET", opIncr: "INCR", opRange: "LRANGE", opPush: "RPUSH"}

func (k opKind) String() string { return opNames[k] }

// isWrite tells whether the operation changes the key. A failed read
// constrains nothing and is left out of the history; a failed write may
// have happened and stays in, with an unknown outcome.
func (k opKind) isWrite() bool { return k == opSet || k == opIncr || k == opPush }

// opInput is the call: the key and, for SET and RPUSH, the value (unique
// within a run, so that a read names exactly which write it saw).
type opInput struct {
	Kind opKind
	Key  string
	Arg  string
}

// opOutput is the reply. Unknown marks an operation whose outcome the
// client could not learn (a timeout, a connection lost after sending, an
// "outcome unknown" error): the model lets it take effect or not, at any
// point after its call.
type opOutput struct {
	Unknown bool
	Val     string // GET: the value ("" for nil); LRANGE: elements joined by listSep
	N       int64  // INCR: the new value; RPUSH: the new length
}

// listSep joins list elements in the model's state; values never hold it.
const listSep = "\x1f"

// kvModel is the sequential specification of one key: its state is the
// string value (a register or a counter in decimal, "" when absent) or the
// list's elements joined by listSep.
func kvModel() porcupine.Model {
	return porcupine.Model{
		Partition: func(h []porcupine.Operation) [][]porcupine.Operation {
			byKey := map[string][]porcupine.Operation{}
			var order []string
			for _, op := range h {
				k := op.Input.(opInput).Key
				if _, ok := byKey[k]; !ok {
					order = append(order, k)
				}
				byKey[k] = append(byKey[k], op)
			}
			out := make([][]porcupine.Operation, 0, len(order))
			for _, k := range order {
				out = append(out, byKey[k])
			}
			return out
		},
		Init: func() any { return "" },
		Step: func(state, in, out any) (bool, any) {
			return step(state.(string), in.(opInput), out.(opOutput))
		},
		Hash:              func(s any) uint64 { return xxhash.Sum64String(s.(string)) },
		DescribeOperation: describeOp,
		DescribeState: func(s any) string {
			st := s.(string)
			if st == "" {
				return "(nil)"
			}
			return strings.ReplaceAll(st, listSep, ",")
		},
	}
}

// step applies one operation to a key's state and says whether the reply
// is one the sequential specification allows.
func step(st string, in opInput, out opOutput) (bool, string) {
	switch in.Kind {
	case opGet, opRange:
		return out.Unknown || out.Val == st, st
	case opSet:
		return true, in.Arg
	case opIncr:
		n := int64(0)
		if st != "" {
			v, err := strconv.ParseInt(st, 10, 64)
			if err != nil {
				return false, st
			}
			n = v
		}
		n++
		return out.Unknown || out.N == n, strconv.FormatInt(n, 10)
	case opPush:
		next := in.Arg
		if st != "" {
			next = st + listSep + in.Arg
		}
		return out.Unknown || out.N == int64(strings.Count(next, listSep)+1), next
	}
	return false, st
}

func describeOp(in, out any) string {
	i, o := in.(opInput), out.(opOutput)
	res := ""
	switch {
	case o.Unknown:
		res = "?"
	case i.Kind == opGet || i.Kind == opRange:
		res = strconv.Quote(strings.ReplaceAll(o.Val, listSep, ","))
	case i.Kind == opSet:
		res = "OK"
	default:
		res = strconv.FormatInt(o.N, 10)
	}
	if i.Arg != "" {
		return fmt.Sprintf("%s(%s, %s) -> %s", i.Kind, i.Key, i.Arg, res)
	}
	return fmt.Sprintf("%s(%s) -> %s", i.Kind, i.Key, res)
}
