package e2e

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/ember-node/ember-node/cmd/ember-node/harness"
	"github.com/redis/go-redis/v9"
)

// TestMain builds ember-node once for every test. The nodes are built
// without -race even when the tests run with it: the failover tests
// measure elections and client timeouts at production speed.
func TestMain(m *testing.M) {
	// go-redis logs every failed dial to a killed node; the tests count
	// client errors themselves.
	redis.SetLogger(quietLogger{})
	os.Exit(harness.Main(m, false))
}

type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...interface{}) {}

// nodeOpts are the settings of a test node.
type nodeOpts struct {
	shards, replicas int
	deadGrace        time.Duration
}

var defaultOpts = nodeOpts{shards: 4, replicas: 3, deadGrace: 60 * time.Second}

// flags are the serve flags for o: no fsync, since the tests kill
// processes, not machines.
func (o nodeOpts) flags() []string {
	return []string{"--shards", strconv.Itoa(o.shards), "--replicas", strconv.Itoa(o.replicas),
		"--fsync", "no", "--dead-grace", o.deadGrace.String(), "--log-level", "info"}
}

// startCluster starts n nodes (harness.StartCluster: bootstrap, join at
// start, `ember-node join`) and returns once every shard is fully
// replicated with balanced leaders, the state every test starts from.
func startCluster(t *testing.T, n int, o nodeOpts) []*harness.Node {
	t.Helper()
	nodes := harness.StartCluster(t, n, o.flags()...)
	waitStatus(t, nodes[0].Addr, time.Minute, "fully replicated with balanced leaders", balanced(min(n, o.replicas)))
	return nodes
}
