package main

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os/exec"
	"strings"
	"time"

	"github.com/ember-node/ember-node/shard"
)

// target is one node of the system under test: its name, the Docker
// container it runs in, and the client address CLUSTER SLOTS gives for it.
type target struct {
	Name, Container, Addr string
}

// parseTargets reads "name=container=addr" items, comma-separated.
func parseTargets(s string) ([]target, error) {
	var out []target
	for _, item := range strings.Split(s, ",") {
		f := strings.Split(strings.TrimSpace(item), "=")
		if len(f) != 3 || f[0] == "" || f[1] == "" || f[2] == "" {
			return nil, fmt.Errorf("target %q: want name=container=host:port", item)
		}
		out = append(out, target{Name: f[0], Container: f[1], Addr: f[2]})
	}
	return out, nil
}

// nemesis breaks the system on purpose with Docker: SIGKILL and restart,
// freezing (docker pause, the cgroup freezer: SIGSTOP that the process
// cannot notice), partitions made with iptables inside the containers'
// network namespaces (peers cannot talk, while the host's clients still
// reach every node: that is how a client meets an isolated old leader),
// rolling restarts and, through hooks, membership changes. Every fault is
// bounded in time and undone, also when the run is interrupted.
type nemesis struct {
	targets []target
	rt      *router // to find who leads a slot
	log     *slog.Logger

	killDown, pauseFor, partFor time.Duration
	settleTO                    time.Duration
	minReplicas                 int
	settleCmd, joinCmd, leave   string

	undo []func() // what is broken right now, newest last
}

// round is one fault: what was done to whom, and when (ns since the
// workload started): injected, undone, and the system whole again.
type round struct {
	Fault   string `json:"fault"`
	Nodes   string `json:"nodes"`
	Start   int64  `json:"start_ns"`
	Healed  int64  `json:"healed_ns"`
	Settled int64  `json:"settled_ns"`
	// Unavail is the longest any slot range went without a successful
	// write while the round lasted, in seconds.
	Unavail float64 `json:"unavailable_s"`
	// WorstRange is the slot range (of ranges) that went longest without
	// a write, from WorstFrom seconds after the fault began (negative:
	// its last write before the fault was that long before it).
	WorstRange int     `json:"worst_range"`
	WorstFrom  float64 `json:"worst_from_s"`
}

