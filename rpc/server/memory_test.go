package server

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ember-node/ember-node/rpc/resp"
)

const oomReply = `-"OOM command not allowed when used memory > 'maxmemory'."`

// infoField returns one INFO field as a number.
func (tc *testConn) infoField(name string) int64 {
	tc.t.Helper()
	tc.send("INFO")
	v, err := resp.ReadValue(tc.rd)
	if err != nil {
		tc.t.Fatal(err)
	}
	for _, line := range strings.Split(v.Str, "\r\n") {
		if k, val, ok := strings.Cut(line, ":"); ok && k == name {
			n, err := strconv.ParseInt(val, 10, 64)
			if err != nil {
				tc.t.Fatalf("INFO %s: %q", name, val)
			}
			return n
		}
	}
	tc.t.Fatalf("INFO has no %s", name)
	return 0
}

func TestMaxMemoryNoEviction(t *testing.T) {
	t.Parallel()
	tc := dial(t, startServer(t, nil))
	tc.expect(`+"OK"`, "SET", "a", "1")
	tc.expect(`+"OK"`, "SET", "b", "2")
	tc.expect(`+"OK"`, "CONFIG", "SET", "maxmemory", "1")
	tc.expect(oomReply, "SET", "c", "3")
	tc.expect(oomReply, "RPUSH", "l", "x")
	tc.expect(`$"1"`, "GET", "a")
	tc.expect(`:1`, "DEL", "a")
	tc.expect(`:1`, "EXISTS", "b")
	// Redis refuses to queue anything in MULTI while out of memory, and
	// EXEC then aborts.
	tc.expect(`+"OK"`, "MULTI")
	tc.expect(oomReply, "GET", "b")
	tc.expect(`-"EXECABORT Transaction discarded because of previous errors."`, "EXEC")
	if n := tc.infoField("evicted_keys"); n != 0 {
		t.Errorf("evicted_keys %d under noeviction", n)
	}
	tc.expect(`+"OK"`, "CONFIG", "SET", "maxmemory", "0")
	tc.expect(`+"OK"`, "SET", "c", "3")
}

// A transaction queued before memory ran out is aborted at EXEC when it
// holds a denyoom command, in Redis's words; one without runs.
func TestMaxMemoryExecAbort(t *testing.T) {
	t.Parallel()
	addr := startServer(t, nil)
	tc, admin := dial(t, addr), dial(t, addr)
	tc.expect(`+"OK"`, "SET", "a", "1")
	tc.expect(`+"OK"`, "MULTI")
	tc.expect(`+"QUEUED"`, "SET", "b", "2")
	admin.expect(`+"OK"`, "CONFIG", "SET", "maxmemory", "1")
	tc.expect(`-"EXECABORT Transaction discarded because of: OOM command not allowed when used memory > 'maxmemory'."`, "EXEC")
	tc.expect(`-"ERR EXEC without MULTI"`, "EXEC")
	admin.expect(`+"OK"`, "CONFIG", "SET", "maxmemory", "0")
	tc.expect(`+"OK"`, "MULTI")
	tc.expect(`+"QUEUED"`, "DEL", "a")
	admin.expect(`+"OK"`, "CONFIG", "SET", "maxmemory", "1")
	tc.expect(`*[:1]`, "EXEC")
}

// volatile-* evicts only keys with a TTL; with none left it refuses.
func TestMaxMemoryVolatile(t *testing.T) {
	t.Parallel()
	tc := dial(t, startServer(t, nil))
	for i := range 20 {
		tc.expect(`+"OK"`, "SET", fmt.Sprint("p", i), "persistent")
		tc.expect(`+"OK"`, "SET", fmt.Sprint("v", i), "volatile", "EX", "1000")
	}
	tc.expect(`+"OK"`, "CONFIG", "SET", "maxmemory", "1", "maxmemory-policy", "volatile-lru")
	tc.expect(oomReply, "SET", "x", "y")
	if n := tc.infoField("evicted_keys"); n != 20 {
		t.Errorf("evicted_keys %d, want the 20 volatile keys", n)
	}
	tc.expect(`:20`, "DBSIZE")
	tc.expect(`:1`, "EXISTS", "p7")
}

// allkeys-lru holds used memory at the limit while writes go on, and
// evicts the keys nobody read before those just read.
func TestMaxMemoryAllKeysLRU(t *testing.T) {
	t.Parallel()
	tc := dial(t, startServer(t, nil))
	val := strings.Repeat("v", 100)
	const old, hot, fresh = 1000, 100, 500
	for i := range old {
		tc.send("SET", fmt.Sprintf("old:%04d", i), val)
	}
	for range old {
		tc.read()
	}
	perKey := tc.infoField("used_memory") / old
	limit := perKey * old
	// The LRU clock ticks in seconds: read the hot keys in a later second
	// than the writes, so that the untouched keys are the idlest.
	time.Sleep(time.Until(time.UnixMilli((time.Now().UnixMilli()/1000+1)*1000 + 20)))
	for i := range hot {
		tc.expect(`$"`+val+`"`, "GET", fmt.Sprintf("old:%04d", i))
	}
	tc.expect(`+"OK"`, "CONFIG", "SET", "maxmemory", strconv.FormatInt(limit, 10), "maxmemory-policy", "allkeys-lru")
	for i := range fresh {
		tc.expect(`+"OK"`, "SET", fmt.Sprintf("new:%04d", i), val)
		if used := tc.infoField("used_memory"); i > 0 && i%100 == 0 && (used > limit+perKey || used < limit-limit/256-2*perKey) {
			t.Fatalf("after %d writes used_memory %d, limit %d (key %d bytes)", i, used, limit, perKey)
		}
	}
	survived := func(from, to int) int {
		n := 0
		for i := from; i < to; i++ {
			if tc.do("EXISTS", fmt.Sprintf("old:%04d", i)) == ":1" {
				n++
			}
		}
		return n
	}
	hotLeft, coldLeft := survived(0, hot), survived(hot, old)
	evicted := tc.infoField("evicted_keys")
	keys, _ := strconv.ParseInt(strings.TrimPrefix(tc.do("DBSIZE"), ":"), 10, 64)
	t.Logf("limit %d bytes (%d per key): %d of %d read keys and %d of %d untouched survived; %d evicted",
		limit, perKey, hotLeft, hot, coldLeft, old-hot, evicted)
	// The fresh keys displace 500 keys: ideally all untouched ones, which
	// would leave 400 of 900.
	if hotLeft*100/hot < 95 || coldLeft*100/(old-hot) > 50 {
		t.Errorf("LRU did not favour read keys: %d%% of read, %d%% of untouched survived", hotLeft*100/hot, coldLeft*100/(old-hot))
	}
	if keys+evicted != old+fresh || evicted == 0 {
		t.Errorf("%d keys left and %d evicted, of %d written", keys, evicted, old+fresh)
	}
}
