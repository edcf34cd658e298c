package main

import (
	"strings"
	"testing"
	"time"

	"github.com/ember-node/ember-node/cmd/ember-node/harness"
)

// The last node of a cluster cannot leave it: nobody could take its
// shards. CLUSTER EMBER-LEAVE is refused (it was accepted, and the node
// then stopped serving nothing but could never finish), and `ember-node
// leave` says so and exits non-zero, also when the node was already told
// to leave (it panicked with a nil pointer then).
func TestE2ELeaveRefusedOnLastNode(t *testing.T) {
	t.Parallel()
	n := harness.StartNode(t, harness.Config{Flags: []string{"--log-level", "warn"}})
	c := harness.MustDial(t, n.Addr)
	v, err := c.Do("CLUSTER", "EMBER-LEAVE")
	if err != nil {
		t.Fatal(err)
	}
	if v.Type != '-' || !strings.Contains(v.Str, "last serving node") {
		t.Errorf("CLUSTER EMBER-LEAVE on the last node: %c%s", v.Type, v.Str)
	}
	out, err := harness.Ops(t, 20*time.Second, "leave", "--node", n.Addr)
	if err == nil || !strings.Contains(out, "last serving node") || strings.Contains(out, "panic") {
		t.Errorf("ember-node leave on the last node: %v\n%s", err, out)
	}
	c.Expect(t, `+"OK"`, "SET", "k", "v") // still serving
}
