package server

import (
	"bufio"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ember-node/ember-node/rpc/resp"
	"github.com/ember-node/ember-node/shard/command"
	"github.com/ember-node/ember-node/shard/local"
)

// startServer serves a fresh local store on a loopback port.
func startServer(t *testing.T, mod func(*Config)) string {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Addr = "127.0.0.1:0"
	if mod != nil {
		mod(&cfg)
	}
	table := command.NewTable()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := NewServer(cfg, local.New(table), table, log)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := srv.Listen()
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

type testConn struct {
	t  *testing.T
	c  net.Conn
	rd *bufio.Reader
}

func dial(t *testing.T, addr string) *testConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	return &testConn{t: t, c: c, rd: bufio.NewReader(c)}
}

func (tc *testConn) send(args ...string) {
	tc.t.Helper()
	argv := make([][]byte, len(args))
	for i, a := range args {
		argv[i] = []byte(a)
	}
	if _, err := tc.c.Write(resp.AppendCommand(nil, argv...)); err != nil {
		tc.t.Fatal(err)
	}
}

func (tc *testConn) read() string {
	tc.t.Helper()
	v, err := resp.ReadValue(tc.rd)
	if err != nil {
		tc.t.Fatalf("read reply: %v", err)
	}
	return v.String()
}

func (tc *testConn) do(args ...string) string {
	tc.t.Helper()
	tc.send(args...)
	return tc.read()
}

func (tc *testConn) expect(want string, args ...string) {
	tc.t.Helper()
	if got := tc.do(args...); got != want {
		tc.t.Errorf("%q: got %s, want %s", args, got, want)
	}
}

// expectClosed requires the server to have closed the connection.
func (tc *testConn) expectClosed() {
	tc.t.Helper()
	if _, err := tc.rd.ReadByte(); err == nil {
		tc.t.Errorf("connection still open")
	}
}

func TestProtocolErrors(t *testing.T) {
	t.Parallel()
	addr := startServer(t, func(c *Config) { c.ProtoMaxBulkLen = 4096 })
	cases := []struct {
		name, in, want string
	}{
		{"bulk over 2GB", "*1\r\n$2147483648\r\n", "-ERR Protocol error: invalid bulk length"},
		{"bulk near int64 max", "*1\r\n$9223372036854775806\r\nxx", "-ERR Protocol error: invalid bulk length"},
		{"bulk over configured cap", "*2\r\n$3\r\nGET\r\n$5000\r\n", "-ERR Protocol error: invalid bulk length"},
		{"negative bulk", "*1\r\n$-5\r\n", "-ERR Protocol error: invalid bulk length"},
		{"bad bulk digits", "*2\r\n$3\r\nGET\r\n$x\r\n", "-ERR Protocol error: invalid bulk length"},
		{"multibulk over INT_MAX", "*2147483648\r\n", "-ERR Protocol error: invalid multibulk length"},
		{"expected dollar", "*1\r\nx3\r\n", "-ERR Protocol error: expected '$', got 'x'"},
		{"inline too big", strings.Repeat("a", 70000), "-ERR Protocol error: too big inline request"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tc := dial(t, addr)
			if _, err := tc.c.Write([]byte(c.in)); err != nil {
				t.Fatal(err)
			}
			line, err := tc.rd.ReadString('\n')
			if err != nil {
				t.Fatalf("no reply: %v", err)
			}
			if got := strings.TrimRight(line, "\r\n"); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
			tc.expectClosed()
			dial(t, addr).expect(`+"PONG"`, "PING")
		})
	}
}

func TestCommandsBeforeBadFrameAreAnswered(t *testing.T) {
	t.Parallel()
	tc := dial(t, startServer(t, nil))
	tc.c.Write([]byte("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*1\r\n$-7\r\n"))
	if got := tc.read(); got != `+"OK"` {
		t.Fatalf("SET before the bad frame: %s", got)
	}
	if got := tc.read(); got != `-"ERR Protocol error: invalid bulk length"` {
		t.Fatalf("bad frame: %s", got)
	}
	tc.expectClosed()
}

func TestDisconnectMidCommand(t *testing.T) {
	t.Parallel()
	addr := startServer(t, nil)
	for _, partial := range []string{"*3\r\n$3\r\nSET\r\n$1\r\nk", "*2\r\n$3\r\nGE", "PIN", "*1\r\n$100\r\nabc"} {
		tc := dial(t, addr)
		tc.c.Write([]byte(partial))
		tc.c.Close()
	}
	tc := dial(t, addr)
	tc.expect(`$nil`, "GET", "k")
	tc.expect(`+"PONG"`, "PING")
}

