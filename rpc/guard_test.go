package rpc

import (
	"bytes"
	"testing"

	"github.com/tidwall/redcon"
)

// parseAll runs redcon's parser over b to the end, as a connection would.
func parseAll(t *testing.T, b []byte) (cmds int) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("redcon panicked on guarded input %q: %v", b, r)
		}
	}()
	rd := redcon.NewReader(bytes.NewReader(b))
	for {
		c, err := rd.ReadCommands()
		if err != nil {
			return cmds
		}
		cmds += len(c)
	}
}

func TestGuardSplitsAnywhere(t *testing.T) {
	t.Parallel()
	stream := []byte("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\nPING\r\n*1\r\n$4\r\nPING\r\n")
	for cut := range len(stream) {
		g := guardConn{maxBulk: 1 << 20, maxQuery: 1 << 20}
		if n := g.scan(stream[:cut]); n != cut {
			t.Fatalf("cut %d: accepted %d", cut, n)
		}
		if n := g.scan(stream[cut:]); n != len(stream)-cut || g.failed != "" {
			t.Fatalf("cut %d: rest accepted %d, failed %q", cut, n, g.failed)
		}
		if g.st != gStart {
			t.Fatalf("cut %d: stream ends mid-command (state %d)", cut, g.st)
		}
	}
}

func TestGuardQueryLimit(t *testing.T) {
	t.Parallel()
	g := guardConn{maxBulk: 1 << 20, maxQuery: 100}
	in := []byte("*2\r\n$3\r\nGET\r\n$200\r\n")
	in = append(in, bytes.Repeat([]byte("x"), 200)...)
	if n := g.scan(in); n == len(in) || g.failed != "client query buffer limit exceeded" {
		t.Fatalf("accepted %d of %d, failed %q", n, len(in), g.failed)
	}
}

func FuzzGuard(f *testing.F) {
	for _, s := range []string{
		"*1\r\n$4\r\nPING\r\n", "*1\r\n$9223372036854775806\r\nxx", "*2\r\n$3\r\nGET\r\n$x\r\n",
		"PING\r\n", "*-1\r\n", "*0\r\n", "SET \"a b\" c\r\n", "*1\r\n$-1\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		g := guardConn{maxBulk: 1 << 16, maxQuery: 1 << 18}
		ok := g.scan(b)
		if ok > len(b) {
			t.Fatalf("accepted %d of %d bytes", ok, len(b))
		}
		// Whatever the guard lets through, redcon must parse without
		// panicking (it panics on lengths near 2^63 unguarded).
		parseAll(t, b[:ok])
	})
}
