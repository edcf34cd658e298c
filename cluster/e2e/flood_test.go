package e2e

import (
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ember-node/ember-node/cmd/ember-node/harness"
)

// Issue 13, item 8: junk from strangers costs a few log lines, not one per
// packet or connection. 5000 junk datagrams and 200 junk streams on the
// gossip port, 300 junk and half-open connections on the cluster port:
// the node logs a bounded number of lines, and still serves. It says once
// that it has no client password.
func TestJunkFloodLogsFewLines(t *testing.T) {
	t.Parallel()
	node := harness.StartNode(t, harness.Config{Name: "n1", Flags: defaultOpts.flags()})
	if n := strings.Count(node.Log(), "no client password"); n != 1 {
		t.Errorf("the node said %d times that it has no client password", n)
	}
	time.Sleep(500 * time.Millisecond)
	before := strings.Count(node.Log(), "\n")
	gossip := "127.0.0.1:" + strconv.Itoa(node.Ports[2])
	cport := "127.0.0.1:" + strconv.Itoa(node.Ports[1])

	u, err := net.Dial("udp", gossip)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5000 {
		u.Write([]byte("junk datagram " + strconv.Itoa(i)))
	}
	u.Close()
	junk := [][]byte{[]byte("junk stream junk stream"), nil, append([]byte("EMBR\x01\x02\x00\x00\x00\x00"), make([]byte, 32)...)}
	var wg sync.WaitGroup
	for i := range 500 {
		addr := cport
		if i < 200 {
			addr = gossip
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
				c.Write(junk[i%len(junk)]) // nil: half-open, closed at once
				c.Close()
			}
		}()
	}
	wg.Wait()
	time.Sleep(2 * time.Second)
	lines := strings.Split(node.Log(), "\n")[before:]
	if len(lines) > 20 {
		t.Fatalf("5700 junk packets and connections made %d log lines:\n%s", len(lines), strings.Join(lines[:40], "\n"))
	}
	t.Logf("%d log lines:\n%s", len(lines), strings.Join(lines, "\n"))
	if !harness.Ping(node.Addr) {
		t.Fatal("the node stopped serving")
	}
}
