package main

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
)

// op builds a history entry on key "k"; ret -1 leaves it open.
func op(call, ret int64, kind opKind, arg string, out opOutput) porcupine.Operation {
	return porcupine.Operation{Input: opInput{Kind: kind, Key: "k", Arg: arg}, Call: call, Return: ret, Output: out}
}

var unknown = opOutput{Unknown: true}

func TestModel(t *testing.T) {
	list := func(xs ...string) opOutput { return opOutput{Val: strings.Join(xs, listSep)} }
	tests := []struct {
		name string
		h    []porcupine.Operation
		want string
	}{
		{"set then get", []porcupine.Operation{
			op(0, 1, opSet, "a", opOutput{}), op(2, 3, opGet, "", opOutput{Val: "a"})}, "yes"},
		{"stale read after an acknowledged set", []porcupine.Operation{
			op(0, 1, opSet, "a", opOutput{}), op(2, 3, opSet, "b", opOutput{}), op(4, 5, opGet, "", opOutput{Val: "a"})}, "NO"},
		{"lost write reads nil", []porcupine.Operation{
			op(0, 1, opSet, "a", opOutput{}), op(2, 3, opGet, "", opOutput{})}, "NO"},
		{"concurrent set, either value", []porcupine.Operation{
			op(0, 10, opSet, "a", opOutput{}), op(2, 3, opGet, "", opOutput{}), op(4, 5, opGet, "", opOutput{Val: "a"})}, "yes"},
		{"read goes back in time", []porcupine.Operation{
			op(0, 10, opSet, "a", opOutput{}), op(2, 3, opGet, "", opOutput{Val: "a"}), op(4, 5, opGet, "", opOutput{})}, "NO"},
		{"indeterminate set may have happened", []porcupine.Operation{
			op(0, -1, opSet, "a", unknown), op(5, 6, opGet, "", opOutput{Val: "a"})}, "yes"},
		{"indeterminate set may not have happened", []porcupine.Operation{
			op(0, -1, opSet, "a", unknown), op(5, 6, opGet, "", opOutput{})}, "yes"},
		{"indeterminate set is not undone", []porcupine.Operation{
			op(0, -1, opSet, "a", unknown), op(5, 6, opGet, "", opOutput{Val: "a"}), op(7, 8, opGet, "", opOutput{})}, "NO"},
		{"counter", []porcupine.Operation{
			op(0, 1, opIncr, "", opOutput{N: 1}), op(2, 3, opIncr, "", opOutput{N: 2}), op(4, 5, opGet, "", opOutput{Val: "2"})}, "yes"},
		{"lost increment", []porcupine.Operation{
			op(0, 1, opIncr, "", opOutput{N: 1}), op(2, 3, opIncr, "", opOutput{N: 1})}, "NO"},
		{"indeterminate increment counted later", []porcupine.Operation{
			op(0, -1, opIncr, "", unknown), op(2, 3, opIncr, "", opOutput{N: 2})}, "yes"},
		{"list pushes and a read", []porcupine.Operation{
			op(0, 1, opPush, "a", opOutput{N: 1}), op(2, 3, opPush, "b", opOutput{N: 2}), op(4, 5, opRange, "", list("a", "b"))}, "yes"},
		{"list read misses an acknowledged push", []porcupine.Operation{
			op(0, 1, opPush, "a", opOutput{N: 1}), op(2, 3, opPush, "b", opOutput{N: 2}), op(4, 5, opRange, "", list("b"))}, "NO"},
		{"list order follows real time", []porcupine.Operation{
			op(0, 1, opPush, "a", opOutput{N: 1}), op(2, 3, opPush, "b", opOutput{N: 2}), op(4, 5, opRange, "", list("b", "a"))}, "NO"},
		{"duplicate push", []porcupine.Operation{
			op(0, 1, opPush, "a", opOutput{N: 1}), op(4, 5, opRange, "", list("a", "a"))}, "NO"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := checkHistory(tt.h, 10*time.Second, t.TempDir(), "h")
			if err != nil {
				t.Fatal(err)
			}
			if got := res.verdict(); got != tt.want {
				t.Fatalf("linearizable = %s, want %s", got, tt.want)
			}
			if tt.want == "NO" && res.Visual == "" {
				t.Fatal("no visualisation written for a violation")
			}
		})
	}
}

