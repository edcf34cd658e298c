package main

// End-to-end tests: the real binary as a subprocess, on loopback ports it
// did not choose, with a data dir of its own, killed and restarted the way
// an operator (or the kernel) would. The harness is here; the durability
// properties are in e2e_crash_test.go and e2e_corrupt_test.go.

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ember-node/ember-node/rpc/resp"
)

// nodeBin is the ember-node binary built once by TestMain.
var nodeBin string

func TestMain(m *testing.M) { os.Exit(runTests(m)) }

// runTests builds the binary (with -race when the tests run with it, so a
// data race inside the server shows up in its log) and runs the tests.
func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "ember-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	nodeBin = filepath.Join(dir, "ember-node")
	args := []string{"build", "-o", nodeBin}
	if raceEnabled {
		args = append(args, "-race")
	}
	// go test puts its own GOROOT/bin first on PATH.
	if out, err := exec.Command("go", append(args, ".")...).CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: go build: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// node is one ember-node process that can be stopped and started again on
// the same ports and data dir.
type node struct {
	t     *testing.T
	dir   string
	ports [3]int // client, cluster, gossip
	flags []string
	log   *logBuf

	cmd    *exec.Cmd
	exited chan struct{} // closed when cmd has been waited for
}

func newNode(t *testing.T, dir string, flags ...string) *node {
	t.Helper()
	n := &node{t: t, dir: dir, flags: flags, log: &logBuf{}}
	n.ports = freePorts(t)
	t.Cleanup(func() {
		n.kill()
		if t.Failed() {
			t.Logf("node log (%s):\n%s", dir, n.log.tail(6000))
		}
		if strings.Contains(n.log.String(), "DATA RACE") {
			t.Errorf("the node reported a data race:\n%s", n.log.tail(6000))
		}
	})
	return n
}

func (n *node) addr() string { return "127.0.0.1:" + strconv.Itoa(n.ports[0]) }

// start launches the process; it does not wait for it to serve.
func (n *node) start() {
	n.t.Helper()
	args := []string{"serve", "--bind", "127.0.0.1",
		"--port", strconv.Itoa(n.ports[0]), "--cluster-port", strconv.Itoa(n.ports[1]),
		"--gossip-port", strconv.Itoa(n.ports[2]), "--data-dir", n.dir}
	n.cmd = exec.Command(nodeBin, append(args, n.flags...)...)
	n.cmd.Stdout, n.cmd.Stderr = n.log, n.log
	fmt.Fprintf(n.log, "--- start %s\n", strings.Join(n.cmd.Args[1:], " "))
	if err := n.cmd.Start(); err != nil {
		n.t.Fatalf("start ember-node: %v", err)
	}
	n.exited = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) {
		cmd.Wait()
		close(done)
	}(n.cmd, n.exited)
}

// running reports whether the process has not exited yet.
func (n *node) running() bool {
	if n.cmd == nil {
		return false
	}
	select {
	case <-n.exited:
		return false
	default:
		return true
	}
}

// waitServing waits until the node answers PING, failing the test if the
// process exits first or takes longer than timeout.
func (n *node) waitServing(timeout time.Duration) {
	n.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if !n.running() {
			n.t.Fatalf("ember-node exited (%v) instead of serving", n.cmd.ProcessState)
		}
		if ping(n.addr()) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	n.t.Fatalf("ember-node not serving after %s", timeout)
}

// waitExit waits for a process that should refuse to start. It returns
// its exit code and whether it ever answered PING meanwhile.
func (n *node) waitExit(timeout time.Duration) (code int, served bool) {
	n.t.Helper()
	deadline := time.After(timeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-n.exited:
			return n.cmd.ProcessState.ExitCode(), served
		case <-deadline:
			n.t.Fatalf("ember-node still running after %s (served=%v)", timeout, served)
		case <-tick.C:
			served = served || ping(n.addr())
		}
	}
}

// kill sends SIGKILL: no shutdown code runs, as in a crash.
func (n *node) kill() {
	if n.running() {
		n.cmd.Process.Signal(syscall.SIGKILL)
		<-n.exited
		fmt.Fprintln(n.log, "--- killed")
	}
}

// term sends SIGTERM and returns the exit code of a graceful stop.
func (n *node) term(timeout time.Duration) int {
	n.t.Helper()
	n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.exited:
		return n.cmd.ProcessState.ExitCode()
	case <-time.After(timeout):
		n.kill()
		n.t.Fatalf("ember-node did not stop within %s of SIGTERM", timeout)
		return -1
	}
}

// freePorts picks distinct free loopback ports: they stay the node's for
// the test, so a restart finds the cluster address its Raft state names.
func freePorts(t *testing.T) (ports [3]int) {
	t.Helper()
	var lns []net.Listener
	for i := range ports {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lns = append(lns, ln)
		ports[i] = ln.Addr().(*net.TCPAddr).Port
	}
	for _, ln := range lns {
		ln.Close()
	}
	return ports
}

func ping(addr string) bool {
	c, err := dial(addr)
	if err != nil {
		return false
	}
	defer c.Close()
	c.timeout = 500 * time.Millisecond
	v, err := c.do("PING")
	return err == nil && v.Type == '+' && v.Str == "PONG"
}

// logBuf collects a process's output; the process writes from its own
// goroutines while the test reads.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *logBuf) tail(n int) string {
	s := l.String()
	if len(s) > n {
		s = "..." + s[len(s)-n:]
	}
	return s
}

// client is a minimal RESP client: one connection, one command or one
// pipeline at a time.
type client struct {
	net.Conn
	r       *bufio.Reader
	buf     []byte
	timeout time.Duration
}

func dial(addr string) (*client, error) {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return nil, err
	}
	return &client{Conn: c, r: bufio.NewReader(c), timeout: 10 * time.Second}, nil
}

func mustDial(t *testing.T, addr string) *client {
	t.Helper()
	c, err := dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func (c *client) do(args ...string) (resp.Value, error) {
	vs, err := c.pipeline([][]string{args})
	if err != nil {
		return resp.Value{}, err
	}
	return vs[0], nil
}

// pipeline sends every command, then reads every reply.
func (c *client) pipeline(cmds [][]string) ([]resp.Value, error) {
	c.SetDeadline(time.Now().Add(c.timeout))
	c.buf = c.buf[:0]
	argv := make([][]byte, 0, 8)
	for _, cmd := range cmds {
		argv = argv[:0]
		for _, a := range cmd {
			argv = append(argv, []byte(a))
		}
		c.buf = resp.AppendCommand(c.buf, argv...)
	}
	if _, err := c.Write(c.buf); err != nil {
		return nil, err
	}
	out := make([]resp.Value, len(cmds))
	for i := range out {
		v, err := resp.ReadValue(c.r)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// expect runs one command and checks its reply's rendering.
func (c *client) expect(t *testing.T, want string, args ...string) {
	t.Helper()
	v, err := c.do(args...)
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	if got := v.String(); got != want {
		t.Fatalf("%v = %s, want %s", args, got, want)
	}
}

// mustPipeline runs cmds and fails on a transport error or an error reply.
func (c *client) mustPipeline(t *testing.T, cmds [][]string) []resp.Value {
	t.Helper()
	vs, err := c.pipeline(cmds)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vs {
		if v.Type == '-' {
			t.Fatalf("%v: %s", cmds[i], v)
		}
	}
	return vs
}
