package harness

import (
	"crypto/tls"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// StartTimeout is how long StartNode waits for a node to answer PING:
// a node elects every shard's leader before it serves, and 16 elections
// under -race on a busy 2-core machine take tens of seconds.
const StartTimeout = 60 * time.Second

// Config is what a node is started with.
type Config struct {
	// Name names the node in its log file and in failures; default
	// "ember-node".
	Name string
	// Dir is the data dir; default a fresh t.TempDir(). It is the
	// node's across restarts.
	Dir string
	// Flags are serve flags after the harness's own (--bind, the three
	// ports, --data-dir), such as --shards 4 --fsync no, or --store memory.
	Flags []string
	// Env is added to the node's environment (EMBER_...=value).
	Env []string
	// Wrap runs the node under a command that execs it, such as
	// {"prlimit", "--nofile=64"}: the node keeps the wrapper's PID.
	Wrap []string
	// TLS gives the node a TLS client port too (--tls-port, Node.TLSAddr);
	// the certificate flags come in Flags.
	TLS bool
	// TLSClient, when set, is how the harness checks that the node
	// serves: PING on the TLS port (for a node started with --port 0).
	TLSClient *tls.Config
}

// Node is one ember-node process that can be killed, stopped, frozen and
// started again on the same ports and data dir, so that a restart finds
// the cluster address its Raft state names. It is killed when the test
// ends; then, if the test failed, the tail of its log is logged, and a
// data race the node reported (built with -race) fails the test.
type Node struct {
	Name    string
	Addr    string // client address, 127.0.0.1:port
	Dir     string // data dir
	Ports   [3]int // client, cluster, gossip
	TLSAddr string // TLS client address with Config.TLS, 127.0.0.1:port
	LogPath string // output of every run, each after a "--- start ARGS" line

	t      testing.TB
	args   []string
	env    []string
	wrap   []string
	cmd    *exec.Cmd
	exited chan struct{} // closed once cmd has been waited for
	paused bool

	tlsClient *tls.Config
}

// Seed is the node's address as joiners name it: the client address and,
// since the harness picks the cluster port freely, that port after an @.
func (n *Node) Seed() string { return n.Addr + "@" + strconv.Itoa(n.Ports[1]) }

// NewNode prepares a node on fresh ports without starting it.
func NewNode(t testing.TB, cfg Config) *Node {
	t.Helper()
	if cfg.Name == "" {
		cfg.Name = "ember-node"
	}
	if cfg.Dir == "" {
		cfg.Dir = t.TempDir()
	}
	p := FreePorts(t, 3)
	n := &Node{t: t, Name: cfg.Name, Dir: cfg.Dir, Ports: [3]int(p),
		Addr: "127.0.0.1:" + strconv.Itoa(p[0]), LogPath: filepath.Join(t.TempDir(), cfg.Name+".log"),
		env: cfg.Env, wrap: cfg.Wrap, tlsClient: cfg.TLSClient}
	n.args = []string{"serve", "--bind", "127.0.0.1",
		"--port", strconv.Itoa(p[0]), "--cluster-port", strconv.Itoa(p[1]),
		"--gossip-port", strconv.Itoa(p[2]), "--data-dir", n.Dir}
	if cfg.TLS {
		tp := FreePorts(t, 1)[0]
		n.TLSAddr = "127.0.0.1:" + strconv.Itoa(tp)
		n.args = append(n.args, "--tls-port", strconv.Itoa(tp))
	}
	n.args = append(n.args, cfg.Flags...)
	t.Cleanup(n.cleanup)
	return n
}

// StartNode starts a node and waits until it serves, or fails the test.
// Ports are free when picked, but another process may bind one first:
// with a data dir of its own (cfg.Dir empty) the node then starts again
// on other ports. A given data dir is not retried, since its Raft state
// may already name the ports of the failed attempt.
func StartNode(t testing.TB, cfg Config) *Node {
	t.Helper()
	for try := 1; ; try++ {
		n := NewNode(t, cfg)
		n.Start()
		err := n.Serving(StartTimeout)
		if err == nil {
			return n
		}
		if try < 3 && cfg.Dir == "" && !n.Running() && strings.Contains(n.Log(), "address already in use") {
			continue
		}
		n.t.Fatal(err) // the cleanup logs the tail of its log
	}
}

// Start runs the process (again, after it stopped: same ports, data dir
// and flags). It does not wait for it to serve.
func (n *Node) Start() {
	n.t.Helper()
	if n.Running() {
		n.t.Fatalf("harness: %s is already running", n.Name)
	}
	bin := Binary(n.t)
	f, err := os.OpenFile(n.LogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		n.t.Fatal(err)
	}
	fmt.Fprintf(f, "--- start %s\n", strings.Join(n.args, " "))
	argv := append(append(append([]string(nil), n.wrap...), bin), n.args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	if len(n.env) > 0 {
		cmd.Env = append(os.Environ(), n.env...)
	}
	cmd.Stdout, cmd.Stderr = f, f // an *os.File: the child writes it directly
	if err := cmd.Start(); err != nil {
		f.Close()
		n.t.Fatalf("harness: start %s: %v", n.Name, err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		f.Close()
		close(exited)
	}()
	n.cmd, n.exited, n.paused = cmd, exited, false
}

// Restart kills the process if it runs (SIGKILL, as in a crash), starts
// it again and waits until it serves.
func (n *Node) Restart(timeout time.Duration) {
	n.t.Helper()
	n.Kill()
	n.Start()
	n.WaitServing(timeout)
}

// Running reports whether the process was started and has not exited.
func (n *Node) Running() bool {
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

// Pid is the process ID of the running node, 0 when it does not run.
func (n *Node) Pid() int {
	if !n.Running() {
		return 0
	}
	return n.cmd.Process.Pid
}

// ExitCode is the exit code of the last run; -1 while it runs, or after a
// signal ended it.
func (n *Node) ExitCode() int {
	if n.Running() || n.cmd == nil {
		return -1
	}
	return n.cmd.ProcessState.ExitCode()
}

// WaitServing waits until the node answers PING, failing the test if the
// process exits first or timeout passes.
func (n *Node) WaitServing(timeout time.Duration) {
	n.t.Helper()
	if err := n.Serving(timeout); err != nil {
		n.t.Fatal(err) // the cleanup logs the tail of its log
	}
}

// Serving waits until the node answers PING; it returns an error if the
// process exits first or timeout passes.
func (n *Node) Serving(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		if !n.Running() {
			return fmt.Errorf("%s exited (%v) instead of serving", n.Name, n.state())
		}
		if n.ping() {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not serving after %s", n.Name, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// WaitExit waits for the process to end by itself, as a node that leaves
// the cluster or refuses its data dir does. It returns the exit code and
// whether the node answered PING meanwhile; it fails the test after
// timeout.
func (n *Node) WaitExit(timeout time.Duration) (code int, served bool) {
	n.t.Helper()
	deadline := time.After(timeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-n.exited:
			return n.ExitCode(), served
		case <-deadline:
			n.t.Fatalf("%s still running after %s (served=%v)", n.Name, timeout, served)
		case <-tick.C:
			served = served || n.ping()
		}
	}
}

func (n *Node) state() string {
	if n.cmd == nil || n.cmd.ProcessState == nil {
		return "not started"
	}
	return n.cmd.ProcessState.String()
}

// signal sends sig to the process, only ever our own child's PID.
func (n *Node) signal(sig syscall.Signal) {
	if n.Running() {
		n.cmd.Process.Signal(sig)
	}
}

// cleanup ends the process when the test ends and reports on its log.
func (n *Node) cleanup() {
	n.Kill()
	if n.t.Failed() {
		n.t.Logf("--- last log lines of %s (%s, %s):\n%s", n.Name, n.Addr, n.Dir, n.Tail(60))
	}
	if log := n.Log(); strings.Contains(log, "DATA RACE") {
		race := strings.Split(log[strings.Index(log, "DATA RACE"):], "\n")
		n.t.Errorf("%s reported a data race:\n%s", n.Name, strings.Join(race[:min(len(race), 100)], "\n"))
	}
}
