package harness

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// StartCluster starts n nodes named n1..nN with the same flags, the way
// an operator forms a cluster: n1 bootstraps the shards, the others start
// with --join n1, and `ember-node join` for each returns once that node
// holds its share of replicas. Leaderships may still be moving towards
// balance when it returns. Unless flags name a secret, the joiners are
// given the one n1 generated (JoinFlags).
func StartCluster(t testing.TB, n int, flags ...string) []*Node {
	t.Helper()
	return StartClusterWith(t, n, Config{Flags: flags})
}

// StartClusterWith is StartCluster with every node started from cfg
// (its Name and Dir are the harness's).
func StartClusterWith(t testing.TB, n int, cfg Config) []*Node {
	t.Helper()
	cfg.Name, cfg.Dir = "n1", ""
	first := StartNode(t, cfg)
	nodes := []*Node{first}
	cfg.Flags = append(first.JoinFlags(slices.Clip(cfg.Flags)), "--join", first.Seed())
	for i := 2; i <= n; i++ {
		cfg.Name = "n" + strconv.Itoa(i)
		nodes = append(nodes, StartNode(t, cfg))
	}
	for _, nd := range nodes[1:] {
		MustOps(t, time.Minute, "join", "--node", nd.Addr, first.Seed())
	}
	return nodes
}

// SecretFile is where the node keeps the cluster secret it generated
// when it bootstrapped without one.
func (n *Node) SecretFile() string { return filepath.Join(n.Dir, "cluster-secret") }

// JoinFlags returns flags for a node that joins n's cluster: flags
// plus --cluster-secret-file naming n's generated secret, unless flags
// already give a secret or n keeps none (EMBER_CLUSTER_SECRET is set).
func (n *Node) JoinFlags(flags []string) []string {
	out := slices.Clip(flags)
	if _, err := os.Stat(n.SecretFile()); err != nil {
		return out
	}
	for _, f := range flags {
		if strings.HasPrefix(strings.TrimLeft(f, "-"), "cluster-secret") {
			return out
		}
	}
	return append(out, "--cluster-secret-file", n.SecretFile())
}

// Ops runs an ember-node operator subcommand (join, leave, remove,
// status, health) with --timeout timeout and returns its combined output;
// the process is killed 10s after timeout if it has not returned.
func Ops(t testing.TB, timeout time.Duration, args ...string) (string, error) {
	t.Helper()
	bin := Binary(t)
	ctx, cancel := context.WithTimeout(context.Background(), timeout+10*time.Second)
	defer cancel()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, append(slices.Clip(args), "--timeout", timeout.String())...)
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// MustOps is Ops that fails the test on a non-zero exit.
func MustOps(t testing.TB, timeout time.Duration, args ...string) string {
	t.Helper()
	out, err := Ops(t, timeout, args...)
	if err != nil {
		t.Fatalf("ember-node %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}
