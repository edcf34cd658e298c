package transport

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"testing"
	"time"
)

// testCA is a certificate authority made for one test; nothing is
// committed.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test cluster CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testCA{cert: cert, key: key, pool: pool}
}

// leaf returns a node certificate signed by the CA.
func (ca *testCA) leaf(t *testing.T, name string) tls.Certificate {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func tlsMux(t *testing.T, ca *testCA, name string, logs io.Writer) *Mux {
	t.Helper()
	m := newMux(t, "s", logs)
	m.SetTLS(MutualTLS(ca.leaf(t, name), ca.pool))
	return m
}

// With --tls-cluster, peers holding certificates of the cluster's CA talk;
// a peer with a certificate of another CA, or without TLS, is refused,
// whichever side it is on.
func TestMutualTLS(t *testing.T) {
	t.Parallel()
	ca, rogue := newTestCA(t), newTestCA(t)
	var logs logBuf
	b := tlsMux(t, ca, "b", &logs)
	echoGroup(b, 1)
	c, err := tlsMux(t, ca, "a", io.Discard).Dial(b.Addr().String(), KindRaft, 1, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := roundTrip(t, c); err != nil {
		t.Fatal(err)
	}
	c.Close()

	cases := []struct {
		name string
		from *Mux
		to   string
	}{
		{"dialer with another CA's certificate", tlsMux(t, rogue, "rogue", io.Discard), b.Addr().String()},
		{"dialer without TLS", newMux(t, "s", io.Discard), b.Addr().String()},
		{"acceptor with another CA's certificate", tlsMux(t, ca, "a", io.Discard), servingMux(t, tlsMux(t, rogue, "rogue", io.Discard))},
	}
	for _, tc := range cases {
		if c, err := tc.from.Dial(tc.to, KindRaft, 1, time.Second); err == nil && echoed(c) {
			t.Errorf("%s: served", tc.name)
		}
	}
	waitLog(t, &logs, "TLS handshake failed")
}

func servingMux(t *testing.T, m *Mux) string {
	echoGroup(m, 1)
	return m.Addr().String()
}
