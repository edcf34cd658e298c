package harness

import (
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
	"testing"
)

// Ports are drawn from [portLow, portHigh): below Linux's ephemeral range
// (32768-60999), so the kernel does not hand a port picked here to an
// outgoing connection (of a client, or of Raft between nodes) before the
// node binds it, which happens with port 0; and above the ports the
// scripts and a local redis use (6379, 7001-7204).
const (
	portLow  = 20000
	portHigh = 32768
)

// given holds every port this test binary handed out, so two nodes never
// get the same one even before either has bound it.
var given struct {
	sync.Mutex
	ports map[int]bool
}

// FreePorts returns n distinct loopback ports that are free for TCP and
// UDP (the gossip port uses both) now. Another process may still take one
// before the node binds it: StartNode then starts again on other ports.
func FreePorts(t testing.TB, n int) []int {
	t.Helper()
	given.Lock()
	defer given.Unlock()
	if given.ports == nil {
		given.ports = map[int]bool{}
	}
	var out []int
	for tries := 0; len(out) < n; tries++ {
		if tries > 10000 {
			t.Fatalf("harness: no free port in [%d, %d)", portLow, portHigh)
		}
		p := portLow + rand.IntN(portHigh-portLow)
		if !given.ports[p] && portFree(p) {
			given.ports[p] = true
			out = append(out, p)
		}
	}
	return out
}

// portFree reports whether TCP and UDP port p can be bound on loopback.
func portFree(p int) bool {
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(p))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return false
	}
	defer ln.Close()
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		return false
	}
	pc.Close()
	return true
}
