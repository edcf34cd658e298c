package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// bin is the ember-node binary TestMain builds once for every test.
var bin string

func TestMain(m *testing.M) {
	// go-redis logs every failed dial to a killed node; the tests count
	// client errors themselves.
	redis.SetLogger(quietLogger{})
	dir, err := os.MkdirTemp("", "ember-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "ember-node")
	build := exec.Command("go", "build", "-o", bin, "github.com/ember-node/ember-node/cmd/ember-node")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: building ember-node:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...interface{}) {}

// node is one ember-node process the test started.
type node struct {
	t       testing.TB
	name    string
	addr    string // client address
	dir     string // data dir
	logPath string
	args    []string
	cmd     *exec.Cmd
	exited  chan struct{}
	exitErr error
}

// nodeOpts are the settings of a test node.
type nodeOpts struct {
	shards, replicas int
	join             string // client address of a running node, or ""
	deadGrace        time.Duration
}

var defaultOpts = nodeOpts{shards: 4, replicas: 3, deadGrace: 60 * time.Second}

// freePorts returns n distinct ports free for TCP and UDP on loopback
// (the gossip port uses both), holding them until all are found.
func freePorts(t testing.TB, n int) []int {
	t.Helper()
	var out []int
	var closers []func()
	defer func() {
		for _, c := range closers {
			c()
		}
	}()
	for len(out) < n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		closers = append(closers, func() { ln.Close() })
		port := ln.Addr().(*net.TCPAddr).Port
		pc, err := net.ListenPacket("udp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			continue
		}
		closers = append(closers, func() { pc.Close() })
		out = append(out, port)
	}
	return out
}

// startNode starts a node with fresh ports and data dir; it is killed
// when the test ends, if still running. Ports are free when picked, but
// other processes on the machine may take one before the node binds it:
// then it starts again on other ports.
func startNode(t testing.TB, name string, o nodeOpts) *node {
	t.Helper()
	for try := 1; ; try++ {
		n := newNode(t, name, o)
		n.start()
		t.Cleanup(func() {
			n.kill(syscall.SIGKILL)
			if t.Failed() {
				n.dumpLog(40)
			}
		})
		err := n.serving(60 * time.Second)
		if err == nil {
			return n
		}
		log, _ := os.ReadFile(n.logPath)
		if try < 3 && !n.running() && strings.Contains(string(log), "address already in use") {
			continue
		}
		n.dumpLog(40)
		t.Fatal(err)
	}
}

func newNode(t testing.TB, name string, o nodeOpts) *node {
	p := freePorts(t, 3)
	n := &node{t: t, name: name, addr: "127.0.0.1:" + strconv.Itoa(p[0]), dir: t.TempDir()}
	n.logPath = filepath.Join(t.TempDir(), name+".log")
	n.args = []string{
		"--port", strconv.Itoa(p[0]), "--cluster-port", strconv.Itoa(p[1]), "--gossip-port", strconv.Itoa(p[2]),
		"--data-dir", n.dir, "--shards", strconv.Itoa(o.shards), "--replicas", strconv.Itoa(o.replicas),
		"--fsync", "no", "--dead-grace", o.deadGrace.String(), "--log-level", "info",
	}
	if o.join != "" {
		n.args = append(n.args, "--join", o.join)
	}
	return n
}

// start runs the process (again, after a kill: same ports and data dir).
func (n *node) start() {
	n.t.Helper()
	f, err := os.OpenFile(n.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		n.t.Fatal(err)
	}
	n.cmd = exec.Command(bin, n.args...)
	n.cmd.Stdout, n.cmd.Stderr = f, f
	if err := n.cmd.Start(); err != nil {
		f.Close()
		n.t.Fatal(err)
	}
	n.exited = make(chan struct{})
	go func() {
		n.exitErr = n.cmd.Wait()
		f.Close()
		close(n.exited)
	}()
}

// waitServing waits until the node answers PING, or fails the test.
func (n *node) waitServing(timeout time.Duration) {
	n.t.Helper()
	if err := n.serving(timeout); err != nil {
		n.dumpLog(40)
		n.t.Fatal(err)
	}
}

// serving waits until the node answers PING.
func (n *node) serving(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		select {
		case <-n.exited:
			return fmt.Errorf("%s exited while starting: %v", n.name, n.exitErr)
		default:
		}
		if c, err := net.DialTimeout("tcp", n.addr, time.Second); err == nil {
			c.SetDeadline(time.Now().Add(time.Second))
			c.Write([]byte("PING\r\n"))
			line, _ := bufio.NewReader(c).ReadString('\n')
			c.Close()
			if strings.HasPrefix(line, "+PONG") {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not serving after %s", n.name, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill signals the process (only ever our own PID) and waits for it.
func (n *node) kill(sig syscall.Signal) {
	select {
	case <-n.exited:
		return
	default:
	}
	n.cmd.Process.Signal(sig)
	select {
	case <-n.exited:
	case <-time.After(20 * time.Second):
		n.cmd.Process.Kill()
		<-n.exited
	}
}

// waitExit waits for the process to end by itself and returns its error.
func (n *node) waitExit(timeout time.Duration) error {
	select {
	case <-n.exited:
		return n.exitErr
	case <-time.After(timeout):
		return fmt.Errorf("%s still running after %s", n.name, timeout)
	}
}

func (n *node) running() bool {
	select {
	case <-n.exited:
		return false
	default:
		return true
	}
}

func (n *node) dumpLog(lines int) {
	b, _ := os.ReadFile(n.logPath)
	all := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	n.t.Logf("--- last %d log lines of %s (%s):\n%s", len(all), n.name, n.addr, strings.Join(all, "\n"))
}

// ops runs an ember-node subcommand and returns its output.
func ops(t testing.TB, timeout time.Duration, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout+10*time.Second)
	defer cancel()
	args = append(args, "--timeout", timeout.String())
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// mustOps is ops that fails the test on a non-zero exit.
func mustOps(t testing.TB, timeout time.Duration, args ...string) string {
	t.Helper()
	out, err := ops(t, timeout, args...)
	if err != nil {
		t.Fatalf("ember-node %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// startCluster starts n nodes: the first bootstraps, the others join it
// at start; it returns once `ember-node join` says each holds its share.
func startCluster(t *testing.T, n int, o nodeOpts) []*node {
	t.Helper()
	first := startNode(t, "n1", o)
	nodes := []*node{first}
	jo := o
	jo.join = first.addr
	for i := 2; i <= n; i++ {
		nodes = append(nodes, startNode(t, "n"+strconv.Itoa(i), jo))
	}
	for _, nd := range nodes[1:] {
		mustOps(t, time.Minute, "join", "--node", nd.addr, first.addr)
	}
	waitStatus(t, first.addr, time.Minute, "fully replicated with balanced leaders", balanced(min(n, o.replicas)))
	return nodes
}
