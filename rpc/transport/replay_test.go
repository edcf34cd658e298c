package transport

import (
	"bytes"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// recorder is a TCP proxy that keeps what crossed it each way, as an
// eavesdropper on the network would.
type recorder struct {
	ln         net.Listener
	mu         sync.Mutex
	up, down   bytes.Buffer // dialer to acceptor, acceptor to dialer
	upstreamTo string
}

func newRecorder(t *testing.T, to string) *recorder {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	r := &recorder{ln: ln, upstreamTo: to}
	go r.serve()
	return r
}

func (r *recorder) serve() {
	for {
		c, err := r.ln.Accept()
		if err != nil {
			return
		}
		u, err := net.Dial("tcp", r.upstreamTo)
		if err != nil {
			c.Close()
			continue
		}
		go r.copy(u, c, &r.up)
		go r.copy(c, u, &r.down)
	}
}

func (r *recorder) copy(dst, src net.Conn, rec *bytes.Buffer) {
	defer dst.Close()
	buf := make([]byte, 4096)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			r.mu.Lock()
			rec.Write(buf[:n])
			r.mu.Unlock()
			dst.Write(buf[:n])
		}
		if err != nil {
			return
		}
	}
}

func (r *recorder) captured() (up, down []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return bytes.Clone(r.up.Bytes()), bytes.Clone(r.down.Bytes())
}

// A valid handshake captured on the wire and replayed on a new connection
// by someone who does not know the secret is refused: the acceptor's
// challenge is new on every connection. (Version 1 sent the same header
// on every connection, and a replay was served.)
func TestReplayedHandshakeRefused(t *testing.T) {
	t.Parallel()
	var logs logBuf
	a, b := newMux(t, "s", io.Discard), newMux(t, "s", &logs)
	echoGroup(b, 1)
	rec := newRecorder(t, b.Addr().String())
	c, err := a.Dial(rec.ln.Addr().String(), KindRaft, 1, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := roundTrip(t, c); err != nil {
		t.Fatal(err)
	}
	c.Close()
	up, _ := rec.captured()
	handshake := up[:len(up)-len("ping")]
	for range 3 {
		replay, err := rawDial(b, handshake)
		if err != nil {
			t.Fatal(err)
		}
		if echoed(replay) {
			t.Fatal("a replayed handshake was served")
		}
	}
	waitLog(t, &logs, "failed the cluster secret challenge")
}

// The dialer authenticates the acceptor too: a fake acceptor that plays
// back a challenge captured from a real one gets no proof, and the dialer
// reports the secret refused.
func TestDialerRefusesReplayedChallenge(t *testing.T) {
	t.Parallel()
	a, b := newMux(t, "s", io.Discard), newMux(t, "s", io.Discard)
	echoGroup(b, 1)
	rec := newRecorder(t, b.Addr().String())
	c, err := a.Dial(rec.ln.Addr().String(), KindRaft, 1, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	_, down := rec.captured()
	fake, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	got := make(chan []byte, 1)
	go func() {
		fc, err := fake.Accept()
		if err != nil {
			return
		}
		defer fc.Close()
		fc.SetDeadline(time.Now().Add(2 * time.Second))
		hello := make([]byte, helloSize)
		io.ReadFull(fc, hello)
		fc.Write(down[:challSize])
		rest, _ := io.ReadAll(fc)
		got <- rest
	}()
	if _, err := a.Dial(fake.Addr().String(), KindRaft, 1, time.Second); !errors.Is(err, ErrSecretMismatch) {
		t.Fatalf("dial of a fake acceptor: %v, want %v", err, ErrSecretMismatch)
	}
	if rest := <-got; !bytes.Equal(rest, make([]byte, macSize)) {
		t.Fatalf("the dialer sent %x to a fake acceptor, want a proof of zeros", rest)
	}
}
