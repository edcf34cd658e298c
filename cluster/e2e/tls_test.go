package e2e

import (
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ember-node/ember-node/cmd/ember-node/harness"
	"github.com/ember-node/ember-node/rpc/tlsconf/tlstest"
	"github.com/redis/go-redis/v9"
)

// tlsCluster is three nodes, each with a plain and a TLS client port.
type tlsCluster struct {
	nodes        []*harness.Node
	certs        *tlstest.Certs
	plain, tlsOf map[string]bool // the nodes' client addresses of each kind
}

func startTLSCluster(t *testing.T) *tlsCluster {
	t.Helper()
	certs := tlstest.New(t)
	nodes := harness.StartClusterWith(t, 3, harness.Config{TLS: true,
		Flags: append(defaultOpts.flags(), certs.Flags("yes")...)})
	waitStatus(t, nodes[0].Addr, time.Minute, "fully replicated with balanced leaders", balanced(3))
	tc := &tlsCluster{nodes: nodes, certs: certs, plain: map[string]bool{}, tlsOf: map[string]bool{}}
	for _, n := range nodes {
		tc.plain[n.Addr], tc.tlsOf[n.TLSAddr] = true, true
	}
	return tc
}

// TestTLSCluster: in a cluster whose nodes have TLS ports, a client on a
// TLS port is told TLS addresses (MOVED, CLUSTER SLOTS, CLUSTER NODES)
// and a plain client plain ones, as Redis 7 does with tls-cluster;
// CLUSTER SHARDS gives both ports. go-redis's ClusterClient with a
// tls.Config, redis-cli -c --tls and redis-benchmark --cluster --tls
// work through any node.
func TestTLSCluster(t *testing.T) {
	tc := startTLSCluster(t)
	t.Run("redirections", tc.redirections)
	t.Run("topology", tc.topology)
	t.Run("go-redis", tc.goRedis)
	t.Run("redis-cli", tc.redisCLI)
	c := tc.certs
	redisBenchmark(t, tc.nodes[2].TLSAddr, "--tls", "--cacert", c.CA, "--cert", c.ClientCert, "--key", c.ClientKey)
}

// redirections: every node answers a key it does not lead with MOVED to
// an address of the client's kind.
func (tc *tlsCluster) redirections(t *testing.T) {
	for _, n := range tc.nodes {
		secure, err := harness.DialTLS(n.TLSAddr, tc.certs.Client(t, true))
		if err != nil {
			t.Fatal(err)
		}
		defer secure.Close()
		plain := harness.MustDial(t, n.Addr)
		key := tc.movedKey(t, secure, tc.tlsOf)
		if got := moved(t, plain, key); !tc.plain[got] {
			t.Errorf("%s, plain client: MOVED to %q, not a plain address", n.Name, got)
		}
	}
}

// movedKey finds a key c's node redirects, checks the address is in want
// and returns the key.
func (tc *tlsCluster) movedKey(t *testing.T, c *harness.Client, want map[string]bool) string {
	t.Helper()
	for i := range 1000 {
		key := "tls:" + strconv.Itoa(i)
		v, err := c.Do("GET", key)
		if err != nil {
			t.Fatal(err)
		}
		if v.Type == '-' && strings.HasPrefix(v.Str, "MOVED ") {
			if addr := v.Str[strings.LastIndexByte(v.Str, ' ')+1:]; !want[addr] {
				t.Errorf("TLS client: %s", v.Str)
			}
			return key
		}
	}
	t.Fatal("no key redirected in 1000")
	return ""
}

