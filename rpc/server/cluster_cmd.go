package server

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/ember-node/ember-node/shard"
	"github.com/ember-node/ember-node/shard/command"
	"github.com/ember-node/ember-node/shard/store"
)

// view returns the cluster picture, or one of this node owning every slot
// when the store has no topology (--store memory).
func (s *Server) view() store.ClusterView {
	if t, ok := s.store.(store.Topology); ok {
		return t.ClusterView()
	}
	id := s.runID[:40]
	return store.ClusterView{
		Self:   id,
		Nodes:  []store.ClusterNode{{ID: id, Addr: s.advertised(), TLSAddr: s.advertisedTLS(), Alive: true}},
		Shards: []store.ClusterShard{{ID: 0, Start: 0, End: shard.NumSlots - 1, Leader: id}},
	}
}

// advertised returns the client address this node tells clients to use.
func (s *Server) advertised() string {
	cfg := s.config()
	if cfg.Advertise != "" {
		return cfg.Advertise
	}
	if a := s.Addr(); a != nil {
		return a.String()
	}
	if cfg.Addr == "" { // TLS only
		return s.advertisedTLS()
	}
	return cfg.Addr
}

func clusterCmd(c *client, argv [][]byte) {
	if !c.srv.cluster {
		c.w.Error("ERR This instance has cluster support disabled")
		return
	}
	sub := lowerASCII(argv[1])
	n := len(argv)
	switch {
	case sub == "keyslot" && n == 3:
		c.w.Int(int64(shard.KeySlot(argv[2])))
	case sub == "myid" && n == 2:
		c.w.BulkString(c.srv.view().Self)
	case sub == "myshardid" && n == 2:
		v := c.srv.view()
		c.w.BulkString(shardID(v, v.Self))
	case sub == "info" && n == 2:
		c.w.Verbatim(clusterInfo(c.srv.view()))
	case sub == "slots" && n == 2:
		c.clusterSlots(c.view())
	case sub == "shards" && n == 2:
		c.clusterShards(c.srv.view())
	case sub == "nodes" && n == 2:
		c.w.Verbatim(clusterNodes(c.view()))
	case sub == "countkeysinslot" && n == 3:
		c.slotQuery(argv[2], -1)
	case sub == "getkeysinslot" && n == 4:
		count, ok := command.ParseInt(argv[3])
		if !ok || count < 0 {
			c.w.Error("ERR Invalid number of keys")
			return
		}
		c.slotQuery(argv[2], int(count))
	case strings.HasPrefix(sub, "ember-") || sub == "meet" || sub == "forget":
		c.clusterOps(sub, argv[2:])
	case sub == "reset" || sub == "addslots" || sub == "addslotsrange" ||
		sub == "delslots" || sub == "setslot" || sub == "replicate" || sub == "failover":
		c.w.Error("ERR CLUSTER " + strings.ToUpper(sub) + " is not supported: ember-node places slots itself; use `ember-node join|leave|remove`")
	default:
		c.w.Error(unknownSubcommand(argv[1], "CLUSTER"))
	}
}

// shardID derives a stable 40-hex id for the shard a node leads first.
func shardID(v store.ClusterView, node string) string {
	for _, s := range v.Shards {
		if s.Leader == node {
			sum := sha1.Sum([]byte("shard-" + strconv.Itoa(s.ID)))
			return hex.EncodeToString(sum[:])
		}
	}
	sum := sha1.Sum([]byte(node))
	return hex.EncodeToString(sum[:])
}

func (c *client) slotQuery(arg []byte, count int) {
	slot, ok := command.ParseInt(arg)
	if !ok || slot < 0 || slot >= shard.NumSlots {
		c.w.Error("ERR Invalid or out of range slot")
		return
	}
	err := c.srv.store.Read(int(slot), time.Now(), func(ks *shard.Keyspace, _ int64) {
		if count < 0 {
			c.w.Int(int64(ks.CountKeysInSlot(int(slot))))
			return
		}
		keys := ks.KeysInSlot(int(slot), count)
		c.w.Array(len(keys))
		for _, k := range keys {
			c.w.BulkString(k)
		}
	})
	if err != nil {
		c.w.Error(c.reply(int(slot), err))
	}
}

