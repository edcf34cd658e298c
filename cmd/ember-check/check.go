package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"
)

// linResult is the verdict on a run's history.
type linResult struct {
	Keys        int      `json:"keys"`
	IllegalKeys []string `json:"illegal_keys,omitempty"`
	UnknownKeys []string `json:"unknown_keys,omitempty"` // the search timed out
	Visual      string   `json:"visualization,omitempty"`
}

// verdict is "yes", "NO" or "unknown" (the checker gave up on some key).
func (l linResult) verdict() string {
	switch {
	case len(l.IllegalKeys) > 0:
		return "NO"
	case len(l.UnknownKeys) > 0:
		return "unknown"
	}
	return "yes"
}

// checkHistory checks each key's history on its own (linearizability is
// compositional) and writes porcupine's HTML visualisation of the
// shortest history that is not linearizable to dir (of them all, the file
// runs to hundreds of megabytes). Operations still open (Return -1) end
// after everything else.
func checkHistory(h []porcupine.Operation, timeout time.Duration, dir, name string) (linResult, error) {
	end := int64(0)
	for _, op := range h {
		end = max(end, op.Return, op.Call)
	}
	byKey := map[string][]porcupine.Operation{}
	for _, op := range h {
		if op.Return < 0 {
			op.Return = end + 1
		}
		k := op.Input.(opInput).Key
		byKey[k] = append(byKey[k], op)
	}
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	model := kvModel()
	res := linResult{Keys: len(keys)}
	var bad []porcupine.Operation // the shortest non-linearizable key's history
	for _, k := range keys {
		byKey[k] = prune(byKey[k])
		switch porcupine.CheckOperationsTimeout(model, byKey[k], timeout) {
		case porcupine.Illegal:
			res.IllegalKeys = append(res.IllegalKeys, k)
			if bad == nil || len(byKey[k]) < len(bad) {
				bad = byKey[k]
			}
		case porcupine.Unknown:
			res.UnknownKeys = append(res.UnknownKeys, k)
		}
	}
	if len(bad) == 0 {
		return res, nil
	}
	_, info := porcupine.CheckOperationsVerbose(model, bad, timeout)
	res.Visual = filepath.Join(dir, name+".html")
	if err := porcupine.VisualizePath(model, info, res.Visual); err != nil {
		return res, fmt.Errorf("visualisation: %w", err)
	}
	return res, nil
}

// prune drops from one key's history the writes of unknown outcome that
// no read observed, where that cannot change the verdict; each of them
// doubles the checker's search. A SET of a value no GET returned: if it
// took effect, the next operation on the key was another write, so
// leaving it out leaves a valid order valid, and an order without it
// stays valid with it placed last. An RPUSH of an element no LRANGE
// returned, when some LRANGE began after every acknowledged RPUSH had
// returned: had the push taken effect before that read, the read would
// list it, so it took effect (if at all) after every acknowledged push,
// where it changes no reply. INCRs stay: counters' states merge.
func prune(ops []porcupine.Operation) []porcupine.Operation {
	seen := map[string]bool{}
	var lastPush, lastRead int64 = -1, -1
	for _, op := range ops {
		in, out := op.Input.(opInput), op.Output.(opOutput)
		switch {
		case out.Unknown:
		case in.Kind == opGet:
			seen[out.Val] = true
		case in.Kind == opRange:
			for _, e := range strings.Split(out.Val, listSep) {
				seen[e] = true
			}
			lastRead = max(lastRead, op.Call)
		case in.Kind == opPush:
			lastPush = max(lastPush, op.Return)
		}
	}
	kept := ops[:0:0]
	for _, op := range ops {
		in, out := op.Input.(opInput), op.Output.(opOutput)
		drop := out.Unknown && !seen[in.Arg] &&
			(in.Kind == opSet || in.Kind == opPush && lastRead > lastPush)
		if !drop {
			kept = append(kept, op)
		}
	}
	return kept
}

// unavailability fills each round's Unavail: the longest interval between
// two successful writes in one slot range that overlaps the round, from
// the fault's start until the system was whole again.
func unavailability(writeOK [ranges][]int64, rounds []round, end int64) {
	for i := range rounds {
		r := &rounds[i]
		last := r.Settled
		if last == 0 {
			last = r.Healed
		}
		worst := int64(0)
		for rg, ts := range writeOK {
			ts = slices.Clone(ts)
			slices.Sort(ts)
			prev := int64(0)
			for _, t := range append(ts, end) {
				if t >= r.Start && prev <= last && t-prev > worst {
					worst = t - prev
					r.WorstRange = rg
					r.WorstFrom = time.Duration(prev - r.Start).Seconds()
				}
				prev = t
				if prev > last {
					break
				}
			}
		}
		r.Unavail = time.Duration(worst).Seconds()
	}
}

// medianWorst returns the median and the largest of the rounds' Unavail.
func medianWorst(rounds []round) (median, worst float64) {
	if len(rounds) == 0 {
		return 0, 0
	}
	v := make([]float64, len(rounds))
	for i, r := range rounds {
		v[i] = r.Unavail
	}
	slices.Sort(v)
	mid := len(v) / 2
	median = v[mid]
	if len(v)%2 == 0 {
		median = (v[mid-1] + v[mid]) / 2
	}
	return median, v[len(v)-1]
}