// moved returns where c's node redirects key, waiting out TRYAGAIN.
func moved(t *testing.T, c *harness.Client, key string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		v, err := c.Do("GET", key)
		if err != nil {
			t.Fatal(err)
		}
		if v.Type == '-' && strings.HasPrefix(v.Str, "MOVED ") {
			return v.Str[strings.LastIndexByte(v.Str, ' ')+1:]
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: %s, want MOVED", key, v)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// topology: CLUSTER SLOTS and NODES name addresses of the client's kind;
// CLUSTER SHARDS names both ports of every node.
func (tc *tlsCluster) topology(t *testing.T) {
	ctx := context.Background()
	for _, kind := range []struct {
		name  string
		opt   *redis.Options
		addrs map[string]bool
	}{
		{"tls", &redis.Options{Addr: tc.nodes[1].TLSAddr, TLSConfig: tc.certs.Client(t, true)}, tc.tlsOf},
		{"plain", &redis.Options{Addr: tc.nodes[1].Addr}, tc.plain},
	} {
		c := redis.NewClient(kind.opt)
		defer c.Close()
		slots, err := c.ClusterSlots(ctx).Result()
		if err != nil || len(slots) == 0 {
			t.Fatalf("%s: CLUSTER SLOTS: %v, %v", kind.name, slots, err)
		}
		for _, s := range slots {
			for _, n := range s.Nodes {
				if !kind.addrs[n.Addr] {
					t.Errorf("%s: CLUSTER SLOTS %d-%d names %s", kind.name, s.Start, s.End, n.Addr)
				}
			}
		}
		nodes, err := c.ClusterNodes(ctx).Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(nodes), "\n") {
			addr, _, _ := strings.Cut(strings.Fields(line)[1], "@")
			if !kind.addrs[addr] {
				t.Errorf("%s: CLUSTER NODES line %q", kind.name, line)
			}
		}
		tc.checkShards(t, kind.name, c)
	}
}

// checkShards requires every node of CLUSTER SHARDS to carry a node's
// plain port and its TLS port.
func (tc *tlsCluster) checkShards(t *testing.T, name string, c *redis.Client) {
	t.Helper()
	shards, err := c.ClusterShards(context.Background()).Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range shards {
		for _, n := range s.Nodes {
			plain := fmt.Sprintf("%s:%d", n.IP, n.Port)
			secure := fmt.Sprintf("%s:%d", n.IP, n.TLSPort)
			if !tc.plain[plain] || !tc.tlsOf[secure] {
				t.Errorf("%s: CLUSTER SHARDS node %s: port %d, tls-port %d", name, n.ID, n.Port, n.TLSPort)
			}
		}
	}
}

// goRedis: a ClusterClient seeded with one TLS address writes and reads
// keys of every shard (it could not reach a plain port over TLS).
func (tc *tlsCluster) goRedis(t *testing.T) {
	ctx := context.Background()
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{tc.nodes[0].TLSAddr},
		TLSConfig: tc.certs.Client(t, true), MaxRedirects: 8})
	defer c.Close()
	for i := range 300 {
		k := "gr:" + strconv.Itoa(i)
		if err := c.Set(ctx, k, i, 0).Err(); err != nil {
			t.Fatalf("SET %s: %v", k, err)
		}
	}
	for i := range 300 {
		if v, err := c.Get(ctx, "gr:"+strconv.Itoa(i)).Int(); err != nil || v != i {
			t.Fatalf("GET gr:%d = %d, %v", i, v, err)
		}
	}
}

// redisCLI: redis-cli -c --tls follows MOVED to TLS ports.
func (tc *tlsCluster) redisCLI(t *testing.T) {
	cli := requireTool(t, "redis-cli")
	run := func(n *harness.Node, args ...string) string {
		host, port, _ := strings.Cut(n.TLSAddr, ":")
		base := []string{"-c", "-h", host, "-p", port, "--tls", "--cacert", tc.certs.CA,
			"--cert", tc.certs.ClientCert, "--key", tc.certs.ClientKey}
		out, err := exec.Command(cli, append(base, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("redis-cli %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	for i := range 12 {
		k, v := "cli:"+strconv.Itoa(i), "v"+strconv.Itoa(i)
		if got := run(tc.nodes[i%3], "SET", k, v); got != "OK" {
			t.Fatalf("redis-cli -c --tls SET %s: %q", k, got)
		}
		if got := run(tc.nodes[(i+1)%3], "GET", k); got != v {
			t.Fatalf("redis-cli -c --tls GET %s: %q, want %q", k, got, v)
		}
	}
}
