package e2e

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ember-node/ember-node/cmd/ember-node/harness"
	"github.com/redis/go-redis/v9"
)

// Three nodes: a cluster client that only knows one node's address
// writes 10,000 keys; clients seeded with each other node read them all
// back; then redis-cli -c and redis-benchmark --cluster, as users would.
func TestThreeNodes(t *testing.T) {
	nodes := startCluster(t, 3, defaultOpts)
	addrs := []string{nodes[0].Addr, nodes[1].Addr, nodes[2].Addr}
	waitStatus(t, nodes[0].Addr, time.Minute, "fully replicated", allLed(3))
	st := status(t, nodes[1].Addr)
	st.expect(t, map[string]string{addrs[0]: "alive", addrs[1]: "alive", addrs[2]: "alive"}, addrs...)

	want := map[string]string{}
	for i := range 10000 {
		want["key:"+strconv.Itoa(i)] = "value-" + strconv.Itoa(i*7)
	}
	w := newClient(nodes[0].Addr)
	defer w.Close()
	writeAll(t, w, want)
	for _, n := range nodes[1:] {
		c := newClient(n.Addr)
		if lost := readBack(t, c, want); len(lost) > 0 {
			t.Errorf("reading through %s: %d keys differ, e.g. %v", n.Addr, len(lost), lost[:min(5, len(lost))])
		}
		c.Close()
	}

	redisCLI(t, nodes)
	redisBenchmark(t, nodes[0].Addr)
	multiRedirects(t, nodes)
}

// writeAll SETs want in pipelines of 500 (the client splits them by
// node). go-redis retries TRYAGAIN for single commands but not inside a
// pipeline, so commands refused that way (a leadership moving: leaders
// are balanced right after the cluster forms) are sent again.
func writeAll(t *testing.T, c *redis.ClusterClient, want map[string]string) {
	t.Helper()
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	for start := 0; start < len(keys); start += 500 {
		batch := keys[start:min(start+500, len(keys))]
		for try := 0; len(batch) > 0; try++ {
			if try == 50 {
				t.Fatalf("%d SETs still refused after %d tries", len(batch), try)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			cmds, _ := c.Pipelined(ctx, func(p redis.Pipeliner) error {
				for _, k := range batch {
					p.Set(ctx, k, want[k], 0)
				}
				return nil
			})
			cancel()
			var again []string
			for i, cmd := range cmds {
				switch err := cmd.Err(); {
				case err == nil:
				case classify(err) == errRedirect:
					again = append(again, batch[i])
				default:
					t.Fatalf("%v: %v", cmd.Args(), err)
				}
			}
			batch = again
			if len(batch) > 0 {
				time.Sleep(50 * time.Millisecond)
			}
		}
	}
}

// requireTool finds a redis tool, or skips when it is missing unless
// EMBER_REQUIRE_REDIS=1 (the Makefile and CI set it).
func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("EMBER_REQUIRE_REDIS") == "1" {
			t.Fatalf("%s not found and EMBER_REQUIRE_REDIS=1", name)
		}
		t.Skipf("%s not installed", name)
	}
	return p
}

// redisCLI sets keys through one node and reads them through another
// with redis-cli -c, which follows MOVED.
func redisCLI(t *testing.T, nodes []*harness.Node) {
	t.Run("redis-cli", func(t *testing.T) {
		cli := requireTool(t, "redis-cli")
		run := func(addr string, args ...string) string {
			host, port, _ := strings.Cut(addr, ":")
			out, err := exec.Command(cli, append([]string{"-c", "-h", host, "-p", port}, args...)...).CombinedOutput()
			if err != nil {
				t.Fatalf("redis-cli %v: %v\n%s", args, err, out)
			}
			return strings.TrimSpace(string(out))
		}
		for i := range 20 {
			k, v := "cli:"+strconv.Itoa(i), "v"+strconv.Itoa(i)
			if got := run(nodes[i%3].Addr, "SET", k, v); got != "OK" {
				t.Fatalf("redis-cli -c SET %s: %q", k, got)
			}
			if got := run(nodes[(i+1)%3].Addr, "GET", k); got != v {
				t.Fatalf("redis-cli -c GET %s through %s: %q, want %q", k, nodes[(i+1)%3].Addr, got, v)
			}
		}
	})
}

// redisBenchmark runs redis-benchmark in cluster mode against addr, with
// extra options (--tls ...), and fails on any error it reports.
func redisBenchmark(t *testing.T, addr string, extra ...string) {
	t.Run("redis-benchmark", func(t *testing.T) {
		rb := requireTool(t, "redis-benchmark")
		host, port, _ := strings.Cut(addr, ":")
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		args := append([]string{"--cluster", "-h", host, "-p", port,
			"-t", "set,get", "-n", "20000", "-q"}, extra...)
		out, err := exec.CommandContext(ctx, rb, args...).CombinedOutput()
		text := string(out)
		if err != nil {
			t.Fatalf("redis-benchmark: %v\n%s", err, text)
		}
		for _, bad := range []string{"rror", "MOVED", "TRYAGAIN", "CLUSTERDOWN"} {
			if strings.Contains(text, bad) {
				t.Fatalf("redis-benchmark reported %q:\n%s", bad, text)
			}
		}
		for _, want := range []string{"SET: ", "GET: "} {
			i := strings.LastIndex(text, want)
			if i < 0 || !strings.Contains(text[i:], "requests per second") {
				t.Fatalf("redis-benchmark: no %q result:\n%s", want, text)
			}
			line := text[i:]
			if j := strings.IndexByte(line, '\n'); j > 0 {
				line = line[:j]
			}
			t.Log(line)
		}
	})
}
