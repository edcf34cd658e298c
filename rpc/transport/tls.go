package transport

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"time"
)

// ErrTLS: the peer's TLS handshake failed (no certificate, one that the
// cluster's CA did not sign, or no TLS at all).
var ErrTLS = errors.New("transport: TLS handshake failed")

// TLSConfig builds the cluster port's TLS settings from PEM files: this
// node's certificate and key, and the CA that signs every node's
// certificate. Both sides present a certificate and both verify the
// other's against the CA (mutual TLS). Host names are not checked: peers
// dial each other by whatever address they advertise (a container name,
// an IP), and a certificate signed by the cluster's own CA is what
// makes a peer; use a CA of the cluster's own, not a public one.
func TLSConfig(certFile, keyFile, caFile string) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("cluster TLS: %w", err)
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("cluster TLS: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("cluster TLS: no certificate in %s", caFile)
	}
	return MutualTLS(cert, pool), nil
}

// MutualTLS returns settings where this node presents cert and accepts
// only peers whose certificates ca signed, in both directions.
func MutualTLS(cert tls.Certificate, ca *x509.CertPool) *tls.Config {
	verify := func(raw [][]byte, _ [][]*x509.Certificate) error { return verifyChain(raw, ca) }
	return &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{cert},
		ClientAuth:   tls.RequireAnyClientCert, // verified by VerifyPeerCertificate
		// The chain is verified against ca below, without a host name.
		InsecureSkipVerify:    true,
		VerifyPeerCertificate: verify,
	}
}

func verifyChain(raw [][]byte, ca *x509.CertPool) error {
	if len(raw) == 0 {
		return errors.New("no peer certificate")
	}
	certs := make([]*x509.Certificate, len(raw))
	for i, b := range raw {
		c, err := x509.ParseCertificate(b)
		if err != nil {
			return err
		}
		certs[i] = c
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	_, err := certs[0].Verify(x509.VerifyOptions{Roots: ca, Intermediates: inter,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	return err
}

// SetTLS makes the cluster port speak TLS (cfg from TLSConfig), under
// the secret's handshake. Call it before Serve and the first Dial.
func (m *Mux) SetTLS(cfg *tls.Config) {
	m.mu.Lock()
	m.tls = cfg
	m.mu.Unlock()
}

// secure runs the TLS handshake on c when TLS is on, as the server or the
// client; it returns c itself when TLS is off.
func (m *Mux) secure(c net.Conn, server bool, timeout time.Duration) (net.Conn, error) {
	m.mu.Lock()
	cfg := m.tls
	m.mu.Unlock()
	if cfg == nil {
		return c, nil
	}
	var tc *tls.Conn
	if server {
		tc = tls.Server(c, cfg)
	} else {
		tc = tls.Client(c, cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTLS, err)
	}
	return tc, nil
}
