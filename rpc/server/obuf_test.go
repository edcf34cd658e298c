package server

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ember-node/ember-node/rpc/resp"
)

func TestOutputLimitConfig(t *testing.T) {
	t.Parallel()
	tc := dial(t, startServer(t, nil))
	const dflt = `"normal 268435456 67108864 60 slave 268435456 67108864 60 pubsub 33554432 8388608 60"`
	tc.expect(`*[$"client-output-buffer-limit" $`+dflt+`]`, "CONFIG", "GET", "client-output-buffer-limit")
	cases := []struct {
		name, value, reply string
	}{
		{"normal only", "normal 1mb 512kb 10", `+"OK"`},
		{"replica alias", "replica 0 0 0 pubsub 1gb 0 5", `+"OK"`},
		{"odd count", "normal 1mb 0", `-"ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Wrong number of arguments in buffer limit configuration."`},
		{"master class", "master 0 0 0", `-"ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Invalid client class specified in buffer limit configuration."`},
		{"bad hard", "normal 1xb 0 0", `-"ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Error in hard, soft or soft_seconds setting in buffer limit configuration."`},
		{"negative seconds", "normal 0 0 -1", `-"ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Error in hard, soft or soft_seconds setting in buffer limit configuration."`},
	}
	for _, c := range cases {
		tc.expect(c.reply, "CONFIG", "SET", "client-output-buffer-limit", c.value)
	}
	tc.expect(`*[$"client-output-buffer-limit" $"normal 1048576 524288 10 slave 0 0 0 pubsub 1073741824 0 5"]`,
		"CONFIG", "GET", "client-output-buffer-limit")
}

// bigValue stores a value of n bytes at key.
func (tc *testConn) bigValue(key string, n int) {
	tc.t.Helper()
	tc.expect(`+"OK"`, "SET", key, strings.Repeat("x", n))
}

// A reply past the hard limit closes the connection without the reply,
// as Redis does; SRANDMEMBER with a huge negative count (issue 13, item
// 3: it grew until the kernel killed the process) stops there.
func TestOutputHardLimitClosesClient(t *testing.T) {
	t.Parallel()
	addr := startServer(t, nil)
	admin := dial(t, addr)
	admin.expect(`+"OK"`, "CONFIG", "SET", "client-output-buffer-limit", "normal 2mb 0 0")
	admin.bigValue("big", 3<<20)
	admin.expect(`:3`, "SADD", "s", "a", "b", "c")
	admin.expect(`:2`, "HSET", "h", "a", "1", "b", "2")
	cases := [][]string{
		{"GET", "big"},
		{"SRANDMEMBER", "s", "-9223372036854775807"},
		{"HRANDFIELD", "h", "-9223372036854775807"},
		{"HRANDFIELD", "h", "-4611686018427387903", "WITHVALUES"},
	}
	for i, argv := range cases {
		tc := dial(t, addr)
		tc.expect(`+"PONG"`, "PING")
		tc.send(argv...)
		tc.expectClosed()
		if n := admin.infoField("client_output_buffer_limit_disconnections"); n != int64(i+1) {
			t.Errorf("%q: %d disconnections, want %d", argv, n, i+1)
		}
	}
	admin.expect(`:3`, "SCARD", "s") // the server goes on
}

// The attack of issue 13, item 4: a client pipelines GETs of a 1 MB value
// and never reads. The server held every reply (about 390 MB per
// connection). Now it writes a pipeline's replies as they pass 256 KB, so
// the connection blocks on the socket instead, holding about one reply,
// and that reply counts in INFO.
func TestPipelinedGETsNeverReadStayBounded(t *testing.T) {
	addr := startServer(t, nil)
	admin := dial(t, addr)
	admin.bigValue("big", 1<<20)
	var req []byte
	for range 400 {
		req = resp.AppendCommand(req, []byte("GET"), []byte("big"))
	}
	before := heapInUse()
	attacker := dial(t, addr)
	if _, err := attacker.c.Write(req); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, func() bool { return admin.infoField("mem_clients_normal") > 0 })
	time.Sleep(500 * time.Millisecond) // room to grow, if it would
	if grew := heapInUse() - before; grew > 64<<20 {
		t.Errorf("heap grew by %d MB for one client that never reads", grew>>20)
	}
	held := admin.infoField("mem_clients_normal")
	if held < 1<<20 || held > 4<<20 {
		t.Errorf("mem_clients_normal %d, want about one reply", held)
	}
	if used, dataset := admin.infoField("used_memory"), admin.infoField("used_memory_dataset"); used != dataset+held {
		t.Errorf("used_memory %d, want dataset %d + clients %d", used, dataset, held)
	}
	if n := admin.infoField("client_recent_max_output_buffer"); n < 1<<20 {
		t.Errorf("client_recent_max_output_buffer %d", n)
	}
}

func heapInUse() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapInuse)
}

// waitFor polls cond until it holds or fails the test after timeout.
func waitFor(t *testing.T, timeout time.Duration, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(timeout); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatal("timed out")
		}
	}
}

// A client that stays over the soft limit for the soft seconds is closed:
// here its write stays blocked on a socket nobody reads.
func TestOutputSoftLimitClosesStalledClient(t *testing.T) {
	t.Parallel()
	addr := startServer(t, nil)
	admin := dial(t, addr)
	admin.expect(`+"OK"`, "CONFIG", "SET", "client-output-buffer-limit", "normal 0 512kb 0")
	admin.bigValue("big", 8<<20)
	stalled := dial(t, addr)
	for range 4 {
		stalled.send("GET", "big")
	}
	waitFor(t, 10*time.Second, func() bool {
		return admin.infoField("client_output_buffer_limit_disconnections") == 1
	})
	if n := admin.infoField("connected_clients"); n != 1 {
		t.Errorf("connected_clients %d after the stalled one was closed", n)
	}
}

// Client buffers count toward maxmemory, as in Redis: while a client's
// replies wait for it, writes are refused.
func TestClientBuffersCountTowardMaxMemory(t *testing.T) {
	t.Parallel()
	addr := startServer(t, nil)
	admin := dial(t, addr)
	admin.bigValue("big", 16<<20)
	slow := dial(t, addr)
	slow.send("GET", "big")
	slow.send("GET", "big")
	waitFor(t, 10*time.Second, func() bool { return admin.infoField("mem_clients_normal") >= 16<<20 })
	used := admin.infoField("used_memory_dataset")
	admin.expect(`+"OK"`, "CONFIG", "SET", "maxmemory", i64toa(used+(1<<20)))
	admin.expect(oomReply, "SET", "k", "v")
	slow.c.Close()
	waitFor(t, 10*time.Second, func() bool { return admin.infoField("mem_clients_normal") == 0 })
	admin.expect(`+"OK"`, "SET", "k", "v")
}
