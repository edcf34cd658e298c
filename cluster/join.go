package cluster

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"time"

	"github.com/ember-node/ember-node/rpc/resp"
)

// JoinInfo is what a running node tells a node that wants to join: the
// shard count and where to gossip.
type JoinInfo struct {
	ID     string   `json:"id"`
	Shards int      `json:"shards"`
	Gossip []string `json:"gossip"`
}

// JoinInfo implements the server side of CLUSTER EMBER-INFO.
func (n *Node) JoinInfo() ([]byte, error) {
	info := JoinInfo{ID: n.id, Shards: n.shardCount()}
	v := n.rt.view()
	for _, nd := range v.Nodes {
		if m, ok := n.rt.nodeMeta(nd.ID); ok && nd.Alive && m.Gossip != "" {
			info.Gossip = append(info.Gossip, m.Gossip)
		}
	}
	return json.Marshal(info)
}

// joinRetry is how long a joining node keeps trying its seeds: nodes of a
// cluster usually start together, and the seed may still be starting.
const joinRetry = 60 * time.Second

// fetchClusterInfo asks the first reachable node of seeds (client
// addresses) for its JoinInfo over RESP, with AUTH when password is set,
// retrying for a while.
func fetchClusterInfo(seeds []string, password string) (JoinInfo, error) {
	deadline := time.Now().Add(joinRetry)
	for {
		info, err := tryClusterInfo(seeds, password)
		if err == nil || time.Now().After(deadline) {
			return info, err
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func tryClusterInfo(seeds []string, password string) (JoinInfo, error) {
	var errs []error
	for _, addr := range seeds {
		info, err := askJoinInfo(addr, password)
		if err == nil {
			if info.Shards < 1 || len(info.Gossip) == 0 {
				err = fmt.Errorf("%s: node has no gossip address (started without clustering?)", addr)
			} else {
				return info, nil
			}
		}
		errs = append(errs, err)
	}
	return JoinInfo{}, fmt.Errorf("cluster: no node to join answered: %v", errs)
}

func askJoinInfo(addr, pass string) (JoinInfo, error) {
	var info JoinInfo
	c, err := net.DialTimeout("tcp", addr, 3*time.Second)
	if err != nil {
		return info, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	rd := bufio.NewReader(c)
	if pass != "" {
		c.Write(resp.AppendCommand(nil, []byte("AUTH"), []byte(pass)))
		if v, err := resp.ReadValue(rd); err != nil || v.Type == '-' {
			return info, fmt.Errorf("%s: AUTH: %v %s", addr, err, v.Str)
		}
	}
	c.Write(resp.AppendCommand(nil, []byte("CLUSTER"), []byte("EMBER-INFO")))
	v, err := resp.ReadValue(rd)
	if err != nil {
		return info, fmt.Errorf("%s: %w", addr, err)
	}
	if v.Type == '-' {
		return info, fmt.Errorf("%s: %s", addr, v.Str)
	}
	if err := json.Unmarshal([]byte(v.Str), &info); err != nil {
		return info, fmt.Errorf("%s: bad join info: %w", addr, err)
	}
	return info, nil
}
