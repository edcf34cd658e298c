package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/ember-node/ember-node/cmd/ember-node/harness"
)

// Issue 13 (--tls-cluster): a cluster whose cluster port runs over mutual
// TLS forms, replicates and serves; a node that knows the secret but holds
// a certificate of another CA cannot join, and says why.
func TestClusterOverTLS(t *testing.T) {
	t.Parallel()
	certs := harness.MakeCerts(t, "cluster")
	flags := append(defaultOpts.flags(), certs.TLSFlags()...)
	nodes := harness.StartCluster(t, 2, flags...)
	waitStatus(t, nodes[0].Addr, time.Minute, "replicated on both nodes", balanced(2))
	cl := newClient(nodes[0].Addr)
	defer cl.Close()
	if err := cl.Set(t.Context(), "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}

	// The port speaks TLS: a plain hello gets no challenge (48 bytes)
	// back, at most a TLS alert.
	if rep := rawExchange(t, nodes[0].Ports[1], append([]byte("EMBR\x02\x01\x00\x00\x00\x00"), make([]byte, 16)...)); len(rep) == 48 || len(rep) > 0 && rep[0] != 0x15 {
		t.Fatalf("a plain hello got %q", rep)
	}

	rogue := harness.MakeCerts(t, "rogue")
	joiner := harness.NewNode(t, harness.Config{Name: "rogue",
		Flags: append(nodes[0].JoinFlags(append(defaultOpts.flags(), rogue.TLSFlags()...)), "--join", nodes[0].Seed())})
	joiner.Start()
	if code, served := joiner.WaitExit(30 * time.Second); code == 0 || served {
		t.Errorf("a joiner with another CA's certificate exited %d (served %v)", code, served)
	}
	if !strings.Contains(joiner.Log(), "TLS with the cluster to join failed") {
		t.Errorf("the joiner does not say TLS failed:\n%s", joiner.Tail(10))
	}
	if st := statusJSON(t, nodes[0].Addr); len(st.Nodes) != 2 {
		t.Fatalf("the cluster counts %d members", len(st.Nodes))
	}
}
