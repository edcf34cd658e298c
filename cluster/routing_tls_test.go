package cluster

import (
	"encoding/json"
	"testing"
)

// TestNodeMetaTLSAddr: a node's TLS client address travels in its
// gossiped metadata and reaches the view as TLSAddr; metadata of a node
// without one (or of an older version) decodes with none.
func TestNodeMetaTLSAddr(t *testing.T) {
	t.Parallel()
	self := NodeMeta{ID: "a", Client: "10.0.0.1:6379", TLS: "10.0.0.1:6380", Shards: 1}
	b, err := json.Marshal(self)
	if err != nil {
		t.Fatal(err)
	}
	var back, old NodeMeta
	if err := json.Unmarshal(b, &back); err != nil || back != self {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"id":"b","c":"10.0.0.2:6379","r":"10.0.0.2:16379","g":"10.0.0.2:26379","s":1}`), &old); err != nil {
		t.Fatal(err)
	}
	r := newRouting(self)
	r.setNode(old, true)
	v := r.view()
	for _, tt := range []struct{ id, addr, tls string }{
		{"a", "10.0.0.1:6379", "10.0.0.1:6380"},
		{"b", "10.0.0.2:6379", ""},
	} {
		n, ok := v.Node(tt.id)
		if !ok || n.Addr != tt.addr || n.TLSAddr != tt.tls {
			t.Errorf("node %s: %+v", tt.id, n)
		}
	}
}
