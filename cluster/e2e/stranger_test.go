package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/memberlist"

	"github.com/ember-node/ember-node/cmd/ember-node/harness"
)

// Issue 13, item 1: a process that can reach a node's ports but does not
// know the cluster secret never becomes a member, on loopback too. The
// node runs with the defaults (no secret given: it generates one). The
// stranger tries every door: an ember-node whose hand-written node.json
// names the node's gossip address, an ember-node started with --join, a
// bare gossip join with no key and with a wrong one, and a join-info
// call on the cluster port with the header a node without a secret used
// to send. Afterwards the node still counts one member and the stranger
// holds none of its data.
func TestStrangerNeverBecomesMember(t *testing.T) {
	t.Parallel()
	node := harness.StartNode(t, harness.Config{Name: "n1", Flags: defaultOpts.flags()})
	c := harness.MustDial(t, node.Addr)
	c.Expect(t, `+"OK"`, "SET", "secret-key", "v")
	gossip := "127.0.0.1:" + strconv.Itoa(node.Ports[2])

	// An ember-node that believes it was a member: node.json lists the
	// node's gossip address. Any secret but the right one.
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "node.json"), `{"id":"stranger","shards":4,"peers":["`+gossip+`"]}`)
	stranger := harness.StartNode(t, harness.Config{Name: "stranger", Dir: dir,
		Flags: append(defaultOpts.flags(), "--cluster-secret", "guess")})

	// An ember-node told to --join: it stops at once and says why.
	joiner := harness.NewNode(t, harness.Config{Name: "joiner",
		Flags: append(defaultOpts.flags(), "--cluster-secret", "guess", "--join", node.Seed())})
	joiner.Start()
	if code, served := joiner.WaitExit(30 * time.Second); code == 0 || served {
		t.Errorf("a joiner with a wrong secret exited %d (served %v)", code, served)
	}
	if !strings.Contains(joiner.Log(), "refused this node's cluster secret") {
		t.Errorf("the joiner does not say its secret was refused:\n%s", joiner.Tail(10))
	}

	for _, key := range [][]byte{nil, bytes.Repeat([]byte{7}, 32)} {
		if gossipJoin(t, gossip, key) {
			t.Errorf("a gossip join with key %x was accepted", key)
		}
	}
	if rep := oldJoinInfo(t, node.Ports[1]); len(rep) > 0 {
		t.Errorf("the cluster port answered a version 1 join-info call: %q", rep)
	}

	time.Sleep(6 * time.Second) // a few gossip rounds
	if st := statusJSON(t, node.Addr); len(st.Nodes) != 1 {
		t.Fatalf("the node counts %d members: %+v", len(st.Nodes), st.Nodes)
	}
	if st := statusJSON(t, stranger.Addr); len(st.Nodes) != 1 || len(st.Led) != 0 {
		t.Fatalf("the stranger sees %d members and leads %d shards", len(st.Nodes), len(st.Led))
	}
	if v, err := harness.MustDial(t, stranger.Addr).Do("GET", "secret-key"); err == nil && v.Str == "v" {
		t.Fatal("the stranger served the node's data")
	}
	for _, want := range []string{"failed the cluster secret challenge", "unsupported protocol version 1"} {
		if !strings.Contains(node.Log(), want) {
			t.Errorf("the node did not log a refused connection as %q", want)
		}
	}
}

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// gossipJoin runs a memberlist of its own with key (none if nil) and
// tries to join the node at addr; it reports whether the join succeeded.
func gossipJoin(t *testing.T, addr string, key []byte) bool {
	t.Helper()
	conf := memberlist.DefaultLANConfig()
	conf.Name, conf.BindAddr, conf.BindPort = "gossip-stranger", "127.0.0.1", 0
	conf.SecretKey, conf.LogOutput = key, io.Discard
	ml, err := memberlist.Create(conf)
	if err != nil {
		t.Fatal(err)
	}
	defer ml.Shutdown()
	n, err := ml.Join([]string{addr})
	return err == nil && n > 0
}

// oldJoinInfo asks for join info with the version 1 header a node without
// a secret sent (a zero MAC) and returns whatever came back.
func oldJoinInfo(t *testing.T, cport int) []byte {
	t.Helper()
	h := append([]byte("EMBR"), 1, 2, 0, 0, 0, 0)
	req, _ := json.Marshal(map[string]string{"op": "join-info"})
	return rawExchange(t, cport, append(append(h, make([]byte, 32)...), req...))
}

// rawExchange writes b on a new connection to the cluster port and
// returns whatever comes back before the peer closes it (3 s at most).
func rawExchange(t *testing.T, cport int, b []byte) []byte {
	t.Helper()
	c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(cport))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(3 * time.Second))
	c.Write(b)
	rep, _ := io.ReadAll(c)
	return rep
}