func (n *nemesis) docker(ctx context.Context, args ...string) (string, error) {
	out, err := exec.CommandContext(ctx, "docker", args...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("docker %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return strings.TrimSpace(string(out)), nil
}

// hold waits d or until ctx ends.
func hold(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// heal undoes every fault still in place, newest first. It runs with its
// own context: it must work after the run's context was cancelled.
func (n *nemesis) heal() {
	for len(n.undo) > 0 {
		f := n.undo[len(n.undo)-1]
		n.undo = n.undo[:len(n.undo)-1]
		f()
	}
}

// leaderOf returns the target that leads slot now, by CLUSTER SLOTS.
func (n *nemesis) leaderOf(ctx context.Context, slot int) (target, error) {
	n.rt.forceReload(ctx)
	addr := n.rt.target(slot, true)
	for _, t := range n.targets {
		if t.Addr == addr {
			return t, nil
		}
	}
	return target{}, fmt.Errorf("slot %d is led by %q, which is not a target", slot, addr)
}

// inject runs one round of fault kind and returns what it did; clock gives
// the workload's time.
func (n *nemesis) inject(ctx context.Context, kind string, clock func() int64) (round, error) {
	r := round{Fault: kind, Start: clock()}
	var err error
	switch kind {
	case "none":
		hold(ctx, n.partFor)
	case "kill":
		err = n.kill(ctx, &r)
	case "pause":
		err = n.pause(ctx, &r)
	case "partition":
		err = n.partition(ctx, &r, false)
	case "partition-leader":
		err = n.partition(ctx, &r, true)
	case "rolling-restart":
		err = n.rollingRestart(ctx, &r)
	case "membership":
		err = n.membership(ctx, &r)
	default:
		err = fmt.Errorf("unknown fault %q", kind)
	}
	n.heal()
	r.Healed = clock()
	if err != nil {
		return r, err
	}
	if err := n.settle(ctx); err != nil {
		return r, err
	}
	r.Settled = clock()
	return r, nil
}

func (n *nemesis) randomLeader(ctx context.Context) (target, error) {
	return n.leaderOf(ctx, rand.IntN(shard.NumSlots))
}

func (n *nemesis) kill(ctx context.Context, r *round) error {
	t, err := n.randomLeader(ctx)
	if err != nil {
		return err
	}
	r.Nodes = t.Name
	n.log.Info("nemesis: SIGKILL", "node", t.Name, "down", n.killDown)
	// The restart is queued first: under load the Docker daemon can fail
	// the kill ("did not receive an exit event") after the process died.
	n.undo = append(n.undo, func() { n.start(t) })
	if _, err := n.docker(ctx, "kill", "-s", "KILL", t.Container); err != nil {
		return err
	}
	hold(ctx, n.killDown)
	return nil
}

func (n *nemesis) start(t target) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := n.docker(ctx, "start", t.Container); err != nil {
		n.log.Error("nemesis: restart failed", "node", t.Name, "err", err)
	}
}

func (n *nemesis) pause(ctx context.Context, r *round) error {
	t, err := n.randomLeader(ctx)
	if err != nil {
		return err
	}
	r.Nodes = t.Name
	n.log.Info("nemesis: freeze", "node", t.Name, "for", n.pauseFor)
	n.undo = append(n.undo, func() {
		uctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := n.docker(uctx, "unpause", t.Container); err != nil {
			n.log.Error("nemesis: unpause failed", "node", t.Name, "err", err)
		}
	})
	if err := n.freeze(ctx, t.Container); err != nil {
		return err
	}
	hold(ctx, n.pauseFor)
	return nil
}

// freeze pauses a container. The cgroup freezer can give up on a busy
// container ("unable to freeze": runc thaws it again and reports the
// failure, seen on a loaded 2-core CI machine), which says nothing of the
// system under test: try again a few times before calling the round
// failed.
func (n *nemesis) freeze(ctx context.Context, container string) error {
	var err error
	for try := 0; try < 5; try++ {
		if _, err = n.docker(ctx, "pause", container); err == nil || !strings.Contains(err.Error(), "unable to freeze") {
			return err
		}
		n.log.Warn("nemesis: freeze failed, trying again", "container", container, "err", err)
		hold(ctx, 200*time.Millisecond)
	}
	return err
}

func (n *nemesis) rollingRestart(ctx context.Context, r *round) error {
	var names []string
	for _, t := range n.targets {
		names = append(names, t.Name)
		n.log.Info("nemesis: restart (SIGTERM)", "node", t.Name)
		if _, err := n.docker(ctx, "stop", "-t", "15", t.Container); err != nil {
			return err
		}
		if _, err := n.docker(ctx, "start", t.Container); err != nil {
			return err
		}
		if err := n.settle(ctx); err != nil {
			return fmt.Errorf("after restarting %s: %w", t.Name, err)
		}
	}
	r.Nodes = strings.Join(names, ",")
	return nil
}

// membership adds a node and takes it away again with the operator's
// commands, given as shell hooks (the system's own tooling does it).
func (n *nemesis) membership(ctx context.Context, r *round) error {
	if n.joinCmd == "" || n.leave == "" {
		return fmt.Errorf("membership needs -join-cmd and -leave-cmd")
	}
	r.Nodes = "join+leave"
	for _, c := range []string{n.joinCmd, n.leave} {
		n.log.Info("nemesis: membership", "cmd", c)
		out, err := exec.CommandContext(ctx, "bash", "-c", c).CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s: %w: %s", c, err, tail(string(out), 2000))
		}
	}
	return nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}
