package server

import (
	"testing"

	"github.com/ember-node/ember-node/rpc/resp"
)

// TestPipelineMixed: one read holding keyed and keyless commands, unknown
// ones, a transaction and QUIT gets every reply in order, and nothing
// after QUIT runs.
func TestPipelineMixed(t *testing.T) {
	t.Parallel()
	addr := startServer(t, nil)
	tc := dial(t, addr)
	var buf []byte
	add := func(args ...string) {
		argv := make([][]byte, len(args))
		for i, a := range args {
			argv[i] = []byte(a)
		}
		buf = resp.AppendCommand(buf, argv...)
	}
	add("SET", "a", "1")
	add("PING")
	add("NOSUCH", "a")
	add("MULTI")
	add("INCR", "a")
	add("GET", "a")
	add("EXEC")
	add("GET")
	add("MGET", "a", "b")
	add("QUIT")
	add("SET", "after-quit", "1")
	if _, err := tc.c.Write(buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`+"OK"`, `+"PONG"`, `-"ERR unknown command 'NOSUCH', with args beginning with: 'a' "`,
		`+"OK"`, `+"QUEUED"`, `+"QUEUED"`, `*[:2 $"2"]`,
		`-"ERR wrong number of arguments for 'get' command"`, `*[$"2" $nil]`, `+"OK"`,
	} {
		if got := tc.read(); got != want {
			t.Fatalf("got %s, want %s", got, want)
		}
	}
	tc.expectClosed()
	dial(t, addr).expect(`:0`, "EXISTS", "after-quit")
}

// TestMaxClients: a connection beyond maxclients gets Redis's error and is
// closed; the others keep being served.
func TestMaxClients(t *testing.T) {
	t.Parallel()
	addr := startServer(t, func(c *Config) { c.MaxClients = 1 })
	first := dial(t, addr)
	first.expect(`+"PONG"`, "PING")
	second := dial(t, addr)
	if got := second.read(); got != `-"ERR max number of clients reached"` {
		t.Fatalf("second client: %s", got)
	}
	second.expectClosed()
	first.expect(`+"PONG"`, "PING")
}
