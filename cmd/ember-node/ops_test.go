package main

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/ember-node/ember-node/cluster"
)

// state builds a clusterState: nodes "a".."c" alive unless listed dead,
// shards led as given (shard -> leader, voters, target).
func state(dead []string, led map[int]cluster.ShardStatus, routes ...cluster.ShardRoute) *clusterState {
	cs := &clusterState{failed: map[string]error{}, led: led, views: map[string]cluster.Status{}}
	cs.via = cluster.Status{Self: "a", Shards: 2, Replicas: 3, Routes: routes}
	for _, id := range []string{"a", "b", "c"} {
		cs.via.Nodes = append(cs.via.Nodes, cluster.NodeStatus{ID: id, Client: "h:" + id, Alive: !slices.Contains(dead, id)})
	}
	cs.views["a"] = cs.via
	return cs
}

func TestQuorumAfter(t *testing.T) {
	t.Parallel()
	abc := []string{"a", "b", "c"}
	cases := []struct {
		name string
		cs   *clusterState
		gone string
		want string // substring of the error, "" for none
	}{
		{"all alive", state(nil, map[int]cluster.ShardStatus{0: {Voters: abc}, 1: {Voters: abc}}), "c", ""},
		{"one other dead", state([]string{"b"}, map[int]cluster.ShardStatus{0: {Voters: abc}, 1: {Voters: abc}}), "c", "would keep voters"},
		{"not a voter", state([]string{"b"}, map[int]cluster.ShardStatus{0: {Voters: []string{"a", "b"}}, 1: {Voters: []string{"a", "b"}}}), "c", ""},
		{"no leader", state([]string{"b", "c"}, map[int]cluster.ShardStatus{0: {Voters: []string{"a", "c"}}},
			cluster.ShardRoute{Shard: 1, Voters: abc}), "c", "lost quorum: shard 1"},
		{"sole voter", state(nil, map[int]cluster.ShardStatus{0: {Voters: []string{"c"}}, 1: {Voters: []string{"a"}}}), "c", ""},
	}
	for _, tc := range cases {
		err := tc.cs.quorumAfter(tc.gone)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestJoinProgress(t *testing.T) {
	t.Parallel()
	cs := state(nil, map[int]cluster.ShardStatus{
		0: {Shard: 0, Voters: []string{"a", "b", "c"}, Target: []string{"a", "b", "c"}},
		1: {Shard: 1, Voters: []string{"a", "b"}, Learners: []string{"c"}, Target: []string{"a", "b", "c"}},
	})
	if msg, done := joinProgress(cs, "c"); done || msg != "shards moved 1 of 2" {
		t.Errorf("got %q %v", msg, done)
	}
	cs.led[1] = cluster.ShardStatus{Shard: 1, Voters: []string{"a", "b", "c"}, Target: []string{"a", "b", "c"}}
	if msg, done := joinProgress(cs, "c"); !done || msg != "shards moved 2 of 2" {
		t.Errorf("got %q %v", msg, done)
	}
	delete(cs.led, 1)
	if msg, done := joinProgress(cs, "c"); done || !strings.Contains(msg, "no leader reported for shards [1]") {
		t.Errorf("got %q %v", msg, done)
	}
	v := cs.views["a"]
	v.Nodes = v.Nodes[:2] // a has not heard of c yet
	cs.views["a"] = v
	if msg, done := joinProgress(cs, "c"); done || !strings.Contains(msg, "to see the new node") {
		t.Errorf("got %q %v", msg, done)
	}
}

func TestHoldingAndResolve(t *testing.T) {
	t.Parallel()
	cs := state([]string{"c"}, map[int]cluster.ShardStatus{0: {Voters: []string{"a", "c"}}},
		cluster.ShardRoute{Shard: 1, Voters: []string{"a"}, Learners: []string{"c"}})
	if got := cs.holding("c"); !slices.Equal(got, []int{0, 1}) {
		t.Errorf("holding: %v", got)
	}
	cs.via.Nodes[2].ID = "c0ffee11"
	if id, err := resolveNode(cs, "c0ff"); err != nil || id != "c0ffee11" {
		t.Errorf("prefix: %q %v", id, err)
	}
	if _, err := resolveNode(cs, "zzzz"); err == nil || !strings.Contains(err.Error(), "unknown node") {
		t.Errorf("unknown: %v", err)
	}
}

func TestParseInterspersed(t *testing.T) {
	t.Parallel()
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	node := fs.String("node", "", "")
	pos, err := parseInterspersed(fs, []string{"h:1", "--node", "h:2", "h:3"})
	if err != nil || *node != "h:2" || !slices.Equal(pos, []string{"h:1", "h:3"}) {
		t.Errorf("got %v %q %v", pos, *node, err)
	}
}

func TestOpsUsage(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	for _, args := range [][]string{{"join"}, {"remove"}, {"leave", "extra"}, {"status", "--bogus"}} {
		if err := runOps(args[0], args[1:], &out, &out); !errors.Is(err, errUsage) {
			t.Errorf("%v: %v", args, err)
		}
	}
}

func TestUnreachable(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	err := runOps("status", []string{"--node", "127.0.0.1:1", "--timeout", "2s"}, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "not reachable") {
		t.Errorf("got %v", err)
	}
}

func TestIDList(t *testing.T) {
	t.Parallel()
	got := idList([]string{"bbbbbbbbbb", "aaaaaaaaaa", "cccccccccc"}, map[string]uint64{"aaaaaaaaaa": 3}, "cccccccccc")
	if got != "cccccccc aaaaaaaa(3) bbbbbbbb(?)" {
		t.Errorf("got %q", got)
	}
}
