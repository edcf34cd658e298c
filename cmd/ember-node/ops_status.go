package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ember-node/ember-node/cluster"
)

// status prints the members and every shard, merged from what each live
// node reports about the shards it leads.
func (o *opsCmd) status(ctx context.Context) error {
	cs, err := o.c.gather(ctx, []string{o.node})
	if err != nil {
		return err
	}
	if o.json {
		enc := json.NewEncoder(o.out)
		enc.SetIndent("", "  ")
		return enc.Encode(mergedStatus(cs))
	}
	renderStatus(o.out, cs)
	return nil
}

// statusJSON is `status --json`: the asked node's members and routes,
// with Led replaced by every leader's report.
type statusJSON struct {
	cluster.Status
	Unreachable map[string]string `json:"unreachable,omitempty"`
}

func mergedStatus(cs *clusterState) statusJSON {
	out := statusJSON{Status: cs.via}
	out.Led = nil
	for s := range cs.via.Shards {
		if ss, ok := cs.led[s]; ok {
			out.Led = append(out.Led, ss)
		}
	}
	for id, err := range cs.failed {
		if out.Unreachable == nil {
			out.Unreachable = map[string]string{}
		}
		out.Unreachable[id] = err.Error()
	}
	return out
}

func renderStatus(w io.Writer, cs *clusterState) {
	alive := 0
	for _, n := range cs.via.Nodes {
		if n.Alive {
			alive++
		}
	}
	fmt.Fprintf(w, "cluster: %d nodes (%d alive), %d shards, %d replicas per shard; as seen by %s\n\n",
		len(cs.via.Nodes), alive, cs.via.Shards, cs.via.Replicas, cs.viaAt)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE\tADDRESS\tSTATE\tLEADS\tHOLDS")
	for _, n := range cs.via.Nodes {
		leads, holds := 0, len(cs.holding(n.ID))
		for _, ss := range cs.led {
			if ss.Leader == n.ID {
				leads++
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\n", n.ID, n.Client, cs.state(n), leads, holds)
	}
	tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SHARD\tSLOTS\tLEADER\tTERM\tAPPLIED\tKEYS\tVOTERS (lag)\tLEARNERS (lag)")
	for s := range cs.via.Shards {
		lo, hi := cluster.SlotRange(s, cs.via.Shards)
		ss, ok := cs.led[s]
		if !ok {
			voters, learners, _ := cs.members(s)
			fmt.Fprintf(tw, "%d\t%d-%d\tnone\t-\t-\t-\t%s (last known)\t%s\n", s, lo, hi, idList(voters, nil, ""), idList(learners, nil, ""))
			continue
		}
		fmt.Fprintf(tw, "%d\t%d-%d\t%s\t%d\t%d\t%d\t%s\t%s\n", s, lo, hi, shortID(ss.Leader), ss.Term, ss.Applied, ss.Keys,
			idList(ss.Voters, ss.Lag, ss.Leader), idList(ss.Learners, ss.Lag, ss.Leader))
	}
	tw.Flush()
	for id, err := range cs.failed {
		fmt.Fprintf(w, "\nwarning: %s is alive but did not answer: %v\n", shortID(id), err)
	}
}

// state names a member's condition for the table.
func (cs *clusterState) state(n cluster.NodeStatus) string {
	switch {
	case n.Alive && cs.failed[n.ID] != nil:
		return "unreachable"
	case n.Alive && n.Leaving:
		return "leaving"
	case n.Alive:
		return "alive"
	case n.Leaving:
		return "left"
	}
	return "dead"
}

// idList renders members as short ids, each follower with its lag in
// log entries (? when the leader could not ask it).
func idList(ids []string, lag map[string]uint64, leader string) string {
	if len(ids) == 0 {
		return "-"
	}
	ids = slices.Clone(ids)
	slices.SortStableFunc(ids, func(a, b string) int {
		switch {
		case a == leader:
			return -1
		case b == leader:
			return 1
		}
		return strings.Compare(a, b)
	})
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = shortID(id)
		switch l, ok := lag[id]; {
		case id == leader || lag == nil:
		case ok:
			out[i] += fmt.Sprintf("(%d)", l)
		default:
			out[i] += "(?)"
		}
	}
	return strings.Join(out, " ")
}

// progress shows a long operation's state: one line rewritten in place
// on a terminal, a log line per change otherwise.
type progress struct {
	w     io.Writer
	tty   bool
	start time.Time
	last  string
	shown bool
}

func newProgress(w io.Writer) *progress {
	return &progress{w: w, tty: isTerminal(w), start: time.Now()}
}

func (p *progress) show(msg string) {
	elapsed := time.Since(p.start).Truncate(100 * time.Millisecond)
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K[%s] %s", elapsed, msg)
		p.shown = true
		return
	}
	if msg != p.last {
		fmt.Fprintf(p.w, "%s [%s] %s\n", time.Now().Format("15:04:05"), elapsed, msg)
	}
	p.last = msg
}

func (p *progress) finish() {
	if p.tty && p.shown {
		fmt.Fprintln(p.w)
	}
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
