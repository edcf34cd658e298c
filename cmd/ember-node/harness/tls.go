package harness

import (
	"bufio"
	"crypto/tls"
	"net"
	"time"
)

// DialTLS connects to addr over TLS with cfg (within a second, handshake
// included). With TLS 1.3 a server that refuses the client's certificate
// says so after the client's handshake is done: the first reply fails.
func DialTLS(addr string, cfg *tls.Config) (*Client, error) {
	d := &net.Dialer{Timeout: time.Second}
	c, err := tls.DialWithDialer(d, "tcp", addr, cfg)
	if err != nil {
		return nil, err
	}
	return &Client{Conn: c, r: bufio.NewReader(c), Timeout: 10 * time.Second}, nil
}

// PingTLS reports whether addr answers PING with +PONG over TLS within a
// second.
func PingTLS(addr string, cfg *tls.Config) bool { return pinged(DialTLS(addr, cfg)) }

// ping reports whether the node serves: over TLS when it was started
// with a TLSClient, on its plain port otherwise.
func (n *Node) ping() bool {
	if n.tlsClient != nil {
		return PingTLS(n.TLSAddr, n.tlsClient)
	}
	return Ping(n.Addr)
}