func TestUnknownCommandAndArity(t *testing.T) {
	t.Parallel()
	tc := dial(t, startServer(t, nil))
	tc.expect(`-"ERR unknown command 'foo', with args beginning with: 'a' 'b c' "`, "foo", "a", "b c")
	tc.expect(`-"ERR unknown command 'x', with args beginning with: "`, "x")
	tc.expect(`-"ERR wrong number of arguments for 'get' command"`, "GET")
	tc.expect(`-"ERR wrong number of arguments for 'get' command"`, "get", "a", "b")
	tc.expect(`+"OK"`, "SELECT", "0")
	tc.expect(`-"ERR DB index is out of range"`, "SELECT", "1")
	tc.expect(`$"hi"`, "ECHO", "hi")
	tc.expect(`$"x"`, "PING", "x")
}

func TestPipeline(t *testing.T) {
	t.Parallel()
	tc := dial(t, startServer(t, nil))
	var buf []byte
	const n = 2000
	for i := range n {
		k := []byte("k" + itoa(i%10))
		buf = resp.AppendCommand(buf, []byte("SET"), k, []byte(itoa(i)))
		buf = resp.AppendCommand(buf, []byte("GET"), k)
	}
	go tc.c.Write(buf)
	for i := range n {
		if got := tc.read(); got != `+"OK"` {
			t.Fatalf("reply %d: %s", 2*i, got)
		}
		if got, want := tc.read(), `$"`+itoa(i)+`"`; got != want {
			t.Fatalf("reply %d: %s, want %s", 2*i+1, got, want)
		}
	}
}

func TestAuth(t *testing.T) {
	t.Parallel()
	addr := startServer(t, func(c *Config) { c.RequirePass = "s3cret" })
	tc := dial(t, addr)
	tc.expect(`-"NOAUTH Authentication required."`, "GET", "k")
	tc.expect(`-"WRONGPASS invalid username-password pair or user is disabled."`, "AUTH", "nope")
	tc.expect(`-"WRONGPASS invalid username-password pair or user is disabled."`, "AUTH", "bob", "s3cret")
	tc.expect(`+"OK"`, "AUTH", "s3cret")
	tc.expect(`$nil`, "GET", "k")
	other := dial(t, addr)
	other.expect(`%[$"server" $"redis" $"version" $"7.0.15" $"proto" :3 $"id" :2 $"mode" $"standalone" $"role" $"master" $"modules" *[]]`, "HELLO", "3", "AUTH", "default", "s3cret")
	other.expect(`_nil`, "GET", "k")
	open := dial(t, startServer(t, nil))
	open.expect(`-"ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"`, "AUTH", "x")
}

func TestHello(t *testing.T) {
	t.Parallel()
	tc := dial(t, startServer(t, nil))
	tc.expect(`-"NOPROTO unsupported protocol version"`, "HELLO", "4")
	tc.expect(`-"ERR Protocol version is not an integer or out of range"`, "HELLO", "x")
	tc.expect(`-"ERR Syntax error in HELLO option 'bogus'"`, "HELLO", "3", "bogus")
	v := tc.do("HELLO", "3", "SETNAME", "me")
	if !strings.HasPrefix(v, `%[$"server" $"redis"`) || !strings.Contains(v, `$"proto" :3`) {
		t.Fatalf("HELLO 3: %s", v)
	}
	tc.expect(`$"me"`, "CLIENT", "GETNAME")
	tc.expect(`_nil`, "GET", "missing")
	tc.expect(`*[$"server" $"redis" $"version" $"7.0.15" $"proto" :2 $"id" :1 $"mode" $"standalone" $"role" $"master" $"modules" *[]]`, "HELLO", "2")
	tc.expect(`$nil`, "GET", "missing")
}

func TestMultiExec(t *testing.T) {
	t.Parallel()
	addr := startServer(t, nil)
	tc := dial(t, addr)
	tc.expect(`-"ERR EXEC without MULTI"`, "EXEC")
	tc.expect(`-"ERR DISCARD without MULTI"`, "DISCARD")
	tc.expect(`+"OK"`, "MULTI")
	tc.expect(`-"ERR MULTI calls can not be nested"`, "MULTI")
	tc.expect(`+"QUEUED"`, "SET", "a", "1")
	tc.expect(`+"QUEUED"`, "GET", "a")
	tc.expect(`+"QUEUED"`, "SET", "a", "2", "EX", "0")
	tc.expect(`+"QUEUED"`, "PING")
	tc.expect(`*[+"OK" $"1" -"ERR invalid expire time in 'set' command" +"PONG"]`, "EXEC")

	tc.expect(`+"OK"`, "MULTI")
	tc.expect(`-"ERR unknown command 'nope', with args beginning with: "`, "nope")
	tc.expect(`+"QUEUED"`, "SET", "a", "3")
	tc.expect(`-"EXECABORT Transaction discarded because of previous errors."`, "EXEC")
	tc.expect(`$"1"`, "GET", "a")

	tc.expect(`+"OK"`, "MULTI")
	tc.expect(`+"QUEUED"`, "SET", "a", "4")
	tc.expect(`+"OK"`, "DISCARD")
	tc.expect(`$"1"`, "GET", "a")

	// WATCH: a write by another client between WATCH and EXEC aborts.
	tc.expect(`+"OK"`, "WATCH", "a")
	dial(t, addr).expect(`+"OK"`, "SET", "a", "other")
	tc.expect(`+"OK"`, "MULTI")
	tc.expect(`-"ERR WATCH inside MULTI is not allowed"`, "WATCH", "a")
	tc.expect(`+"QUEUED"`, "SET", "a", "mine")
	tc.expect(`*nil`, "EXEC")
	tc.expect(`$"other"`, "GET", "a")
	// Without interference the transaction runs.
	tc.expect(`+"OK"`, "WATCH", "a")
	tc.expect(`+"OK"`, "MULTI")
	tc.expect(`+"QUEUED"`, "SET", "a", "mine")
	tc.expect(`*[+"OK"]`, "EXEC")
	tc.expect(`$"mine"`, "GET", "a")
}