func TestUnavailability(t *testing.T) {
	var ok [ranges][]int64
	s := int64(time.Second)
	for r := range ranges {
		for i := int64(0); i <= 20; i++ {
			ok[r] = append(ok[r], i*s/10) // every 100 ms for 2 s
		}
	}
	// Range 3 is down from 0.5 s to 1.7 s.
	ok[3] = []int64{0, s / 10, 5 * s / 10, 17 * s / 10, 2 * s}
	rounds := []round{
		{Start: 4 * s / 10, Healed: 6 * s / 10, Settled: 7 * s / 10},
		{Start: 18 * s / 10, Healed: 19 * s / 10, Settled: 19 * s / 10},
	}
	unavailability(ok, rounds, 2*s)
	if got := rounds[0].Unavail; got < 1.19 || got > 1.21 {
		t.Fatalf("round 1 unavailable %.3fs, want 1.2s", got)
	}
	if got := rounds[1].Unavail; got < 0.29 || got > 0.31 {
		t.Fatalf("round 2 unavailable %.3fs, want 0.3s (range 3's last gap)", got)
	}
	med, worst := medianWorst(rounds)
	if worst != rounds[0].Unavail || med != (rounds[0].Unavail+rounds[1].Unavail)/2 {
		t.Fatalf("median %.3f worst %.3f", med, worst)
	}
}

func TestPrune(t *testing.T) {
	list := func(xs ...string) opOutput { return opOutput{Val: strings.Join(xs, listSep)} }
	tests := []struct {
		name string
		h    []porcupine.Operation
		kept int
		want string
	}{
		{"unobserved open set dropped", []porcupine.Operation{
			op(0, -1, opSet, "x", unknown), op(1, 2, opSet, "a", opOutput{}), op(3, 4, opGet, "", opOutput{Val: "a"})}, 2, "yes"},
		{"observed open set kept", []porcupine.Operation{
			op(0, -1, opSet, "x", unknown), op(3, 4, opGet, "", opOutput{Val: "x"})}, 2, "yes"},
		// The open push explains the later push's length 2; no read follows.
		{"open push kept without a final read", []porcupine.Operation{
			op(0, -1, opPush, "x", unknown), op(5, 6, opPush, "a", opOutput{N: 2})}, 2, "yes"},
		{"unobserved open push dropped after a final read", []porcupine.Operation{
			op(0, -1, opPush, "x", unknown), op(5, 6, opPush, "a", opOutput{N: 1}), op(7, 8, opRange, "", list("a"))}, 2, "yes"},
		{"open increments kept", []porcupine.Operation{
			op(0, -1, opIncr, "", unknown), op(5, 6, opGet, "", opOutput{Val: "1"})}, 2, "yes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := len(prune(tt.h)); got != tt.kept {
				t.Fatalf("kept %d of %d, want %d", got, len(tt.h), tt.kept)
			}
			res, err := checkHistory(tt.h, 10*time.Second, t.TempDir(), "h")
			if err != nil {
				t.Fatal(err)
			}
			if got := res.verdict(); got != tt.want {
				t.Fatalf("linearizable = %s, want %s", got, tt.want)
			}
		})
	}
}

// Many concurrent writes of unknown outcome, the shape of a history
// across a failover, must still be decided.
func TestManyOpenWrites(t *testing.T) {
	var h []porcupine.Operation
	for i := range 200 {
		at := int64(i * 10)
		h = append(h, op(at, -1, opSet, "lost"+strconv.Itoa(i), unknown))
		h = append(h, op(at+1, at+2, opSet, "v"+strconv.Itoa(i), opOutput{}))
		h = append(h, op(at+3, at+4, opGet, "", opOutput{Val: "v" + strconv.Itoa(i)}))
	}
	res, err := checkHistory(h, 20*time.Second, t.TempDir(), "h")
	if err != nil {
		t.Fatal(err)
	}
	if got := res.verdict(); got != "yes" {
		t.Fatalf("linearizable = %s, want yes", got)
	}
}
