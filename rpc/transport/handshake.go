package transport

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"time"
)

// The handshake (protocol version 2) is a challenge-response in both
// directions, so that nothing captured from one connection opens another:
//
//	dialer   -> acceptor  hello:     magic(4) version(1) kind(1) group(4) dialer-nonce(16)
//	acceptor -> dialer    challenge: acceptor-nonce(16) HMAC(secret, "acceptor" hello acceptor-nonce)(32)
//	dialer   -> acceptor  proof:     HMAC(secret, "dialer" hello acceptor-nonce)(32)
//
// The acceptor's nonce is fresh on every connection, so a replayed proof
// fails; the dialer's nonce is fresh too, so a replayed challenge fails,
// and the dialer checks the acceptor's MAC before it proves anything (a
// peer with another secret learns nothing from it, and the dialer can
// say the secrets differ). The labels keep one side's MAC from serving as
// the other's. A dialer sends its first bytes of payload right after its
// proof: one round trip more than a bare TCP connect.
var magic = [4]byte{'E', 'M', 'B', 'R'}

const (
	version   = 2
	nonceSize = 16
	macSize   = sha256.Size
	helloSize = 4 + 1 + 1 + 4 + nonceSize
	challSize = nonceSize + macSize
	// headerTimeout bounds how long a peer may take over its handshake.
	headerTimeout = 5 * time.Second
)

var (
	labelAcceptor = []byte("ember-node acceptor v2")
	labelDialer   = []byte("ember-node dialer v2")
)

// mac returns HMAC-SHA256 under the secret of label, hello and nonce.
func (m *Mux) mac(label, hello, nonce []byte) []byte {
	h := hmac.New(sha256.New, m.secret)
	h.Write(label)
	h.Write(hello)
	h.Write(nonce)
	return h.Sum(nil)
}

func newNonce() []byte {
	b := make([]byte, nonceSize)
	rand.Read(b)
	return b
}

// accept runs the acceptor's side on c and returns what the peer asked
// for, once it proved it knows the secret.
func (m *Mux) accept(c net.Conn) (Kind, uint32, error) {
	var hello [helloSize]byte
	if _, err := io.ReadFull(c, hello[:]); err != nil {
		return 0, 0, fmt.Errorf("%w: hello: %w", errHandshake, err)
	}
	if [4]byte(hello[:4]) != magic {
		return 0, 0, ErrBadMagic
	}
	if hello[4] != version {
		return 0, 0, fmt.Errorf("%w %d (this node speaks %d)", ErrBadVersion, hello[4], version)
	}
	nonce := newNonce()
	chall := append(nonce, m.mac(labelAcceptor, hello[:], nonce)...)
	if _, err := c.Write(chall); err != nil {
		return 0, 0, fmt.Errorf("%w: challenge: %w", errHandshake, err)
	}
	var proof [macSize]byte
	if _, err := io.ReadFull(c, proof[:]); err != nil {
		return 0, 0, fmt.Errorf("%w: proof: %w", errHandshake, err)
	}
	if !hmac.Equal(proof[:], m.mac(labelDialer, hello[:], nonce)) {
		return 0, 0, ErrAuth
	}
	return Kind(hello[5]), binary.BigEndian.Uint32(hello[6:10]), nil
}

// dial runs the dialer's side on c.
func (m *Mux) dial(c net.Conn, kind Kind, group uint32) error {
	hello := make([]byte, 0, helloSize)
	hello = append(hello, magic[:]...)
	hello = append(hello, version, byte(kind))
	hello = binary.BigEndian.AppendUint32(hello, group)
	hello = append(hello, newNonce()...)
	if _, err := c.Write(hello); err != nil {
		return fmt.Errorf("send hello: %w", err)
	}
	var chall [challSize]byte
	if _, err := io.ReadFull(c, chall[:]); err != nil {
		return fmt.Errorf("no challenge from the peer (closed, not an ember-node cluster port, or a version before %d): %w", version, err)
	}
	nonce := chall[:nonceSize]
	if !hmac.Equal(chall[nonceSize:], m.mac(labelAcceptor, hello, nonce)) {
		// A proof of zeros proves nothing, and lets the acceptor log a
		// failed secret rather than a connection cut short.
		c.Write(make([]byte, macSize))
		return ErrSecretMismatch
	}
	if _, err := c.Write(m.mac(labelDialer, hello, nonce)); err != nil {
		return fmt.Errorf("send proof: %w", err)
	}
	return nil
}
