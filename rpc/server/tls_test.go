package server

import (
	"bufio"
	"crypto/tls"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ember-node/ember-node/rpc/tlsconf"
	"github.com/ember-node/ember-node/rpc/tlsconf/tlstest"
	"github.com/ember-node/ember-node/shard/command"
	"github.com/ember-node/ember-node/shard/local"
	"github.com/ember-node/ember-node/shard/store"
)

// tlsServer is a server on a plain port (unless TLS only) and a TLS port.
type tlsServer struct {
	plain, tls string // addresses; plain is "" when TLS only
	certs      *tlstest.Certs
}

func startTLSServer(t *testing.T, auth tlsconf.AuthClients, tlsOnly bool, mod func(*Config)) tlsServer {
	t.Helper()
	certs := tlstest.New(t)
	tcfg, err := certs.Files(auth).Server()
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Addr, cfg.TLSAddr, cfg.TLS = "127.0.0.1:0", "127.0.0.1:0", tcfg
	if tlsOnly {
		cfg.Addr = ""
	}
	if mod != nil {
		mod(&cfg)
	}
	table := command.NewTable()
	srv, err := NewServer(cfg, local.New(table), table, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ts := tlsServer{certs: certs}
	if !tlsOnly {
		ln, err := srv.Listen()
		if err != nil {
			t.Fatal(err)
		}
		go srv.Serve(ln)
		ts.plain = ln.Addr().String()
	}
	ln, err := srv.ListenTLS()
	if err != nil {
		t.Fatal(err)
	}
	go srv.ServeTLS(ln)
	ts.tls = ln.Addr().String()
	return ts
}

// dialTLS connects to addr over TLS with cfg; the handshake may still
// fail on the server's side (TLS 1.3 verifies the client's certificate
// after the client is done), which the first read then reports.
func dialTLS(t *testing.T, addr string, cfg *tls.Config) (*testConn, error) {
	t.Helper()
	d := &net.Dialer{Timeout: 5 * time.Second}
	c, err := tls.DialWithDialer(d, "tcp", addr, cfg)
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	return &testConn{t: t, c: c, rd: bufio.NewReader(c)}, nil
}

// pingTLS reports whether a client with cfg gets PONG on the TLS port.
func pingTLS(t *testing.T, addr string, cfg *tls.Config) bool {
	t.Helper()
	tc, err := dialTLS(t, addr, cfg)
	if err != nil {
		return false
	}
	tc.send("PING")
	line, err := tc.rd.ReadString('\n')
	return err == nil && line == "+PONG\r\n"
}

// TestTLSAuthClients: tls-auth-clients yes requires a certificate signed
// by the CA, optional verifies one when sent, no asks for none (Redis).
func TestTLSAuthClients(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		auth               tlsconf.AuthClients
		withCert, withoutC bool
	}{
		{tlsconf.AuthYes, true, false},
		{tlsconf.AuthOptional, true, true},
		{tlsconf.AuthNo, true, true},
	} {
		t.Run(tt.auth.String(), func(t *testing.T) {
			t.Parallel()
			ts := startTLSServer(t, tt.auth, false, nil)
			if got := pingTLS(t, ts.tls, ts.certs.Client(t, true)); got != tt.withCert {
				t.Errorf("client with a certificate served: %v, want %v", got, tt.withCert)
			}
			if got := pingTLS(t, ts.tls, ts.certs.Client(t, false)); got != tt.withoutC {
				t.Errorf("client without a certificate served: %v, want %v", got, tt.withoutC)
			}
		})
	}
}

// TestTLSRefusesForeignCertificate: a client certificate that the CA did
// not sign is refused even when certificates are optional.
func TestTLSRefusesForeignCertificate(t *testing.T) {
	t.Parallel()
	ts := startTLSServer(t, tlsconf.AuthOptional, false, nil)
	other := tlstest.New(t)
	cfg := ts.certs.Client(t, false)
	cfg.Certificates = other.Client(t, true).Certificates
	if pingTLS(t, ts.tls, cfg) {
		t.Fatal("a certificate from another CA was accepted")
	}
}

