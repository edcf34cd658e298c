package harness

import (
	"bufio"
	"net"
	"testing"
	"time"

	"github.com/ember-node/ember-node/rpc/resp"
)

// Client is a raw RESP client on one connection: it sends argv as RESP
// arrays and returns replies as decoded, type byte included, so tests
// assert on exactly what a server sent (and differential tests compare
// two servers byte for byte). One command or pipeline at a time.
type Client struct {
	net.Conn
	// Timeout bounds each Send and each Receive, so a server that never
	// answers fails the test instead of hanging it.
	Timeout time.Duration

	r   *bufio.Reader
	buf []byte
}

// Dial connects to addr (within a second).
func Dial(addr string) (*Client, error) {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return nil, err
	}
	return &Client{Conn: c, r: bufio.NewReader(c), Timeout: 10 * time.Second}, nil
}

// MustDial is Dial that fails the test; the connection closes when the
// test ends.
func MustDial(t testing.TB, addr string) *Client {
	t.Helper()
	c, err := Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// Ping reports whether addr answers PING with +PONG within a second.
func Ping(addr string) bool { return pinged(Dial(addr)) }

// pinged reports whether c, once dialed without err, answers PING.
func pinged(c *Client, err error) bool {
	if err != nil {
		return false
	}
	defer c.Close()
	c.Timeout = time.Second
	v, err := c.Do("PING")
	return err == nil && v.Type == '+' && v.Str == "PONG"
}

// Do sends one command and reads its reply.
func (c *Client) Do(args ...string) (resp.Value, error) {
	if err := c.Send(args...); err != nil {
		return resp.Value{}, err
	}
	return c.Receive()
}

// Pipeline writes every command at once, then reads every reply.
func (c *Client) Pipeline(cmds [][]string) ([]resp.Value, error) {
	c.buf = c.buf[:0]
	for _, cmd := range cmds {
		c.buf = appendCommand(c.buf, cmd)
	}
	if err := c.write(); err != nil {
		return nil, err
	}
	out := make([]resp.Value, len(cmds))
	for i := range out {
		v, err := c.Receive()
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// Send writes one command without waiting for its reply, so a test can
// overlap round trips to two servers.
func (c *Client) Send(args ...string) error {
	c.buf = appendCommand(c.buf[:0], args)
	return c.write()
}

// Receive reads one reply.
func (c *Client) Receive() (resp.Value, error) {
	c.SetReadDeadline(time.Now().Add(c.Timeout))
	return resp.ReadValue(c.r)
}

func (c *Client) write() error {
	c.SetWriteDeadline(time.Now().Add(c.Timeout))
	_, err := c.Write(c.buf)
	return err
}

func appendCommand(b []byte, args []string) []byte {
	argv := make([][]byte, len(args))
	for i, a := range args {
		argv[i] = []byte(a)
	}
	return resp.AppendCommand(b, argv...)
}

// Expect runs one command and fails the test unless its reply renders as
// want (resp.Value's String, such as `+"OK"`, `:3` or `$nil`).
func (c *Client) Expect(t testing.TB, want string, args ...string) {
	t.Helper()
	v, err := c.Do(args...)
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	if got := v.String(); got != want {
		t.Fatalf("%v = %s, want %s", args, got, want)
	}
}

// MustPipeline runs cmds and fails the test on a transport error or an
// error reply.
func (c *Client) MustPipeline(t testing.TB, cmds [][]string) []resp.Value {
	t.Helper()
	vs, err := c.Pipeline(cmds)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vs {
		if v.Type == '-' {
			t.Fatalf("%v: %s", cmds[i], v)
		}
	}
	return vs
}
