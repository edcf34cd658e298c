package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/ember-node/ember-node/cluster"
)

// The operator's subcommands: join, leave, remove, status. Each talks to
// nodes through CLUSTER EMBER-* on their client ports, starts the action,
// then watches the cluster until the action is done, showing progress,
// and fails with a message rather than wait past --timeout.

type opsCmd struct {
	c       opsClient
	node    string
	timeout time.Duration
	json    bool
	force   bool
	args    []string
	out     io.Writer
}

const opsUsage = `usage:
  ember-node join   [flags] --node NEW_HOST:PORT EXISTING_HOST:PORT[@CPORT]
  ember-node leave  [flags] --node HOST:PORT
  ember-node remove [flags] [--force] --node HOST:PORT NODE_ID
  ember-node status [flags] --node HOST:PORT
flags:
`

// runOps parses a subcommand's flags and runs it.
func runOps(sub string, args []string, stdout, stderr io.Writer) error {
	o := &opsCmd{out: stdout}
	fs := flag.NewFlagSet(sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, opsUsage); fs.PrintDefaults() }
	fs.StringVar(&o.node, "node", env("EMBER_NODE", "127.0.0.1:6379"), "client HOST:PORT of the node to act on (join: the new node)")
	fs.StringVar(&o.c.password, "password", env("EMBER_REQUIREPASS", ""), "the nodes' requirepass")
	fs.DurationVar(&o.timeout, "timeout", 5*time.Minute, "give up after this long")
	if sub == "status" {
		fs.BoolVar(&o.json, "json", false, "print the merged status as JSON")
	}
	if sub == "remove" {
		fs.BoolVar(&o.force, "force", false, "evict the node even though it is alive (an unwanted member)")
	}
	var err error
	if o.args, err = parseInterspersed(fs, args); err != nil {
		return errUsage
	}
	want := map[string]int{"join": -1, "leave": 0, "remove": 1, "status": 0}[sub]
	if want >= 0 && len(o.args) != want || want < 0 && len(o.args) == 0 {
		fs.Usage()
		return errUsage
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	switch sub {
	case "join":
		return o.join(ctx, o.args)
	case "leave":
		return o.leave(ctx)
	case "remove":
		return o.remove(ctx, o.args[0])
	default:
		return o.status(ctx)
	}
}

// parseInterspersed lets flags follow positional arguments, so that
// `join EXISTING --node NEW` works as well as `join --node NEW EXISTING`.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// join makes the empty node at --node join the cluster of seeds and
// returns once it holds its share of replicas: it is a voter of every
// shard whose placement target (as that shard's leader computes it, with
// the new node counted) includes it. That is rendezvous hashing's share,
// about S*min(R,N)/N shards, and the state placement converges to.
func (o *opsCmd) join(ctx context.Context, seeds []string) error {
	v, err := o.c.call(ctx, o.node, "CLUSTER", "EMBER-INFO")
	if err != nil {
		return err
	}
	var info cluster.JoinInfo
	if err := json.Unmarshal([]byte(v.Str), &info); err != nil {
		return fmt.Errorf("node %s: unreadable info: %w", o.node, err)
	}
	// A seed may name its cluster port (host:port@cport) for the joiner;
	// this command itself talks to client ports.
	clients := make([]string, len(seeds))
	for i, s := range seeds {
		clients[i], _, _ = strings.Cut(s, "@")
	}
	cs, err := o.c.gather(ctx, clients)
	if err != nil {
		return fmt.Errorf("no node of the cluster to join answered: %w", err)
	}
	if info.ID == cs.via.Self {
		return fmt.Errorf("%s and %s are the same node (%s)", o.node, cs.viaAt, info.ID)
	}
	if n, ok := cs.node(info.ID); ok && n.Alive {
		fmt.Fprintf(o.out, "%s (%s) is already a member; waiting for its replicas\n", o.node, shortID(info.ID))
	} else if _, err := o.c.call(ctx, o.node, append([]string{"CLUSTER", "EMBER-JOIN"}, seeds...)...); err != nil {
		return err
	}
	start := time.Now()
	var final *clusterState
	err = o.wait(ctx, "waiting for "+o.node+" to take its replicas", func() (string, bool) {
		cs, err := o.c.gather(ctx, append(slices.Clone(clients), o.node))
		if err != nil {
			return "no node answered: " + err.Error(), false
		}
		final = cs
		return joinProgress(cs, info.ID)
	})
	if err != nil {
		return err
	}
	var voter []string
	for s := range final.via.Shards {
		if ss, ok := final.led[s]; ok && slices.Contains(ss.Voters, info.ID) {
			voter = append(voter, fmt.Sprint(s))
		}
	}
	fmt.Fprintf(o.out, "joined: %s (%s) is a voter of shards [%s] after %s\n",
		o.node, info.ID, strings.Join(voter, " "), time.Since(start).Round(time.Millisecond))
	return nil
}