func TestClientAndCommand(t *testing.T) {
	t.Parallel()
	tc := dial(t, startServer(t, nil))
	tc.expect(`:1`, "CLIENT", "ID")
	tc.expect(`$nil`, "CLIENT", "GETNAME")
	tc.expect(`-"ERR Client names cannot contain spaces, newlines or special characters."`, "CLIENT", "SETNAME", "a b")
	tc.expect(`+"OK"`, "CLIENT", "SETNAME", "worker")
	if l := tc.do("CLIENT", "LIST"); !strings.Contains(l, "name=worker") || !strings.Contains(l, "id=1 ") {
		t.Errorf("CLIENT LIST: %s", l)
	}
	tc.expect(`-"ERR unknown subcommand 'bogus'. Try CLIENT HELP."`, "CLIENT", "bogus")
	tc.expect(`*[*[$"get" :2 *[+"readonly" +"fast"] :1 :1 :1 *[+"@read" +"@fast" +"@string"] *[] *[] *[]]]`, "COMMAND", "INFO", "get")
	tc.expect(`*[*nil]`, "COMMAND", "INFO", "nosuch")
	tc.expect(`*[$"k"]`, "COMMAND", "GETKEYS", "SET", "k", "v")
	tc.expect(`-"ERR Invalid command specified"`, "COMMAND", "GETKEYS", "nosuch")
	tc.send("COMMAND", "LIST")
	v, err := resp.ReadValue(tc.rd)
	if err != nil {
		t.Fatal(err)
	}
	if n := tc.do("COMMAND", "COUNT"); n != ":"+itoa(len(v.Elems)) || len(v.Elems) < 19 {
		t.Errorf("COMMAND COUNT: %s, COMMAND LIST has %d", n, len(v.Elems))
	}
}

func TestConfig(t *testing.T) {
	t.Parallel()
	tc := dial(t, startServer(t, nil))
	tc.expect(`*[$"maxmemory" $"0"]`, "CONFIG", "GET", "maxmemory")
	tc.expect(`+"OK"`, "CONFIG", "SET", "maxmemory", "1mb", "maxmemory-policy", "allkeys-lru")
	tc.expect(`*[$"maxmemory" $"1048576"]`, "CONFIG", "GET", "maxmemory")
	tc.expect(`*[$"maxmemory-policy" $"allkeys-lru"]`, "CONFIG", "GET", "maxmemory-policy")
	tc.expect(`-"ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'"`, "CONFIG", "SET", "nosuch", "1")
	tc.expect(`*[$"appendonly" $"no" $"save" $""]`, "CONFIG", "GET", "appendonly", "save")
	tc.expect(`-"ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction"`, "CONFIG", "SET", "maxmemory-policy", "bogus")
}

func TestQuit(t *testing.T) {
	t.Parallel()
	tc := dial(t, startServer(t, nil))
	tc.expect(`+"OK"`, "QUIT")
	tc.expectClosed()
}

// INFO counts error replies, those the server writes (unknown command,
// arity) and those a command's apply returns (WRONGTYPE), as Redis 7 does.
func TestInfoCountsErrorReplies(t *testing.T) {
	t.Parallel()
	tc := dial(t, startServer(t, nil))
	count := func() string {
		tc.send("INFO", "stats")
		v, err := resp.ReadValue(tc.rd)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(v.Str, "\r\n") {
			if v, ok := strings.CutPrefix(line, "total_error_replies:"); ok {
				return v
			}
		}
		return "missing"
	}
	if got := count(); got != "0" {
		t.Fatalf("total_error_replies before any error: %s", got)
	}
	tc.do("NOSUCHCOMMAND")
	tc.do("GET")
	tc.do("LPUSH", "l", "x")
	tc.do("GET", "l")
	tc.do("SET", "k", "v")
	if got := count(); got != "3" {
		t.Errorf("total_error_replies after 3 errors: %s", got)
	}
}
