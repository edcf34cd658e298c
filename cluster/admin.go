package cluster

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"time"

	"github.com/ember-node/ember-node/rpc/transport"
)

// Admin calls between nodes travel on the cluster port (transport
// KindAdmin), one JSON request and one JSON reply per connection.

type adminRequest struct {
	Op    string `json:"op"`
	Shard int    `json:"shard"`
}

type adminReply struct {
	Applied uint64 `json:"applied"`
	Err     string `json:"err,omitempty"`
}

const adminTimeout = 3 * time.Second

// serveAdmin answers one admin connection.
func (n *Node) serveAdmin(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(adminTimeout))
	var req adminRequest
	if err := json.NewDecoder(bufio.NewReader(c)).Decode(&req); err != nil {
		n.log.Warn("malformed admin request", "remote", c.RemoteAddr().String(), "error", err)
		return
	}
	var rep adminReply
	switch req.Op {
	case "applied":
		if g := n.groupByID(req.Shard); g != nil {
			rep.Applied = g.fsm.Applied()
		} else {
			rep.Err = "no such shard here"
		}
	default:
		rep.Err = "unknown op " + req.Op
	}
	json.NewEncoder(c).Encode(rep)
}

// askApplied asks the node at clusterAddr how far its replica of shard
// has applied.
func (n *Node) askApplied(clusterAddr string, shard int) (uint64, error) {
	c, err := n.mux.Dial(clusterAddr, transport.KindAdmin, 0, adminTimeout)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(adminTimeout))
	if err := json.NewEncoder(c).Encode(adminRequest{Op: "applied", Shard: shard}); err != nil {
		return 0, err
	}
	var rep adminReply
	if err := json.NewDecoder(bufio.NewReader(c)).Decode(&rep); err != nil {
		return 0, err
	}
	if rep.Err != "" {
		return 0, fmt.Errorf("%s: %s", clusterAddr, rep.Err)
	}
	return rep.Applied, nil
}
