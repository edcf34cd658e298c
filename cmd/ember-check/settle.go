package main

import (
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"time"

	"github.com/ember-node/ember-node/shard"
	"github.com/redis/go-redis/v9"
)

// settle waits until the system is whole again, so that the next round
// starts from a healthy cluster: every node answers, and all agree on a
// CLUSTER SLOTS that covers the keyspace with enough replicas; then the
// system's own check, when one is given (for ember-node: every shard fully
// replicated and caught up).
func (n *nemesis) settle(ctx context.Context) error {
	sctx, cancel := context.WithTimeout(ctx, n.settleTO)
	defer cancel()
	var last error
	for {
		if last = n.whole(sctx); last == nil {
			break
		}
		select {
		case <-sctx.Done():
			return fmt.Errorf("not whole after %s: %w", n.settleTO, last)
		case <-time.After(500 * time.Millisecond):
		}
	}
	if n.settleCmd == "" {
		return nil
	}
	out, err := exec.CommandContext(sctx, "bash", "-c", n.settleCmd).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w: %s", n.settleCmd, err, tail(string(out), 2000))
	}
	n.log.Info("settled", "check", strings.TrimSpace(tail(string(out), 300)))
	return nil
}

// whole checks that every target answers CLUSTER SLOTS with the same map.
func (n *nemesis) whole(ctx context.Context) error {
	var ref string
	for _, t := range n.targets {
		view, err := slotsView(ctx, t.Addr, n.rt.password, n.minReplicas)
		if err != nil {
			return fmt.Errorf("%s: %w", t.Name, err)
		}
		if ref == "" {
			ref = view
		} else if view != ref {
			return fmt.Errorf("%s disagrees on the slot map", t.Name)
		}
	}
	return nil
}

// slotsView returns a node's CLUSTER SLOTS in a canonical form, or why it
// is not a whole map.
func slotsView(ctx context.Context, addr, password string, minReplicas int) (string, error) {
	c := redis.NewClient(&redis.Options{Addr: addr, Password: password, MaxRetries: -1,
		DialTimeout: time.Second, ReadTimeout: time.Second, DisableIdentity: true})
	defer c.Close()
	slots, err := c.ClusterSlots(ctx).Result()
	if err != nil {
		return "", err
	}
	slices.SortFunc(slots, func(a, b redis.ClusterSlot) int { return a.Start - b.Start })
	var b strings.Builder
	covered := 0
	for _, s := range slots {
		if len(s.Nodes) == 0 {
			return "", fmt.Errorf("slots %d-%d have no node", s.Start, s.End)
		}
		if len(s.Nodes)-1 < minReplicas {
			return "", fmt.Errorf("slots %d-%d have %d replicas, want %d", s.Start, s.End, len(s.Nodes)-1, minReplicas)
		}
		covered += s.End - s.Start + 1
		fmt.Fprintf(&b, "%d-%d:%s;", s.Start, s.End, s.Nodes[0].Addr)
	}
	if covered != shard.NumSlots {
		return "", fmt.Errorf("CLUSTER SLOTS covers %d slots", covered)
	}
	return b.String(), nil
}
