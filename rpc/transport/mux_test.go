package transport

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/raft"
)

// logBuf collects log output safely across goroutines.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newMux(t *testing.T, secret string, logs io.Writer) *Mux {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewMux(ln, []byte(secret), slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	go m.Serve()
	t.Cleanup(func() { m.Close() })
	return m
}

// echoGroup accepts one connection on group id and echoes a line back.
func echoGroup(m *Mux, id uint32) {
	sl := m.Group(id)
	go func() {
		for {
			c, err := sl.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				io.Copy(c, c)
			}()
		}
	}()
}

func roundTrip(t *testing.T, c net.Conn) error {
	t.Helper()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write([]byte("ping")); err != nil {
		return err
	}
	buf := make([]byte, 4)
	_, err := io.ReadFull(c, buf)
	if err == nil && string(buf) != "ping" {
		t.Fatalf("echo: %q", buf)
	}
	return err
}

func TestGroupsShareOnePort(t *testing.T) {
	t.Parallel()
	a, b := newMux(t, "s", io.Discard), newMux(t, "s", io.Discard)
	echoGroup(b, 7)
	echoGroup(b, 9)
	for _, id := range []uint32{7, 9} {
		c, err := a.Group(id).Dial(rafAddr(b), time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if err := roundTrip(t, c); err != nil {
			t.Fatalf("group %d: %v", id, err)
		}
		c.Close()
	}
}

func rafAddr(m *Mux) raft.ServerAddress { return raft.ServerAddress(m.Addr().String()) }

// rawDial connects to m and writes b, as a stranger would.
func rawDial(m *Mux, b []byte) (net.Conn, error) {
	c, err := net.Dial("tcp", m.Addr().String())
	if err == nil {
		c.Write(b)
	}
	return c, err
}

// hello returns a version 2 hello for kind and group with a zero nonce.
func hello(kind Kind, group uint32) []byte {
	h := append(magic[:], version, byte(kind), 0, 0, 0, byte(group))
	return append(h, make([]byte, nonceSize)...)
}

// v1Header is what a node without a secret sent before version 2: the
// same 42 bytes on every connection, with a zero MAC.
func v1Header(kind Kind, group uint32) []byte {
	h := append(magic[:], 1, byte(kind), 0, 0, 0, byte(group))
	return append(h, make([]byte, 32)...)
}

func TestRefusesStrangers(t *testing.T) {
	t.Parallel()
	var logs logBuf
	b := newMux(t, "right", &logs)
	echoGroup(b, 1)
	cases := []struct {
		name    string
		dial    func() (net.Conn, error)
		dialErr error  // the dialer's own error, if it sees one
		want    string // what the acceptor logs
	}{
		{"wrong secret", func() (net.Conn, error) {
			return newMux(t, "wrong", io.Discard).Dial(b.Addr().String(), KindRaft, 1, time.Second)
		}, ErrSecretMismatch, "failed the cluster secret challenge"},
		{"forged proof", func() (net.Conn, error) {
			return rawDial(b, append(hello(KindRaft, 1), make([]byte, macSize)...))
		}, nil, "failed the cluster secret challenge"},
		{"garbage", func() (net.Conn, error) {
			return rawDial(b, []byte(strings.Repeat("GET / HTTP/1.1\r\n", 4)))
		}, nil, "not an ember-node peer"},
		{"version 1 header without a secret", func() (net.Conn, error) {
			return rawDial(b, v1Header(KindRaft, 1))
		}, nil, "unsupported protocol version 1"},
		{"unknown group", func() (net.Conn, error) {
			return newMux(t, "right", io.Discard).Dial(b.Addr().String(), KindRaft, 99, time.Second)
		}, nil, "no such group"},
	}
	for _, c := range cases {
		conn, err := c.dial()
		switch {
		case c.dialErr != nil && !errors.Is(err, c.dialErr):
			t.Errorf("%s: dial: %v, want %v", c.name, err, c.dialErr)
		case c.dialErr == nil && err != nil:
			t.Fatalf("%s: dial: %v", c.name, err)
		case err == nil:
			if echoed(conn) {
				t.Errorf("%s: connection served", c.name)
			}
		}
		waitLog(t, &logs, c.want)
	}
	// The node still serves its peers.
	c, err := newMux(t, "right", io.Discard).Dial(b.Addr().String(), KindRaft, 1, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := roundTrip(t, c); err != nil {
		t.Fatalf("after strangers: %v", err)
	}
}

// echoed writes a ping on c and reports whether it came back before the
// peer closed c; it closes c.
func echoed(c net.Conn) bool {
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	c.Write([]byte("ping"))
	b, _ := io.ReadAll(c)
	return bytes.Contains(b, []byte("ping"))
}

func waitLog(t *testing.T, logs *logBuf, want string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for !strings.Contains(logs.String(), want) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if !strings.Contains(logs.String(), want) {
		t.Errorf("not logged as %q: %s", want, logs.String())
	}
}

func TestIsolateCutsBothWays(t *testing.T) {
	t.Parallel()
	a, b := newMux(t, "s", io.Discard), newMux(t, "s", io.Discard)
	echoGroup(b, 1)
	c, err := a.Dial(b.Addr().String(), KindRaft, 1, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := roundTrip(t, c); err != nil {
		t.Fatal(err)
	}
	b.Isolate(true)
	if err := roundTrip(t, c); err == nil {
		t.Fatal("connection survived isolation")
	}
	if c2, err := a.Dial(b.Addr().String(), KindRaft, 1, time.Second); err == nil {
		if roundTrip(t, c2) == nil {
			t.Fatal("isolated node accepted a new connection")
		}
	}
	b.Isolate(false)
	c3, err := a.Dial(b.Addr().String(), KindRaft, 1, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := roundTrip(t, c3); err != nil {
		t.Fatalf("after healing: %v", err)
	}
}

// fuzzConn feeds the acceptor a stranger's bytes and swallows its
// challenge.
type fuzzConn struct {
	net.Conn
	r io.Reader
}

func (c fuzzConn) Read(p []byte) (int, error)  { return c.r.Read(p) }
func (c fuzzConn) Write(p []byte) (int, error) { return len(p), nil }

func FuzzAccept(f *testing.F) {
	f.Add(append(hello(KindRaft, 1), make([]byte, macSize)...))
	f.Add(v1Header(KindAdmin, 0))
	f.Add([]byte("garbage"))
	m := &Mux{secret: []byte("s")}
	f.Fuzz(func(t *testing.T, b []byte) {
		// Never panics; nothing but a proof made with the secret for
		// this connection's nonce is accepted.
		if _, _, err := m.accept(fuzzConn{r: bytes.NewReader(b)}); err == nil {
			t.Fatalf("accepted %q", b)
		}
	})
}

// A closed group's Raft dials fail at once (a dial stuck resolving a gone
// peer would hold Raft's shutdown for the whole dial timeout), and the
// group dials again once it is opened anew.
func TestCloseGroupCancelsDials(t *testing.T) {
	t.Parallel()
	a, b := newMux(t, "s", io.Discard), newMux(t, "s", io.Discard)
	echoGroup(b, 3)
	a.Group(3)
	a.CloseGroup(3)
	start := time.Now()
	if c, err := a.Dial(string(rafAddr(b)), KindRaft, 3, 5*time.Second); err == nil {
		c.Close()
		t.Fatal("dial of a closed group succeeded")
	} else if !errors.Is(err, context.Canceled) {
		t.Fatalf("dial of a closed group: %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("dial of a closed group took %s", d)
	}
	// Other groups are not affected; the group opened again dials.
	a.Group(3).Close()
	echoGroup(b, 4)
	for _, id := range []uint32{4, 3} {
		c, err := a.Group(id).Dial(rafAddr(b), time.Second)
		if err != nil {
			t.Fatalf("group %d: %v", id, err)
		}
		if err := roundTrip(t, c); err != nil {
			t.Fatalf("group %d: %v", id, err)
		}
		c.Close()
	}
}

// A flood of junk and half-open connections costs a few log lines, one
// per reason, not one per connection.
func TestRefusalFloodLogsFewLines(t *testing.T) {
	t.Parallel()
	var logs logBuf
	b := newMux(t, "s", &logs)
	const n = 300
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			junk := [][]byte{[]byte("junk junk junk junk junk junk"), v1Header(KindAdmin, 0), append(hello(KindRaft, 1), make([]byte, macSize)...), hello(KindRaft, 1)[:5]}[i%4]
			if c, err := rawDial(b, junk); err == nil {
				c.SetDeadline(time.Now().Add(time.Second))
				io.Copy(io.Discard, c) // the half-open one ends at the peer's timeout or ours
				c.Close()
			}
		}()
	}
	wg.Wait()
	waitLog(t, &logs, "failed the cluster secret challenge")
	if lines := strings.Count(logs.String(), "refused cluster connection"); lines > 8 {
		t.Fatalf("%d connections logged %d lines:\n%s", n, lines, logs.String())
	}
}
