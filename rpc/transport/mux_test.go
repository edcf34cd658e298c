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
	m := NewMux(ln, []byte(secret), slog.New(slog.NewTextHandler(logs, nil)))
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

func TestRefusesStrangers(t *testing.T) {
	t.Parallel()
	var logs logBuf
	b := newMux(t, "right", &logs)
	echoGroup(b, 1)
	cases := []struct {
		name string
		dial func() (net.Conn, error)
		want string
	}{
		{"wrong secret", func() (net.Conn, error) {
			return newMux(t, "wrong", io.Discard).Dial(b.Addr().String(), KindRaft, 1, time.Second)
		}, "cluster secret"},
		{"garbage", func() (net.Conn, error) {
			c, err := net.Dial("tcp", b.Addr().String())
			if err == nil {
				c.Write([]byte(strings.Repeat("GET / HTTP/1.1\r\n", 4)))
			}
			return c, err
		}, "not an ember-node peer"},
		{"unknown group", func() (net.Conn, error) {
			return newMux(t, "right", io.Discard).Dial(b.Addr().String(), KindRaft, 99, time.Second)
		}, "no such group"},
	}
	for _, c := range cases {
		conn, err := c.dial()
		if err != nil {
			t.Fatalf("%s: dial: %v", c.name, err)
		}
		if err := roundTrip(t, conn); err == nil {
			t.Errorf("%s: connection served", c.name)
		}
		conn.Close()
		deadline := time.Now().Add(2 * time.Second)
		for !strings.Contains(logs.String(), c.want) && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if !strings.Contains(logs.String(), c.want) {
			t.Errorf("%s: not logged as %q: %s", c.name, c.want, logs.String())
		}
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

func TestIsolateCutsBothWays(t *testing.T) {
	t.Parallel()
	a, b := newMux(t, "", io.Discard), newMux(t, "", io.Discard)
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

func FuzzHeader(f *testing.F) {
	f.Add([]byte("EMBR\x01\x01\x00\x00\x00\x01"))
	f.Add([]byte("garbage"))
	m := &Mux{secret: []byte("s")}
	f.Fuzz(func(t *testing.T, b []byte) {
		// Never panics; accepts only headers with a valid MAC.
		if _, _, err := m.readHeader(bytes.NewReader(b)); err == nil && len(b) < headerSize {
			t.Fatal("short header accepted")
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
