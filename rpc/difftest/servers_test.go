package difftest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ember-node/ember-node/rpc/resp"
	"github.com/ember-node/ember-node/rpc/server"
	"github.com/ember-node/ember-node/shard/command"
	"github.com/ember-node/ember-node/shard/local"
)

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

// freePort asks the kernel for an unused loopback port. Another process
// may take it before redis binds it: startRedis retries.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
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
	port := freePort(t)
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
		if pingOK(addr) {
			t.Cleanup(stop)
			return addr, nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	return "", errors.New("redis-server did not answer PING within 10s")
}

func pingOK(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return false
	}
	v, err := resp.ReadValue(bufio.NewReader(c))
	return err == nil && v.Type == '+' && v.Str == "PONG"
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

// ember is an in-process ember-node serving over real TCP.
type ember struct {
	srv   *server.Server
	store *local.Store
	addr  string
	done  chan struct{}
}

// startEmber serves a fresh single-node ember-node; it stops when the
// test ends, if not before.
func startEmber(t testing.TB) *ember {
	t.Helper()
	cfg := server.DefaultConfig()
	cfg.Addr = "127.0.0.1:0"
	table := command.NewTable()
	store := local.New(table)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := server.NewServer(cfg, store, table, logger)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := srv.Listen()
	if err != nil {
		t.Fatal(err)
	}
	e := &ember{srv: srv, store: store, addr: ln.Addr().String(), done: make(chan struct{})}
	go func() {
		defer close(e.done)
		_ = srv.Serve(ln)
	}()
	t.Cleanup(func() { e.stop(t) })
	return e
}

func (e *ember) stop(t testing.TB) {
	_ = e.srv.Close()
	select {
	case <-e.done:
	case <-time.After(5 * time.Second):
		t.Error("ember-node Serve did not return after Close")
	}
}

// conn is a raw RESP client: it writes argv as a RESP array and reads one
// reply, keeping the type byte, so replies compare exactly.
type conn struct {
	name string
	c    net.Conn
	r    *bufio.Reader
	out  []byte
}

func dial(t testing.TB, addr, name string) *conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s %s: %v", name, addr, err)
	}
	return &conn{name: name, c: c, r: bufio.NewReader(c)}
}

func (c *conn) close() { _ = c.c.Close() }

func (c *conn) send(args []string) error {
	c.out = c.out[:0]
	c.out = appendCommand(c.out, args)
	_ = c.c.SetWriteDeadline(time.Now().Add(replyTimeout))
	_, err := c.c.Write(c.out)
	if err != nil {
		return fmt.Errorf("%s: write: %w", c.name, err)
	}
	return nil
}

func (c *conn) recv() (resp.Value, error) {
	_ = c.c.SetReadDeadline(time.Now().Add(replyTimeout))
	v, err := resp.ReadValue(c.r)
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

func appendCommand(b []byte, args []string) []byte {
	argv := make([][]byte, len(args))
	for i, a := range args {
		argv[i] = []byte(a)
	}
	return resp.AppendCommand(b, argv...)
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
