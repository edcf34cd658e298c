package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ember-node/ember-node/cluster"
	"github.com/ember-node/ember-node/rpc/resp"
)

// The ops subcommands talk to nodes over their client port with CLUSTER
// EMBER-* commands, one short connection per call, so a node that dies
// mid-operation costs one failed call, not a stuck client.

// callTimeout bounds one call; EMBER-STATUS asks every follower of every
// shard the node leads how far it has applied, so it is not instant.
const callTimeout = 15 * time.Second

// unreachableError is a node that did not accept a connection.
type unreachableError struct {
	addr string
	err  error
}

func (e *unreachableError) Error() string {
	return fmt.Sprintf("node %s not reachable: %v", e.addr, e.err)
}

func (e *unreachableError) Unwrap() error { return e.err }

type opsClient struct {
	password string
}

// call sends one command to addr and returns its reply; an error reply
// becomes an error carrying the node's words.
func (o *opsClient) call(ctx context.Context, addr string, argv ...string) (resp.Value, error) {
	d := net.Dialer{Timeout: 3 * time.Second}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return resp.Value{}, &unreachableError{addr, err}
	}
	defer c.Close()
	deadline := time.Now().Add(callTimeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	c.SetDeadline(deadline)
	rd := bufio.NewReader(c)
	if o.password != "" {
		if _, err := roundTrip(c, rd, addr, "AUTH", o.password); err != nil {
			return resp.Value{}, err
		}
	}
	return roundTrip(c, rd, addr, argv...)
}

func roundTrip(c net.Conn, rd *bufio.Reader, addr string, argv ...string) (resp.Value, error) {
	args := make([][]byte, len(argv))
	for i, a := range argv {
		args[i] = []byte(a)
	}
	if _, err := c.Write(resp.AppendCommand(nil, args...)); err != nil {
		return resp.Value{}, fmt.Errorf("node %s: %w", addr, err)
	}
	v, err := resp.ReadValue(rd)
	if err != nil {
		return v, fmt.Errorf("node %s: %w", addr, err)
	}
	if v.Type == '-' {
		if strings.HasPrefix(v.Str, "NOAUTH") || strings.HasPrefix(v.Str, "WRONGPASS") {
			return v, fmt.Errorf("node %s: %s (give --password or set EMBER_REQUIREPASS)", addr, v.Str)
		}
		return v, fmt.Errorf("node %s: %s", addr, strings.TrimPrefix(v.Str, "ERR "))
	}
	return v, nil
}

// status asks one node for its CLUSTER EMBER-STATUS.
func (o *opsClient) status(ctx context.Context, addr string) (cluster.Status, error) {
	var st cluster.Status
	v, err := o.call(ctx, addr, "CLUSTER", "EMBER-STATUS")
	if err != nil {
		return st, err
	}
	if err := json.Unmarshal([]byte(v.Str), &st); err != nil {
		return st, fmt.Errorf("node %s: unreadable status: %w", addr, err)
	}
	return st, nil
}