func clusterInfo(v store.ClusterView) string {
	assigned, ok, known := 0, 0, len(v.Nodes)
	leaders := map[string]bool{}
	for _, s := range v.Shards {
		assigned += s.End - s.Start + 1
		if s.Leader != "" {
			ok += s.End - s.Start + 1
			leaders[s.Leader] = true
		}
	}
	state := "ok"
	if ok < shard.NumSlots {
		state = "fail"
	}
	return fmt.Sprintf("cluster_state:%s\r\ncluster_slots_assigned:%d\r\ncluster_slots_ok:%d\r\n"+
		"cluster_slots_pfail:0\r\ncluster_slots_fail:%d\r\ncluster_known_nodes:%d\r\ncluster_size:%d\r\n"+
		"cluster_current_epoch:0\r\ncluster_my_epoch:0\r\ncluster_stats_messages_sent:0\r\n"+
		"cluster_stats_messages_received:0\r\ntotal_cluster_links_buffer_limit_exceeded:0\r\n",
		state, assigned, ok, assigned-ok, known, len(leaders))
}

// writeNodeEndpoint writes [ip, port, id, metadata] as CLUSTER SLOTS does.
func (c *client) writeNodeEndpoint(n store.ClusterNode) {
	host, port := store.SplitAddr(n.Addr)
	c.w.Array(4)
	c.w.BulkString(host)
	c.w.Int(int64(port))
	c.w.BulkString(n.ID)
	c.w.Map(0)
}

func (c *client) clusterSlots(v store.ClusterView) {
	var rows []store.ClusterShard
	for _, s := range v.Shards {
		if _, ok := v.Node(s.Leader); ok {
			rows = append(rows, s)
		}
	}
	c.w.Array(len(rows))
	for _, s := range rows {
		var replicas []store.ClusterNode
		for _, id := range s.Followers {
			if n, ok := v.Node(id); ok && n.Alive {
				replicas = append(replicas, n)
			}
		}
		c.w.Array(3 + len(replicas))
		c.w.Int(int64(s.Start))
		c.w.Int(int64(s.End))
		leader, _ := v.Node(s.Leader)
		c.writeNodeEndpoint(leader)
		for _, r := range replicas {
			c.writeNodeEndpoint(r)
		}
	}
}

// clusterShards renders CLUSTER SHARDS. As in Redis 7, a node's ports
// are the same for every client: "port" is its plain port and
// "tls-port" its TLS port, each when it has one.
func (c *client) clusterShards(v store.ClusterView) {
	c.w.Array(len(v.Shards))
	for _, s := range v.Shards {
		c.w.Map(2)
		c.w.BulkString("slots")
		c.w.Array(2)
		c.w.Int(int64(s.Start))
		c.w.Int(int64(s.End))
		c.w.BulkString("nodes")
		members := append([]string{}, s.Followers...)
		if s.Leader != "" {
			members = append([]string{s.Leader}, members...)
		}
		c.w.Array(len(members))
		for _, id := range members {
			n, _ := v.Node(id)
			c.shardNode(n, id == s.Leader, s.Offset)
		}
	}
}