// TestTLSPortPlainClientGetsNothing: RESP in plain text on the TLS port
// gets not one byte back, and the connection is closed; the plain port
// goes on serving.
func TestTLSPortPlainClientGetsNothing(t *testing.T) {
	t.Parallel()
	ts := startTLSServer(t, tlsconf.AuthNo, false, nil)
	for _, in := range []string{"*1\r\n$4\r\nPING\r\n", "PING\r\n", "GET / HTTP/1.1\r\n\r\n"} {
		tc := dial(t, ts.tls)
		tc.c.Write([]byte(in))
		got, err := io.ReadAll(tc.rd)
		if len(got) != 0 || err != nil {
			t.Errorf("%q on the TLS port: got %q, %v; want nothing and EOF", in, got, err)
		}
	}
	dial(t, ts.plain).expect(`+"PONG"`, "PING")
}

// TestTLSOnly: with no plain port (Redis's port 0), TLS clients are
// served, and CLUSTER SLOTS names the TLS port.
func TestTLSOnly(t *testing.T) {
	t.Parallel()
	ts := startTLSServer(t, tlsconf.AuthYes, true, func(c *Config) { c.Cluster = true })
	tc, err := dialTLS(t, ts.tls, ts.certs.Client(t, true))
	if err != nil {
		t.Fatal(err)
	}
	tc.expect(`+"OK"`, "SET", "k", "v")
	tc.expect(`$"v"`, "GET", "k")
	host, port := store.SplitAddr(ts.tls)
	if got := tc.do("CLUSTER", "SLOTS"); !strings.Contains(got, `$"`+host+`" :`+itoa(port)+` `) {
		t.Errorf("CLUSTER SLOTS over TLS only: %s", got)
	}
	tc.expect(`*[$"port" $"0"]`, "CONFIG", "GET", "port")
	tc.expect(`*[$"tls-auth-clients" $"yes"]`, "CONFIG", "GET", "tls-auth-clients")
	if got := tc.do("INFO", "server"); !strings.Contains(got, "tcp_port:0") {
		t.Errorf("INFO server over TLS only: %s", got)
	}
	if got := tc.do("CLUSTER", "SHARDS"); strings.Contains(got, `$"port"`) || !strings.Contains(got, `$"tls-port" :`+itoa(port)) {
		t.Errorf("CLUSTER SHARDS over TLS only: %s", got)
	}
}

// TestTLSClusterAddresses: a client on the TLS port is told TLS
// addresses, a client on the plain port plain ones (Redis 7 with
// tls-cluster), in CLUSTER SLOTS and NODES; CLUSTER SHARDS gives both
// ports to both.
func TestTLSClusterAddresses(t *testing.T) {
	t.Parallel()
	ts := startTLSServer(t, tlsconf.AuthYes, false, func(c *Config) { c.Cluster = true })
	secure, err := dialTLS(t, ts.tls, ts.certs.Client(t, true))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		c    *testConn
		addr string
	}{
		{"tls", secure, ts.tls},
		{"plain", dial(t, ts.plain), ts.plain},
	} {
		host, port := store.SplitAddr(tt.addr)
		if got := tt.c.do("CLUSTER", "SLOTS"); !strings.Contains(got, `$"`+host+`" :`+itoa(port)+` `) {
			t.Errorf("%s: CLUSTER SLOTS: %s", tt.name, got)
		}
		_, plainPort := store.SplitAddr(ts.plain)
		_, tlsPort := store.SplitAddr(ts.tls)
		if got := tt.c.do("CLUSTER", "SHARDS"); !strings.Contains(got, `$"port" :`+itoa(plainPort)+` $"tls-port" :`+itoa(tlsPort)+` `) {
			t.Errorf("%s: CLUSTER SHARDS (both ports to every client, as Redis 7): %s", tt.name, got)
		}
		if got := tt.c.do("CLUSTER", "NODES"); !strings.Contains(got, " "+tt.addr+"@") {
			t.Errorf("%s: CLUSTER NODES: %s", tt.name, got)
		}
	}
}

// TestTLSMaxClients: TLS clients count toward maxclients with the plain
// ones, and the one too many is told so over TLS.
func TestTLSMaxClients(t *testing.T) {
	t.Parallel()
	ts := startTLSServer(t, tlsconf.AuthNo, false, func(c *Config) { c.MaxClients = 1 })
	first := dial(t, ts.plain)
	first.expect(`+"PONG"`, "PING")
	second, err := dialTLS(t, ts.tls, ts.certs.Client(t, false))
	if err != nil {
		t.Fatal(err)
	}
	if got := second.read(); got != `-"ERR max number of clients reached"` {
		t.Fatalf("TLS client beyond maxclients: %s", got)
	}
	second.expectClosed()
}