// reachable reports whether addr accepts connections: after a leave, a
// closed port is how the process's exit shows from outside.
func reachable(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// clusterState is the cluster pieced together from every live node's
// status: the members as the first node that answered sees them, and each
// shard in detail from the node that leads it (each node reports only
// the shards it leads).
type clusterState struct {
	via    cluster.Status            // the first node that answered
	viaAt  string                    // its address
	views  map[string]cluster.Status // every answer, by node id
	failed map[string]error          // live members that did not answer
	led    map[int]cluster.ShardStatus
}

// gather asks the first answering seed, then every member it believes
// alive, and merges what they lead (the higher term wins, should two
// claim a shard during an election).
func (o *opsClient) gather(ctx context.Context, seeds []string) (*clusterState, error) {
	cs := &clusterState{views: map[string]cluster.Status{}, failed: map[string]error{}, led: map[int]cluster.ShardStatus{}}
	var errs []error
	for _, addr := range seeds {
		st, err := o.status(ctx, addr)
		if err == nil {
			cs.via, cs.viaAt = st, addr
			cs.add(st)
			break
		}
		errs = append(errs, err)
	}
	if cs.viaAt == "" {
		return nil, errors.Join(errs...)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, n := range cs.via.Nodes {
		if !n.Alive || n.ID == cs.via.Self {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := o.status(ctx, n.Client)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				cs.failed[n.ID] = err
				return
			}
			cs.add(st)
		}()
	}
	wg.Wait()
	return cs, nil
}

func (cs *clusterState) add(st cluster.Status) {
	cs.views[st.Self] = st
	for _, ss := range st.Led {
		if old, ok := cs.led[ss.Shard]; !ok || ss.Term > old.Term {
			cs.led[ss.Shard] = ss
		}
	}
}

func (cs *clusterState) node(id string) (cluster.NodeStatus, bool) {
	for _, n := range cs.via.Nodes {
		if n.ID == id {
			return n, true
		}
	}
	return cluster.NodeStatus{}, false
}

// members returns a shard's voters and learners: from its leader when
// one reported, else from the last leader announcement gossip carried.
func (cs *clusterState) members(shard int) (voters, learners []string, led bool) {
	if ss, ok := cs.led[shard]; ok {
		return ss.Voters, ss.Learners, true
	}
	for _, r := range cs.via.Routes {
		if r.Shard == shard {
			return r.Voters, r.Learners, false
		}
	}
	return nil, nil, false
}

// holding lists the shards whose group still lists id.
func (cs *clusterState) holding(id string) []int {
	var out []int
	for s := range cs.via.Shards {
		v, l, _ := cs.members(s)
		if slices.Contains(v, id) || slices.Contains(l, id) {
			out = append(out, s)
		}
	}
	return out
}

// leaderless lists the shards no live node reported leading.
func (cs *clusterState) leaderless() []int {
	var out []int
	for s := range cs.via.Shards {
		if _, ok := cs.led[s]; !ok {
			out = append(out, s)
		}
	}
	return out
}

// answering reports whether a member is alive by gossip and answered
// (gossip takes seconds to declare a crashed node dead).
func (cs *clusterState) answering(id string) bool {
	n, ok := cs.node(id)
	return ok && n.Alive && cs.failed[id] == nil
}

// serving reports whether a member is alive and not draining.
func (cs *clusterState) serving(id string) bool {
	n, _ := cs.node(id)
	return cs.answering(id) && !n.Leaving
}

// quorumAfter checks that every shard in which gone is a voter has a
// leader now and keeps a live majority of its other voters once gone is
// out of it; placement never removes a voter in a way that would need
// the dead ones.
func (cs *clusterState) quorumAfter(gone string) error {
	for s := range cs.via.Shards {
		voters, _, led := cs.members(s)
		if !slices.Contains(voters, gone) {
			continue
		}
		rest := slices.DeleteFunc(slices.Clone(voters), func(id string) bool { return id == gone })
		alive := 0
		var dead []string
		for _, id := range rest {
			if cs.answering(id) {
				alive++
			} else {
				dead = append(dead, cs.name(id))
			}
		}
		if !led {
			return fmt.Errorf("cluster has lost quorum: shard %d has no leader (voters %s; down: %s); bring those nodes back first",
				s, cs.names(voters), strings.Join(dead, " "))
		}
		if len(rest) > 0 && 2*alive <= len(rest) {
			return fmt.Errorf("cluster would lose quorum: shard %d would keep voters %s of which only %d alive; bring the dead nodes back or remove them first (ember-node remove)",
				s, cs.names(rest), alive)
		}
	}
	return nil
}

// name renders a node id as its short id and client address.
func (cs *clusterState) name(id string) string {
	if n, ok := cs.node(id); ok {
		return shortID(id) + "(" + n.Client + ")"
	}
	return shortID(id)
}

func (cs *clusterState) names(ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = cs.name(id)
	}
	return "[" + strings.Join(out, " ") + "]"
}

// addresses lists the client addresses of the members believed alive,
// except skip: whom to ask once a node has gone.
func (cs *clusterState) addresses(skip string) []string {
	var out []string
	if cs.viaAt != "" && cs.via.Self != skip {
		out = append(out, cs.viaAt)
	}
	for _, n := range cs.via.Nodes {
		if n.Alive && n.ID != skip && n.Client != cs.viaAt {
			out = append(out, n.Client)
		}
	}
	return out
}

func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}
