// Package tlstest makes the certificates of TLS tests with crypto/x509: a
// CA, a server certificate for 127.0.0.1 and localhost, and a client
// certificate, written as PEM files into a test's temporary folder. No
// certificate is ever committed.
package tlstest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ember-node/ember-node/rpc/tlsconf"
)

// Certs are the PEM files of one test's certificates.
type Certs struct {
	Dir        string
	CA         string // the CA's certificate
	Cert, Key  string // the server's (127.0.0.1, ::1, localhost)
	ClientCert string // a client's, signed by the CA
	ClientKey  string
}

// New makes a CA, a server and a client certificate in a fresh folder.
func New(t testing.TB) *Certs {
	t.Helper()
	dir := t.TempDir()
	c := &Certs{Dir: dir}
	caKey := newKey(t)
	caTmpl := template(1, "ember-node test CA")
	caTmpl.IsCA, caTmpl.BasicConstraintsValid = true, true
	caTmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature
	caDER := sign(t, caTmpl, caTmpl, caKey, caKey)
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	c.CA = writePEM(t, dir, "ca.crt", "CERTIFICATE", caDER)

	srv := template(2, "127.0.0.1")
	srv.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	srv.DNSNames = []string{"localhost"}
	srv.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	c.Cert, c.Key = issue(t, dir, "server", srv, ca, caKey)

	cli := template(3, "ember-node test client")
	cli.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	c.ClientCert, c.ClientKey = issue(t, dir, "client", cli, ca, caKey)
	return c
}

// Files are the server's files, with auth as tls-auth-clients.
func (c *Certs) Files(auth tlsconf.AuthClients) tlsconf.Files {
	return tlsconf.Files{Cert: c.Cert, Key: c.Key, CA: c.CA, AuthClients: auth}
}

// Client returns a client's configuration that trusts the CA and, when
// withCert, presents the client certificate.
func (c *Certs) Client(t testing.TB, withCert bool) *tls.Config {
	t.Helper()
	f := tlsconf.Files{CA: c.CA}
	if withCert {
		f.Cert, f.Key = c.ClientCert, c.ClientKey
	}
	cfg, err := f.Client()
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// Flags are ember-node's serve flags for these files.
func (c *Certs) Flags(auth string) []string {
	return []string{"--tls-cert-file", c.Cert, "--tls-key-file", c.Key,
		"--tls-ca-cert-file", c.CA, "--tls-auth-clients", auth}
}

func template(serial int64, cn string) *x509.Certificate {
	now := time.Now()
	return &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: cn, Organization: []string{"ember-node tests"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
}

// issue signs tmpl by the CA and writes NAME.crt and NAME.key.
func issue(t testing.TB, dir, name string, tmpl, ca *x509.Certificate, caKey *ecdsa.PrivateKey) (string, string) {
	key := newKey(t)
	der := sign(t, tmpl, ca, key, caKey)
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return writePEM(t, dir, name+".crt", "CERTIFICATE", der), writePEM(t, dir, name+".key", "PRIVATE KEY", keyDER)
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func sign(t testing.TB, tmpl, parent *x509.Certificate, key, parentKey *ecdsa.PrivateKey) []byte {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatalf("tlstest: sign %s: %v", tmpl.Subject.CommonName, err)
	}
	return der
}

func writePEM(t testing.TB, dir, name, typ string, der []byte) string {
	path := filepath.Join(dir, name)
	b := pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