// joinProgress counts the shards whose target includes id and those of
// them where id already votes. Targets only count once every answering
// node sees id alive, since a leader that has not heard of it yet
// computes a target without it.
func joinProgress(cs *clusterState, id string) (string, bool) {
	for _, st := range cs.views {
		seen := false
		for _, n := range st.Nodes {
			seen = seen || n.ID == id && n.Alive
		}
		if !seen {
			return fmt.Sprintf("waiting for %s to see the new node", cs.name(st.Self)), false
		}
	}
	want, have := 0, 0
	for _, ss := range cs.led {
		if slices.Contains(ss.Target, id) {
			want++
			if slices.Contains(ss.Voters, id) {
				have++
			}
		}
	}
	msg := fmt.Sprintf("shards moved %d of %d", have, want)
	if ll := cs.leaderless(); len(ll) > 0 {
		return fmt.Sprintf("%s; no leader reported for shards %v", msg, ll), false
	}
	return msg, have == want
}

// leave drains the node at --node and waits until no group lists it and
// its process has exited (its client port refuses connections).
func (o *opsCmd) leave(ctx context.Context) error {
	cs, err := o.c.gather(ctx, []string{o.node})
	if err != nil {
		return err
	}
	id := cs.via.Self
	if me, _ := cs.node(id); me.Leaving {
		fmt.Fprintf(o.out, "%s (%s) is already leaving; waiting\n", o.node, shortID(id))
	} else {
		if err := checkLeave(cs, id); err != nil {
			return err
		}
		if _, err := o.c.call(ctx, o.node, "CLUSTER", "EMBER-LEAVE"); err != nil {
			return err
		}
	}
	start := time.Now()
	peers := cs.addresses(id)
	if len(peers) == 0 {
		return fmt.Errorf("%s is leaving but no other node answers: the leave cannot finish (stop the node instead)", cs.name(id))
	}
	err = o.wait(ctx, "waiting for "+o.node+" to hand over and exit", func() (string, bool) {
		up := reachable(o.node)
		cs, err := o.c.gather(ctx, peers)
		if err != nil {
			return "no other node answered: " + err.Error(), false
		}
		if next := cs.addresses(id); len(next) > 0 {
			peers = next
		}
		msg := fmt.Sprintf("shards holding %s: %d", shortID(id), len(cs.holding(id)))
		switch {
		case up:
			msg += "; process running"
		case len(cs.holding(id)) > 0:
			msg += "; process exited (if it does not come back, ember-node remove " + id + ")"
		}
		return msg, !up && len(cs.holding(id)) == 0
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(o.out, "left: %s (%s) handed everything over and exited after %s\n", o.node, id, time.Since(start).Round(time.Millisecond))
	return nil
}

// checkLeave refuses a leave that cannot finish: the last node, or one
// whose departure leaves a shard without a live majority.
func checkLeave(cs *clusterState, id string) error {
	others := 0
	for _, n := range cs.via.Nodes {
		if n.ID != id && cs.serving(n.ID) {
			others++
		}
	}
	if others == 0 {
		return fmt.Errorf("%s is the cluster's last serving node: there is no node to hand its shards to", cs.name(id))
	}
	return cs.quorumAfter(id)
}

// remove forgets a dead node (with --force, a live one) and waits until
// every group it was in has replaced it (no group lists it any more).
func (o *opsCmd) remove(ctx context.Context, arg string) error {
	cs, err := o.c.gather(ctx, []string{o.node})
	if err != nil {
		return err
	}
	id, err := resolveNode(cs, arg)
	if err != nil {
		return err
	}
	if id == cs.via.Self {
		return fmt.Errorf("%s is the node asked (--node): ask another member to remove it", cs.name(id))
	}
	call := []string{"CLUSTER", "EMBER-REMOVE", id}
	if o.force {
		call = append(call, "FORCE")
	} else if cs, err = o.waitDead(ctx, cs, id); err != nil {
		return err
	}
	if err := cs.quorumAfter(id); err != nil {
		return err
	}
	if _, err := o.c.call(ctx, o.node, call...); err != nil {
		return err
	}
	start := time.Now()
	peers := cs.addresses(id)
	if len(peers) == 0 {
		return fmt.Errorf("%s is leaving but no other node answers: the leave cannot finish (stop the node instead)", cs.name(id))
	}
	err = o.wait(ctx, "waiting for the shards of "+shortID(id)+" to be re-replicated", func() (string, bool) {
		cs, err := o.c.gather(ctx, peers)
		if err != nil {
			return "no node answered: " + err.Error(), false
		}
		peers = cs.addresses(id)
		h := cs.holding(id)
		return fmt.Sprintf("shards holding %s: %d", shortID(id), len(h)), len(h) == 0
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(o.out, "removed: %s; every shard re-replicated after %s\n", id, time.Since(start).Round(time.Millisecond))
	return nil
}

// waitDead returns once gossip has declared id dead. A node that still
// answers is refused (it should leave); one that does not answer but is
// not declared dead yet (a crash takes gossip several seconds to confirm)
// is waited for.
func (o *opsCmd) waitDead(ctx context.Context, cs *clusterState, id string) (*clusterState, error) {
	n, _ := cs.node(id)
	if !n.Alive {
		return cs, nil
	}
	if cs.failed[id] == nil {
		return nil, fmt.Errorf("node %s (%s) is alive: a live node leaves with `ember-node leave --node %s` (or is evicted with remove --force)", id, n.Client, n.Client)
	}
	var back error
	err := o.wait(ctx, "waiting for gossip to declare "+shortID(id)+" dead", func() (string, bool) {
		next, err := o.c.gather(ctx, []string{o.node})
		if err != nil {
			return err.Error(), false
		}
		cs = next
		n, _ := cs.node(id)
		if n.Alive && cs.failed[id] == nil {
			back = fmt.Errorf("node %s (%s) answers again: a live node leaves with `ember-node leave --node %s`", id, n.Client, n.Client)
			return "it answers again", true
		}
		return fmt.Sprintf("%s does not answer; waiting for gossip to declare it dead", shortID(id)), !n.Alive
	})
	if err == nil {
		err = back
	}
	return cs, err
}

// resolveNode accepts a full node id or a unique prefix of one.
func resolveNode(cs *clusterState, arg string) (string, error) {
	var match []string
	for _, n := range cs.via.Nodes {
		if n.ID == arg {
			return arg, nil
		}
		if len(arg) >= 4 && strings.HasPrefix(n.ID, arg) {
			match = append(match, n.ID)
		}
	}
	if len(match) == 1 {
		return match[0], nil
	}
	var known []string
	for _, n := range cs.via.Nodes {
		known = append(known, n.ID+" ("+n.Client+")")
	}
	if len(match) > 1 {
		return "", fmt.Errorf("node id %q is ambiguous: %s", arg, strings.Join(match, ", "))
	}
	return "", fmt.Errorf("unknown node %q; the cluster knows %s", arg, strings.Join(known, ", "))
}

// pollEvery is how often the watch loops look at the cluster.
const pollEvery = 300 * time.Millisecond

// wait polls check until it is done, showing its message as progress;
// past the deadline it fails with what it last saw.
func (o *opsCmd) wait(ctx context.Context, what string, check func() (string, bool)) error {
	p := newProgress(o.out)
	defer p.finish()
	last := "nothing seen yet"
	for {
		msg, done := check()
		if ctx.Err() == nil || done {
			// A check cut short by the deadline says only that.
			last = msg
			p.show(msg)
		}
		if done {
			return nil
		}
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return fmt.Errorf("timed out after %s %s: %s", o.timeout, what, last)
			}
			return ctx.Err()
		case <-time.After(pollEvery):
		}
	}
}
