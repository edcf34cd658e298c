package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"strings"
	"time"
)

// partition cuts a minority of the nodes off from the rest: with leader
// set, the minority holds the current leader of a random slot (the old
// leader is isolated with a minority and must stop acknowledging writes
// and serving reads once the majority has elected another). The rules
// go into the nodes' own network namespaces, so the host's clients keep
// reaching both sides. The leader's companions in the minority are, where
// possible, not its own replicas: so the majority can fail over, and a
// system that lets the old leader go on acknowledging writes loses them.
func (n *nemesis) partition(ctx context.Context, r *round, leader bool) error {
	size := max(1, (len(n.targets)-1)/2)
	var group []target
	avoid := map[string]bool{} // the leader's own replicas stay with the majority
	if leader {
		t, err := n.randomLeader(ctx)
		if err != nil {
			return err
		}
		group = append(group, t)
		for _, a := range n.rt.replicasOf(t.Addr) {
			avoid[a] = true
		}
	}
	for pass := 0; pass < 2; pass++ {
		for _, i := range rand.Perm(len(n.targets)) {
			t := n.targets[i]
			if len(group) < size && !contains(group, t) && (pass == 1 || !avoid[t.Addr]) {
				group = append(group, t)
			}
		}
	}
	ips := map[string][]string{}
	for _, t := range n.targets {
		out, err := n.docker(ctx, "inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}", t.Container)
		if err != nil {
			return err
		}
		ips[t.Name] = strings.Fields(out)
	}
	var names []string
	for _, g := range group {
		names = append(names, g.Name)
	}
	r.Nodes = strings.Join(names, "+")
	n.log.Info("nemesis: partition", "minority", r.Nodes, "for", n.partFor)
	for _, g := range group {
		pid, err := n.docker(ctx, "inspect", "-f", "{{.State.Pid}}", g.Container)
		if err != nil {
			return err
		}
		for _, o := range n.targets {
			if contains(group, o) {
				continue
			}
			for _, ip := range ips[o.Name] {
				if err := n.dropFrom(ctx, g.Name, pid, ip); err != nil {
					return err
				}
			}
		}
	}
	hold(ctx, n.partFor)
	return nil
}

// dropFrom makes the namespace of process pid drop all traffic with ip,
// and queues the rules' removal.
func (n *nemesis) dropFrom(ctx context.Context, node, pid, ip string) error {
	rules := [][]string{{"INPUT", "-s", ip, "-j", "DROP"}, {"OUTPUT", "-d", ip, "-j", "DROP"}}
	for _, rule := range rules {
		if err := iptables(ctx, pid, append([]string{"-I"}, rule...)); err != nil {
			return fmt.Errorf("partition %s from %s: %w", node, ip, err)
		}
		n.undo = append(n.undo, func() {
			uctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := iptables(uctx, pid, append([]string{"-D"}, rule...)); err != nil {
				n.log.Error("nemesis: could not remove a partition rule", "node", node, "err", err)
			}
		})
	}
	return nil
}

func iptables(ctx context.Context, pid string, args []string) error {
	full := append([]string{"-t", pid, "-n", "iptables", "-w"}, args...)
	out, err := exec.CommandContext(ctx, "nsenter", full...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("nsenter %s: %w: %s", strings.Join(full, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

func contains(ts []target, t target) bool {
	for _, x := range ts {
		if x.Name == t.Name {
			return true
		}
	}
	return false
}
