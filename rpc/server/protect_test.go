package server

import (
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"
)

func TestProtectedModeDecision(t *testing.T) {
	t.Parallel()
	tcp := func(s string) net.Addr { a, _ := net.ResolveTCPAddr("tcp", s); return a }
	cases := []struct {
		name      string
		protected bool
		pass      string
		remote    net.Addr
		denied    bool
	}{
		{"loopback v4", true, "", tcp("127.0.0.1:5000"), false},
		{"loopback v6", true, "", tcp("[::1]:5000"), false},
		{"other 127 address is not local to Redis", true, "", tcp("127.0.0.2:5000"), true},
		{"remote", true, "", tcp("192.0.2.7:5000"), true},
		{"remote with password", true, "pw", tcp("192.0.2.7:5000"), false},
		{"remote, protected mode off", false, "", tcp("192.0.2.7:5000"), false},
	}
	for _, c := range cases {
		cfg := Config{ProtectedMode: c.protected, RequirePass: c.pass}
		if got := denied(&cfg, c.remote); got != c.denied {
			t.Errorf("%s: denied %v, want %v", c.name, got, c.denied)
		}
	}
}

// nonLoopbackIP returns an address of this machine that is not loopback.
func nonLoopbackIP(t *testing.T) string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
			return n.IP.String()
		}
	}
	t.Skip("no non-loopback IPv4 address on this machine")
	return ""
}

// Over real TCP from a non-loopback address of this machine: without a
// password the client gets Redis's DENIED text and is closed; with one,
// or with protected mode off, it is served.
func TestProtectedModeOverTCP(t *testing.T) {
	t.Parallel()
	ip := nonLoopbackIP(t)
	addr := startServer(t, func(c *Config) { c.Addr = "0.0.0.0:0" })
	_, port, _ := net.SplitHostPort(addr)
	remote := net.JoinHostPort(ip, port)
	tc := dial(t, remote)
	line, err := tc.rd.ReadString('\n')
	if err != nil || line != errDenied {
		t.Fatalf("got %q, %v; want the DENIED error", line, err)
	}
	tc.expectClosed()
	local := dial(t, net.JoinHostPort("127.0.0.1", port))
	local.expect(`*[$"protected-mode" $"yes"]`, "CONFIG", "GET", "protected-mode")
	local.expect(`+"OK"`, "CONFIG", "SET", "protected-mode", "no")
	dial(t, remote).expect(`+"PONG"`, "PING")
	local.expect(`+"OK"`, "CONFIG", "SET", "protected-mode", "yes", "requirepass", "pw")
	dial(t, remote).expect(`-"NOAUTH Authentication required."`, "PING")
}

// 2000 password guesses ran in 2 ms (issue 13, item 8). Each failure on a
// connection now waits, doubling from 10 ms; the right password still
// works at once.
func TestFailedAuthIsSlowed(t *testing.T) {
	t.Parallel()
	tc := dial(t, startServer(t, func(c *Config) { c.RequirePass = "secret" }))
	start := time.Now()
	for i := range 6 {
		tc.send("AUTH", "guess"+strings.Repeat("x", i))
	}
	for range 6 {
		if got := tc.read(); !strings.HasPrefix(got, `-"WRONGPASS`) {
			t.Fatalf("wrong password: %s", got)
		}
	}
	if took := time.Since(start); took < 600*time.Millisecond {
		t.Errorf("6 wrong passwords answered in %s; want at least 630ms", took)
	}
	start = time.Now()
	tc.expect(`+"OK"`, "AUTH", "secret")
	if took := time.Since(start); took > 200*time.Millisecond {
		t.Errorf("the right password took %s", took)
	}
}

func TestAuthLimiterBucket(t *testing.T) {
	t.Parallel()
	var a authLimiter
	now := time.Unix(1000, 0)
	log := discardLog()
	for i := range authRate {
		if w := a.fail(now, "x", log); w != 0 {
			t.Fatalf("failure %d of the burst waits %s", i, w)
		}
	}
	if w := a.fail(now, "x", log); w != time.Second/authRate {
		t.Errorf("the first failure past the burst waits %s", w)
	}
	if w := a.fail(now.Add(time.Second), "x", log); w != 0 {
		t.Errorf("after a second the bucket refilled, yet it waits %s", w)
	}
}

func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
