package harness

import (
	"os"
	"testing"
	"time"
)

func TestMain(m *testing.M) { os.Exit(Main(m, Race)) }

// The faults no e2e test uses yet do what they say: a paused node does
// not answer and answers again once resumed, a restart keeps its address,
// and SIGTERM stops it with exit code 0.
func TestFaults(t *testing.T) {
	n := StartNode(t, Config{Flags: []string{"--store", "memory", "--log-level", "warn"}})
	MustDial(t, n.Addr).Expect(t, `+"OK"`, "SET", "k", "v")
	n.Pause()
	if Ping(n.Addr) {
		t.Fatal("a paused node answered PING")
	}
	n.Resume()
	n.WaitServing(10 * time.Second)
	n.Restart(StartTimeout)
	MustDial(t, n.Addr).Expect(t, "$nil", "GET", "k") // nothing on disk with --store memory
	if code := n.Term(30 * time.Second); code != 0 || n.Running() {
		t.Fatalf("SIGTERM: exit code %d, running %v", code, n.Running())
	}
}
