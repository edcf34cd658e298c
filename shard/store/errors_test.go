package store

import (
	"errors"
	"fmt"
	"testing"

	"github.com/ember-node/ember-node/shard/command"
)

func TestReply(t *testing.T) {
	t.Parallel()
	view := &ClusterView{
		Self:  "me",
		Nodes: []ClusterNode{{ID: "me", Addr: "10.0.0.1:7001"}, {ID: "other", Addr: "10.0.0.2:7002"}},
		Shards: []ClusterShard{
			{ID: 0, Start: 0, End: 8191, Leader: "other"},
			{ID: 1, Start: 8192, End: 16383, Leader: ""},
		},
	}
	tests := []struct {
		name string
		err  error
		slot int
		v    *ClusterView
		want string
	}{
		{"led elsewhere", ErrNotLeader, 100, view, "MOVED 100 10.0.0.2:7002"},
		{"wrapped", fmt.Errorf("shard 0: %w", ErrNotLeader), 5, view, "MOVED 5 10.0.0.2:7002"},
		{"no leader", ErrNotLeader, 9000, view, "TRYAGAIN shard has no leader, try again later"},
		{"alone", ErrNotLeader, 100, nil, "TRYAGAIN shard has no leader, try again later"},
		{"led here but not ready", ErrNotLeader, 100, &ClusterView{Self: "other", Nodes: view.Nodes, Shards: view.Shards}, "TRYAGAIN shard has no leader, try again later"},
		{"unknown outcome", fmt.Errorf("%w: %w", ErrUnknownOutcome, errors.New("leadership lost")), 100, view, string(ErrUnknownOutcome.(command.ReplyError))},
		{"reply error", command.ErrOOM, 100, view, string(command.ErrOOM)},
		{"stopped", fmt.Errorf("%w: shard 3: log entry 9", ErrStopped), 100, view, "ERR shard stopped: shard 3: log entry 9"},
	}
	for _, tt := range tests {
		if got := Reply(tt.err, tt.slot, tt.v); got != tt.want {
			t.Errorf("%s: Reply = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestSplitAddr(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		addr, host string
		port       int
	}{
		{"127.0.0.1:7001", "127.0.0.1", 7001},
		{"[::1]:6379", "::1", 6379},
		{"node1", "node1", 0},
	} {
		if h, p := SplitAddr(tt.addr); h != tt.host || p != tt.port {
			t.Errorf("SplitAddr(%q) = %q, %d", tt.addr, h, p)
		}
	}
}

func TestForTLS(t *testing.T) {
	t.Parallel()
	v := ClusterView{
		Self: "me",
		Nodes: []ClusterNode{
			{ID: "me", Addr: "10.0.0.1:7001", TLSAddr: "10.0.0.1:8001"},
			{ID: "plain", Addr: "10.0.0.2:7002"},
		},
		Shards: []ClusterShard{{ID: 0, Start: 0, End: 16383, Leader: "me"}},
	}
	tv := v.ForTLS()
	for _, tt := range []struct {
		view *ClusterView
		id   string
		want string
	}{
		{&v, "me", "10.0.0.1:7001"},
		{&tv, "me", "10.0.0.1:8001"},
		{&tv, "plain", "10.0.0.2:7002"},
	} {
		if n, _ := tt.view.Node(tt.id); n.Addr != tt.want {
			t.Errorf("node %s: Addr %q, want %q", tt.id, n.Addr, tt.want)
		}
	}
	other := ClusterView{Self: "plain", Nodes: v.Nodes, Shards: v.Shards}.ForTLS()
	if got := Reply(ErrNotLeader, 5, &other); got != "MOVED 5 10.0.0.1:8001" {
		t.Errorf("MOVED for a TLS client: %q", got)
	}
}
