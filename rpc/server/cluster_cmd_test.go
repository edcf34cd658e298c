package server

import (
	"strings"
	"testing"

	"github.com/ember-node/ember-node/shard/store"
)

func TestClusterCommandsSingleNode(t *testing.T) {
	t.Parallel()
	addr := startServer(t, func(c *Config) { c.Cluster = true })
	tc := dial(t, addr)
	tc.expect(`:12182`, "CLUSTER", "KEYSLOT", "foo")
	tc.expect(`:3443`, "CLUSTER", "KEYSLOT", "{user1000}.following")
	id := strings.Trim(tc.do("CLUSTER", "MYID"), `$"`)
	if len(id) != 40 {
		t.Fatalf("MYID %q", id)
	}
	host, port := store.SplitAddr(addr)
	tc.expect(`*[*[:0 :16383 *[$"`+host+`" :`+itoa(port)+` $"`+id+`" *[]]]]`, "CLUSTER", "SLOTS")
	if n := tc.do("CLUSTER", "NODES"); !strings.Contains(n, id+" "+addr+"@0 myself,master - 0 0 0 connected 0-16383") {
		t.Errorf("CLUSTER NODES: %s", n)
	}
	if info := tc.do("CLUSTER", "INFO"); !strings.Contains(info, `cluster_state:ok`) || !strings.Contains(info, `cluster_slots_ok:16384`) {
		t.Errorf("CLUSTER INFO: %s", info)
	}
	tc.expect(`+"OK"`, "SET", "foo", "bar")
	tc.expect(`:1`, "CLUSTER", "COUNTKEYSINSLOT", "12182")
	tc.expect(`*[$"foo"]`, "CLUSTER", "GETKEYSINSLOT", "12182", "10")
	tc.expect(`-"ERR Invalid or out of range slot"`, "CLUSTER", "COUNTKEYSINSLOT", "16384")
	tc.expect(`-"CROSSSLOT Keys in request don't hash to the same slot"`, "MSET", "a", "1", "b", "2")
	tc.expect(`+"OK"`, "MSET", "{t}a", "1", "{t}b", "2")
	tc.expect(`+"OK"`, "READONLY")
	tc.expect(`+"OK"`, "READWRITE")
	tc.expect(`+"OK"`, "ASKING")
	if v := tc.do("CLUSTER", "RESET"); !strings.HasPrefix(v, `-"ERR CLUSTER RESET is not supported`) {
		t.Errorf("CLUSTER RESET: %s", v)
	}
	tc.expect(`-"ERR unknown subcommand 'bogus'. Try CLUSTER HELP."`, "CLUSTER", "bogus")
	if v := tc.do("INFO", "cluster"); !strings.Contains(v, "cluster_enabled:1") {
		t.Errorf("INFO cluster: %s", v)
	}
	tc.expect(`*[$"cluster-enabled" $"yes"]`, "CONFIG", "GET", "cluster-enabled")
	plain := dial(t, startServer(t, nil))
	plain.expect(`-"ERR This instance has cluster support disabled"`, "CLUSTER", "INFO")
}
