package cluster

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/ember-node/ember-node/rpc/transport"
)

// JoinInfo is what a running node tells a node that wants to join: the
// shard count and where to gossip.
type JoinInfo struct {
	ID     string   `json:"id"`
	Shards int      `json:"shards"`
	Gossip []string `json:"gossip"`
}

// JoinInfo is this node's answer to a joiner, as JSON (also CLUSTER
// EMBER-INFO, for operators).
func (n *Node) JoinInfo() ([]byte, error) { return json.Marshal(n.joinInfo()) }

func (n *Node) joinInfo() JoinInfo {
	info := JoinInfo{ID: n.id, Shards: n.shardCount()}
	v := n.rt.view()
	for _, nd := range v.Nodes {
		if m, ok := n.rt.nodeMeta(nd.ID); ok && nd.Alive && m.Gossip != "" {
			info.Gossip = append(info.Gossip, m.Gossip)
		}
	}
	return info
}

// ErrSecretRefused: the cluster to join does not share this node's
// secret, so it refuses the node (and the node it).
var ErrSecretRefused = errors.New("cluster: the cluster refused this node's cluster secret: " +
	"start the node with the secret of the cluster it joins (--cluster-secret-file, --cluster-secret or EMBER_CLUSTER_SECRET)")

// ErrTLSRefused: the TLS handshake with the cluster to join failed
// (--tls-cluster on one side only, or certificates of another CA).
var ErrTLSRefused = errors.New("cluster: TLS with the cluster to join failed: every node needs --tls-cluster and a certificate of the same CA")

// joinRetry is how long a joining node keeps trying its seeds: nodes of a
// cluster usually start together, and the seed may still be starting.
const joinRetry = 60 * time.Second

// fetchJoinInfo asks the first reachable node of seeds for its JoinInfo,
// retrying for a while.
func (n *Node) fetchJoinInfo(seeds []string) (JoinInfo, error) {
	deadline := time.Now().Add(joinRetry)
	for {
		info, err := n.tryJoinInfo(seeds)
		if err == nil || errors.Is(err, ErrSecretRefused) || errors.Is(err, ErrTLSRefused) || time.Now().After(deadline) {
			return info, err
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// tryJoinInfo asks each seed once, on its cluster port: seeds are client
// addresses as operators know them, host:port, with the cluster port
// port+10000 unless named as host:port@cport (Redis's notation).
func (n *Node) tryJoinInfo(seeds []string) (JoinInfo, error) {
	var errs []error
	for _, seed := range seeds {
		addr, err := SeedClusterAddr(seed)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		var rep adminReply
		err = n.adminCall(addr, adminRequest{Op: opJoinInfo}, &rep)
		if errors.Is(err, transport.ErrSecretMismatch) {
			return JoinInfo{}, fmt.Errorf("%w: %s answered with another secret than this node's", ErrSecretRefused, seed)
		}
		if errors.Is(err, transport.ErrTLS) {
			return JoinInfo{}, fmt.Errorf("%w: %s: %w", ErrTLSRefused, seed, err)
		}
		if err == nil {
			if rep.Join == nil || rep.Join.Shards < 1 || len(rep.Join.Gossip) == 0 {
				err = fmt.Errorf("%s: node has no gossip address (started without clustering?)", seed)
			} else {
				return *rep.Join, nil
			}
		}
		errs = append(errs, fmt.Errorf("%s: %w", seed, err))
	}
	return JoinInfo{}, fmt.Errorf("cluster: no node to join answered: %v", errs)
}

// SeedClusterAddr returns the cluster (node-to-node) address of a seed
// given as host:port or host:port@cport.
func SeedClusterAddr(seed string) (string, error) {
	client, cport, named := strings.Cut(seed, "@")
	host, port, err := net.SplitHostPort(client)
	if err != nil {
		return "", fmt.Errorf("seed %q: %w", seed, err)
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 1 || p > 65535 {
		return "", fmt.Errorf("seed %q: bad port", seed)
	}
	if !named {
		if p+10000 > 65535 {
			return "", fmt.Errorf("seed %q: port+10000 is out of range; name the cluster port as host:port@cport", seed)
		}
		return net.JoinHostPort(host, strconv.Itoa(p+10000)), nil
	}
	c, err := strconv.Atoi(cport)
	if err != nil || c < 1 || c > 65535 {
		return "", fmt.Errorf("seed %q: bad cluster port", seed)
	}
	return net.JoinHostPort(host, cport), nil
}
