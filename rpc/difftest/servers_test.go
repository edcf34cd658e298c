package difftest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ember-node/ember-node/cmd/ember-node/harness"
	"github.com/ember-node/ember-node/rpc/resp"
)

// TestMain builds ember-node once, with -race when the tests run with
// it, so a data race in the server fails them too.
func TestMain(m *testing.M) { os.Exit(harness.Main(m, harness.Race)) }

// replyTimeout bounds every read so a server that never answers fails the
// test instead of hanging it.
const replyTimeout = 10 * time.Second

// redisBinary finds redis-server, or skips (fails under
// EMBER_REQUIRE_REDIS=1) when it is missing.
func redisBinary(t testing.TB) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/redis-server", "redis-server"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	msg := "redis-server not found (apt-get install redis-server)"
	if os.Getenv("EMBER_REQUIRE_REDIS") == "1" {
		t.Fatal(msg + "; EMBER_REQUIRE_REDIS=1 forbids skipping")
	}
	t.Skip(msg)
	return ""
}

// startRedis runs a throwaway redis-server 7 and returns its address. It
// is killed when the test ends.
func startRedis(t testing.TB) string {
	t.Helper()
	bin := redisBinary(t)
	var lastErr error
	for try := 0; try < 3; try++ {
		addr, err := tryStartRedis(t, bin)
		if err == nil {
			checkRedisVersion(t, addr)
			return addr
		}
		lastErr = err
	}
	t.Fatalf("starting redis-server: %v", lastErr)
	return ""
}

func tryStartRedis(t testing.TB, bin string) (string, error) {
	port := harness.FreePorts(t, 1)[0]
	dir := t.TempDir()
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no",
		"--logfile", dir+"/redis.log")
	if err := cmd.Start(); err != nil {
		return "", err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		_ = cmd.Process.Kill()
		<-exited
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			log, _ := os.ReadFile(dir + "/redis.log")
			return "", fmt.Errorf("redis-server exited: %v\n%s", err, log)
		default:
		}
		if harness.Ping(addr) {
			t.Cleanup(stop)
			return addr, nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	return "", errors.New("redis-server did not answer PING within 10s")
}

// checkRedisVersion insists on Redis 7: the replies compared are 7.0's.
func checkRedisVersion(t testing.TB, addr string) {
	t.Helper()
	c := dial(t, addr, "redis")
	defer c.close()
	v, err := c.do("INFO", "server")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(v.Str, "\r\n") {
		if ver, ok := strings.CutPrefix(line, "redis_version:"); ok {
			if !strings.HasPrefix(ver, "7.") {
				t.Fatalf("redis-server is %s; the differential tests need Redis 7", ver)
			}
			return
		}
	}
	t.Fatalf("no redis_version in INFO server: %q", v.Str)
}

// startEmber starts an ember-node process serving the unreplicated
// in-memory keyspace (--store memory): the binary operators run, with its
// own defaults, and the command code of the replicated store without
// Raft's round trips. It is killed when the test ends, if not before.
func startEmber(t testing.TB) *harness.Node {
	t.Helper()
	return harness.StartNode(t, harness.Config{Name: "ember", Flags: []string{"--store", "memory", "--log-level", "warn"}})
}

// conn is a raw RESP client named for its server: it keeps each reply's
// type byte, so replies compare exactly, and sends apart from receiving,
// so a pair's two round trips overlap.
type conn struct {
	name string
	*harness.Client
}

func dial(t testing.TB, addr, name string) *conn {
	t.Helper()
	c, err := harness.Dial(addr)
	if err != nil {
		t.Fatalf("dial %s %s: %v", name, addr, err)
	}
	c.Timeout = replyTimeout
	return &conn{name: name, Client: c}
}

func (c *conn) close() { _ = c.Close() }

func (c *conn) send(args []string) error {
	if err := c.Send(args...); err != nil {
		return fmt.Errorf("%s: write: %w", c.name, err)
	}
	return nil
}

func (c *conn) recv() (resp.Value, error) {
	v, err := c.Receive()
	if err != nil {
		return v, fmt.Errorf("%s: read: %w", c.name, err)
	}
	return v, nil
}

func (c *conn) do(args ...string) (resp.Value, error) {
	if err := c.send(args); err != nil {
		return resp.Value{}, err
	}
	return c.recv()
}

// pair is one connection to each server, in the same protocol version.
type pair struct {
	e, r  *conn
	proto int
}

func dialPair(t testing.TB, eAddr, rAddr string, proto int) *pair {
	t.Helper()
	p := &pair{e: dial(t, eAddr, "ember"), r: dial(t, rAddr, "redis"), proto: proto}
	if proto == 3 {
		ev, rv, err := p.do([]string{"HELLO", "3"})
		if err != nil {
			t.Fatal(err)
		}
		if !equal(helloSansID(ev), helloSansID(rv)) {
			t.Errorf("HELLO 3 differs (ignoring id):\nember: %s\nredis: %s", ev, rv)
		}
	}
	return p
}

// do sends args to both servers, then reads both replies, so the two
// round trips overlap.
func (p *pair) do(args []string) (ev, rv resp.Value, err error) {
	if err = p.e.send(args); err != nil {
		return
	}
	if err = p.r.send(args); err != nil {
		return
	}
	if ev, err = p.e.recv(); err != nil {
		return
	}
	rv, err = p.r.recv()
	return
}

func (p *pair) close() {
	p.e.close()
	p.r.close()
}

// helloSansID drops the connection id, which differs by design, from a
// HELLO reply.
func helloSansID(v resp.Value) resp.Value {
	if v.Type != '%' && v.Type != '*' {
		return v
	}
	out := v
	out.Elems = nil
	for i := 0; i+1 < len(v.Elems); i += 2 {
		if v.Elems[i].Str == "id" {
			continue
		}
		out.Elems = append(out.Elems, v.Elems[i], v.Elems[i+1])
	}
	return out
}