// shardNode writes one node of CLUSTER SHARDS.
func (c *client) shardNode(n store.ClusterNode, leader bool, offset uint64) {
	host, port := store.SplitAddr(n.Addr)
	_, tlsPort := store.SplitAddr(n.TLSAddr)
	if n.Addr == n.TLSAddr { // TLS only
		port = 0
	}
	role, health := "replica", "online"
	if leader {
		role = "master"
	}
	if !n.Alive {
		health = "fail"
	}
	c.w.Map(6 + btoi(port != 0) + btoi(tlsPort != 0))
	c.w.BulkString("id")
	c.w.BulkString(n.ID)
	for _, p := range [...]struct {
		name string
		port int
	}{{"port", port}, {"tls-port", tlsPort}} {
		if p.port != 0 {
			c.w.BulkString(p.name)
			c.w.Int(int64(p.port))
		}
	}
	c.w.BulkString("ip")
	c.w.BulkString(host)
	c.w.BulkString("endpoint")
	c.w.BulkString(host)
	c.w.BulkString("role")
	c.w.BulkString(role)
	c.w.BulkString("replication-offset")
	c.w.Int(int64(offset))
	c.w.BulkString("health")
	c.w.BulkString(health)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// clusterNodes renders CLUSTER NODES. A node that leads shards is a master
// with those slots; a node leading none is shown as a replica of the
// leader of a shard it holds, as Redis tools expect every node to be one
// or the other.
func clusterNodes(v store.ClusterView) string {
	var sb strings.Builder
	for _, n := range v.Nodes {
		var slots []string
		replicaOf := ""
		for _, s := range v.Shards {
			if s.Leader == n.ID {
				slots = append(slots, slotRange(s.Start, s.End))
			} else if replicaOf == "" && contains(s.Followers, n.ID) {
				replicaOf = s.Leader
			}
		}
		flags, master := "master", "-"
		if len(slots) == 0 && replicaOf != "" {
			flags, master = "slave", replicaOf
		}
		if n.ID == v.Self {
			flags = "myself," + flags
		}
		link := "connected"
		if !n.Alive {
			flags += ",fail"
			link = "disconnected"
		}
		host, port := store.SplitAddr(n.Addr)
		fmt.Fprintf(&sb, "%s %s:%d@%d %s %s 0 0 0 %s", n.ID, host, port, n.ClusterPort, flags, master, link)
		for _, r := range slots {
			sb.WriteString(" " + r)
		}
		sb.WriteByte('\n')
	}
	return sb.String()
}

func slotRange(a, b int) string {
	if a == b {
		return strconv.Itoa(a)
	}
	return strconv.Itoa(a) + "-" + strconv.Itoa(b)
}

func contains(list []string, x string) bool {
	for _, y := range list {
		if y == x {
			return true
		}
	}
	return false
}

// movedFrom returns the MOVED error for a slot another node leads, as
// this node sees the cluster, or "" (no key, no cluster, led here, or no
// leader known: the command itself will say).
func (c *client) movedFrom(slot int) string {
	if !c.srv.cluster || slot < 0 {
		return ""
	}
	v := c.view()
	if sh, ok := v.ShardOf(slot); !ok || sh.Leader == "" || sh.Leader == v.Self {
		return ""
	}
	return store.Reply(store.ErrNotLeader, slot, &v)
}

// clusterOps runs operator actions. MEET ip port joins this (empty) node to
// the cluster of ip:port; FORGET id removes a dead node.
func (c *client) clusterOps(sub string, args [][]byte) {
	ops, ok := c.srv.store.(store.ClusterOps)
	if !ok {
		c.w.Error("ERR cluster operations need the raft store")
		return
	}
	var out []byte
	var err error
	switch {
	case sub == "ember-info" && len(args) == 0:
		out, err = ops.JoinInfo()
	case sub == "ember-status" && len(args) == 0:
		out, err = ops.StatusJSON()
	case sub == "ember-join" && len(args) > 0:
		seeds := make([]string, len(args))
		for i, a := range args {
			seeds[i] = string(a)
		}
		err = ops.JoinCluster(seeds)
	case sub == "meet" && (len(args) == 2 || len(args) == 3):
		seed := net.JoinHostPort(string(args[0]), string(args[1]))
		if len(args) == 3 { // Redis's optional cluster bus port
			seed += "@" + string(args[2])
		}
		err = ops.JoinCluster([]string{seed})
	case sub == "ember-leave" && len(args) == 0:
		err = ops.Leave()
	case (sub == "ember-remove" || sub == "forget") && len(args) == 1:
		err = ops.Forget(string(args[0]), false)
	case sub == "ember-remove" && len(args) == 2 && strings.EqualFold(string(args[1]), "force"):
		err = ops.Forget(string(args[0]), true)
	default:
		c.w.Error(subArityError("cluster", []byte(sub)))
		return
	}
	switch {
	case err != nil:
		c.w.Error("ERR " + err.Error())
	case out != nil:
		c.w.Bulk(out)
	default:
		c.w.Simple("OK")
	}
}
