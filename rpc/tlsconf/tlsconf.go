// Package tlsconf builds the TLS configuration of a port from files, with
// Redis 6+'s option names and meaning: tls-cert-file, tls-key-file,
// tls-ca-cert-file and tls-auth-clients. It is a leaf: the client port
// (rpc/server) and the operator's tools use it, and so may the cluster
// port.
package tlsconf

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
)

// AuthClients is Redis's tls-auth-clients: whether a client must present
// a certificate signed by the CA.
type AuthClients int

const (
	// AuthYes requires a client certificate (Redis's default).
	AuthYes AuthClients = iota
	// AuthNo asks for none and ignores one sent.
	AuthNo
	// AuthOptional verifies a certificate when the client sends one and
	// accepts a client without.
	AuthOptional
)

// ParseAuthClients reads yes, no or optional.
func ParseAuthClients(s string) (AuthClients, error) {
	switch s {
	case "yes":
		return AuthYes, nil
	case "no":
		return AuthNo, nil
	case "optional":
		return AuthOptional, nil
	}
	return 0, fmt.Errorf("tls-auth-clients %q: want yes, no or optional", s)
}

func (a AuthClients) String() string {
	return [...]string{"yes", "no", "optional"}[a]
}

// clientAuth maps Redis's setting to crypto/tls's: yes is SSL_VERIFY_PEER
// with SSL_VERIFY_FAIL_IF_NO_PEER_CERT, optional is SSL_VERIFY_PEER alone.
func (a AuthClients) clientAuth() tls.ClientAuthType {
	switch a {
	case AuthNo:
		return tls.NoClientCert
	case AuthOptional:
		return tls.VerifyClientCertIfGiven
	}
	return tls.RequireAndVerifyClientCert
}

// Files are the PEM files of a TLS port.
type Files struct {
	// Cert and Key are the server's certificate (chain) and private key.
	Cert, Key string
	// CA holds the certificates that sign clients' certificates (for the
	// server) or the server's (for a client).
	CA string
	// AuthClients says whether clients must present a certificate.
	AuthClients AuthClients
}

// Errors of a server configuration that Redis refuses to start with.
var (
	// ErrNoCert: a TLS port without a certificate.
	ErrNoCert = errors.New("no tls-cert-file configured")
	// ErrNoKey: a TLS port without a private key.
	ErrNoKey = errors.New("no tls-key-file configured")
	// ErrNoCA is Redis 7's message when client certificates are to be
	// verified without a CA to verify them by.
	ErrNoCA = errors.New("either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled")
)

// Server returns the configuration of a TLS listener: TLS 1.2 and 1.3
// (Redis's default tls-protocols), the server's certificate, and the
// client verification AuthClients asks for.
func (f Files) Server() (*tls.Config, error) {
	switch {
	case f.Cert == "":
		return nil, ErrNoCert
	case f.Key == "":
		return nil, ErrNoKey
	case f.CA == "" && f.AuthClients != AuthNo:
		return nil, ErrNoCA
	}
	cert, err := tls.LoadX509KeyPair(f.Cert, f.Key)
	if err != nil {
		return nil, fmt.Errorf("tls: load %s and %s: %w", f.Cert, f.Key, err)
	}
	cfg := &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{cert},
		ClientAuth:   f.AuthClients.clientAuth(),
	}
	if f.CA != "" {
		if cfg.ClientCAs, err = loadPool(f.CA); err != nil {
			return nil, err
		}
	}
	return cfg, nil
}

// Client returns the configuration of a client of a TLS port: the server
// is verified by CA (the system's roots when empty), and the client
// presents Cert and Key when both are given.
func (f Files) Client() (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	var err error
	if f.CA != "" {
		if cfg.RootCAs, err = loadPool(f.CA); err != nil {
			return nil, err
		}
	}
	if (f.Cert == "") != (f.Key == "") {
		return nil, errors.New("tls: a client certificate needs both the certificate and the key file")
	}
	if f.Cert != "" {
		cert, err := tls.LoadX509KeyPair(f.Cert, f.Key)
		if err != nil {
			return nil, fmt.Errorf("tls: load %s and %s: %w", f.Cert, f.Key, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// loadPool reads the PEM certificates of path.
func loadPool(path string) (*x509.CertPool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("tls: read CA certificates: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("tls: no PEM certificate in %s", path)
	}
	return pool, nil
}
