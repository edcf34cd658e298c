package cluster

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"time"

	"github.com/ember-node/ember-node/rpc/transport"
)

// Node-to-node calls (a joiner's JoinInfo, a leader asking how far a
// replica has applied) travel on the cluster port (transport KindAdmin),
// authenticated like the Raft streams, one JSON request and one JSON reply
// per connection.

const (
	opApplied  = "applied"
	opJoinInfo = "join-info"
)

type adminRequest struct {
	Op    string `json:"op"`
	Shard int    `json:"shard"`
}

type adminReply struct {
	Applied uint64    `json:"applied"`
	Join    *JoinInfo `json:"join,omitempty"`
	Err     string    `json:"err,omitempty"`
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
	case opApplied:
		if g := n.groupByID(req.Shard); g != nil {
			rep.Applied = g.FSM().Applied()
		} else {
			rep.Err = "no such shard here"
		}
	case opJoinInfo:
		info := n.joinInfo()
		rep.Join = &info
	default:
		rep.Err = "unknown op " + req.Op
	}
	json.NewEncoder(c).Encode(rep)
}

// adminCall sends req to the node at clusterAddr and decodes its reply
// into rep; a reply that carries an error is returned as one.
func (n *Node) adminCall(clusterAddr string, req adminRequest, rep *adminReply) error {
	c, err := n.mux.Dial(clusterAddr, transport.KindAdmin, 0, adminTimeout)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(adminTimeout))
	if err := json.NewEncoder(c).Encode(req); err != nil {
		return err
	}
	if err := json.NewDecoder(bufio.NewReader(c)).Decode(rep); err != nil {
		return err
	}
	if rep.Err != "" {
		return fmt.Errorf("%s: %s", clusterAddr, rep.Err)
	}
	return nil
}

// askApplied asks the node at clusterAddr how far its replica of shard
// has applied.
func (n *Node) askApplied(clusterAddr string, shard int) (uint64, error) {
	var rep adminReply
	if err := n.adminCall(clusterAddr, adminRequest{Op: opApplied, Shard: shard}, &rep); err != nil {
		return 0, err
	}
	return rep.Applied, nil
}
