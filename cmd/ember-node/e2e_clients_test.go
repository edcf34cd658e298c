package main

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ember-node/ember-node/cmd/ember-node/harness"
)

// rssMB reads a process's resident set from /proc, in MB.
func rssMB(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "VmRSS:" {
			kb, _ := strconv.Atoi(f[1])
			return kb >> 10
		}
	}
	t.Fatal("no VmRSS")
	return 0
}

// One command killed a node: SRANDMEMBER key -9223372036854775807 built
// its reply until the kernel's OOM killer ended the process (issue 13,
// item 3), and the same inside MULTI was built on every replica. Now the
// connection is closed at its output limit, the transaction's reply is
// refused at 256 MB, and the node stays up and small.
func TestE2ERandomMemberCountIsBounded(t *testing.T) {
	t.Parallel()
	n := harness.StartNode(t, harness.Config{Flags: []string{"--shards", "1", "--fsync", "no", "--log-level", "warn"}})
	admin := harness.MustDial(t, n.Addr)
	admin.Expect(t, `:3`, "SADD", "s", "a", "b", "c")
	admin.Expect(t, `+"OK"`, "CONFIG", "SET", "client-output-buffer-limit", "normal 32mb 0 0")

	c := harness.MustDial(t, n.Addr)
	c.Timeout = 60 * time.Second
	if v, err := c.Do("SRANDMEMBER", "s", "-9223372036854775807"); err == nil {
		t.Fatalf("SRANDMEMBER -huge answered %c (%d elements); want the connection closed", v.Type, len(v.Elems))
	}
	tx := harness.MustDial(t, n.Addr)
	tx.Timeout = 120 * time.Second
	got, err := tx.Pipeline([][]string{{"MULTI"}, {"SRANDMEMBER", "s", "-9223372036854775807"}, {"EXEC"}})
	if err != nil {
		t.Fatal(err)
	}
	if exec := got[2]; exec.Type != '-' || !strings.Contains(exec.Str, "reply exceeds") {
		t.Errorf("EXEC of SRANDMEMBER -huge: %s", exec.String())
	}
	admin.Expect(t, `:3`, "SCARD", "s")
	if mb := rssMB(t, n.Pid()); mb > 1500 && !harness.Race { // -race multiplies memory
		t.Errorf("node RSS %d MB after bounded replies", mb)
	}
}

// The attack of issue 13, item 4, on a real process at the default
// configuration: a client pipelines GETs of a 1 MB value and never reads.
// The node held ~390 MB per such connection; now it holds about one reply.
func TestE2EPipelinedGETsNeverReadStayBounded(t *testing.T) {
	t.Parallel()
	n := harness.StartNode(t, harness.Config{Flags: []string{"--store", "memory", "--log-level", "warn"}})
	admin := harness.MustDial(t, n.Addr)
	admin.Expect(t, `+"OK"`, "SET", "big", strings.Repeat("v", 1<<20))
	base := rssMB(t, n.Pid())
	attackers := make([]*harness.Client, 3)
	for i := range attackers {
		attackers[i] = harness.MustDial(t, n.Addr)
		for range 400 {
			if err := attackers[i].Send("GET", "big"); err != nil {
				t.Fatal(err)
			}
		}
	}
	peak := base
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		peak = max(peak, rssMB(t, n.Pid()))
	}
	if peak-base > 200 {
		t.Errorf("RSS grew from %d MB to %d MB for 3 clients that never read", base, peak)
	}
	if !harness.Ping(n.Addr) {
		t.Error("node no longer answers")
	}
}

// startAuthed starts a node that requires a password and waits until it
// answers AUTH.
func startAuthed(t *testing.T, cfg harness.Config, pass string) *harness.Node {
	t.Helper()
	n := harness.NewNode(t, cfg)
	n.Start()
	for end := time.Now().Add(harness.StartTimeout); ; time.Sleep(50 * time.Millisecond) {
		if c, err := harness.Dial(n.Addr); err == nil {
			v, err := c.Do("AUTH", pass)
			c.Close()
			if err == nil && v.Type == '+' {
				return n
			}
		}
		if !n.Running() || time.Now().After(end) {
			t.Fatalf("node not serving with its password")
		}
	}
}

// Passwords on the command line showed in ps (issue 13, item 6): the
// node now rewrites its argv area as redis-server does, and
// --requirepass-file (or EMBER_REQUIREPASS_FILE) keeps it off the command
// line altogether.
func TestE2ESecretsHiddenFromProcessList(t *testing.T) {
	t.Parallel()
	const secret = "s3cret-Pa55word-for-ps"
	file := t.TempDir() + "/pass"
	if err := os.WriteFile(file, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		cfg  harness.Config
	}{
		{"flag", harness.Config{Flags: []string{"--store", "memory", "--requirepass", secret, "--cluster-secret=" + secret}}},
		{"file flag", harness.Config{Flags: []string{"--store", "memory", "--requirepass-file", file}}},
		{"file env", harness.Config{Flags: []string{"--store", "memory"}, Env: []string{"EMBER_REQUIREPASS_FILE=" + file}}},
	}
	for _, c := range cases {
		n := startAuthed(t, c.cfg, secret)
		b, err := os.ReadFile("/proc/" + strconv.Itoa(n.Pid()) + "/cmdline")
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), secret) || !strings.Contains(string(b), "serve") {
			t.Errorf("%s: /proc/PID/cmdline %q", c.name, b)
		}
		cl := harness.MustDial(t, n.Addr)
		cl.Expect(t, `-"NOAUTH Authentication required."`, "GET", "k")
		n.Kill()
	}
}

// Under a low open files limit, idle clients made new ones hang with no
// reply (issue 13, item 5). maxclients now fits the limit, and the client
// past it is told so at once.
func TestE2EMaxClientsAnswersExtraClient(t *testing.T) {
	t.Parallel()
	n := harness.StartNode(t, harness.Config{Flags: []string{"--store", "memory", "--maxclients", "3"},
		Wrap: []string{"prlimit", "--nofile=256:256"}})
	var idle []*harness.Client
	for len(idle) < 3 { // the harness's own PING connection may not be gone yet
		c := harness.MustDial(t, n.Addr)
		if v, err := c.Do("PING"); err == nil && v.Str == "PONG" {
			idle = append(idle, c)
		}
	}
	idle[0].Expect(t, `*[$"maxclients" $"3"]`, "CONFIG", "GET", "maxclients")
	extra := harness.MustDial(t, n.Addr)
	extra.Timeout = 30 * time.Second
	v, err := extra.Do("PING")
	if err != nil || v.Type != '-' || v.Str != "ERR max number of clients reached" {
		t.Errorf("extra client: %c%s, %v", v.Type, v.Str, err)
	}
}
