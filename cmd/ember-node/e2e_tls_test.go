package main

import (
	"context"
	"io"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ember-node/ember-node/cmd/ember-node/harness"
	"github.com/ember-node/ember-node/rpc/tlsconf/tlstest"
	"github.com/redis/go-redis/v9"
)

// redisCLI runs redis-cli with args and returns its trimmed output.
func redisCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "redis-cli", args...).CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// tlsCLIArgs are redis-cli's options to reach addr over TLS.
func tlsCLIArgs(addr string, c *tlstest.Certs, withCert bool) []string {
	host, port, _ := net.SplitHostPort(addr)
	args := []string{"-h", host, "-p", port, "--tls", "--cacert", c.CA}
	if withCert {
		args = append(args, "--cert", c.ClientCert, "--key", c.ClientKey)
	}
	return args
}

// TestE2ETLSClients: TLS for clients as Redis 6+ serves it, with
// tls-auth-clients yes (the default): redis-cli --tls and go-redis with a
// tls.Config are served with a client certificate and refused without
// one; plain text on the TLS port gets nothing back; the plain port keeps
// serving plain clients the same keyspace.
func TestE2ETLSClients(t *testing.T) {
	t.Parallel()
	certs := tlstest.New(t)
	n := harness.StartNode(t, harness.Config{TLS: true,
		Flags: append(certs.Flags("yes"), "--store", "memory", "--log-level", "warn")})

	cli := tlsCLIArgs(n.TLSAddr, certs, true)
	if out, err := redisCLI(t, append(cli, "SET", "cli", "over-tls")...); err != nil || out != "OK" {
		t.Fatalf("redis-cli --tls SET: %q, %v", out, err)
	}
	if out, _ := redisCLI(t, append(tlsCLIArgs(n.TLSAddr, certs, false), "GET", "cli")...); strings.Contains(out, "over-tls") {
		t.Errorf("redis-cli without a client certificate was served: %q", out)
	}

	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: n.TLSAddr, TLSConfig: certs.Client(t, true), MaxRetries: -1})
	defer rdb.Close()
	if v, err := rdb.Get(ctx, "cli").Result(); err != nil || v != "over-tls" {
		t.Fatalf("go-redis over TLS: GET = %q, %v", v, err)
	}
	if err := rdb.Set(ctx, "go", "redis", 0).Err(); err != nil {
		t.Fatalf("go-redis over TLS: SET: %v", err)
	}
	noCert := redis.NewClient(&redis.Options{Addr: n.TLSAddr, TLSConfig: certs.Client(t, false), MaxRetries: -1})
	defer noCert.Close()
	if v, err := noCert.Get(ctx, "go").Result(); err == nil {
		t.Errorf("go-redis without a client certificate was served: %q", v)
	}

	if got := plainOnTLSPort(t, n.TLSAddr); len(got) != 0 {
		t.Errorf("plain RESP on the TLS port got %q back; want nothing", got)
	}
	harness.MustDial(t, n.Addr).Expect(t, `$"redis"`, "GET", "go")
}

// plainOnTLSPort sends a plain-text PING to addr and returns every byte
// that comes back before the connection closes.
func plainOnTLSPort(t *testing.T, addr string) []byte {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(15 * time.Second))
	c.Write([]byte("*1\r\n$4\r\nPING\r\n"))
	got, err := io.ReadAll(c)
	if err != nil {
		t.Errorf("plain client on the TLS port: %v (want the connection closed)", err)
	}
	return got
}

// TestE2ETLSOnly: --port 0 with a TLS port serves TLS only (as Redis),
// configured through the EMBER_TLS_* environment; tls-auth-clients
// optional serves a client without a certificate.
func TestE2ETLSOnly(t *testing.T) {
	t.Parallel()
	certs := tlstest.New(t)
	n := harness.StartNode(t, harness.Config{TLS: true, TLSClient: certs.Client(t, false),
		Flags: []string{"--port", "0", "--shards", "2", "--fsync", "no", "--log-level", "warn"},
		Env: []string{"EMBER_TLS_CERT_FILE=" + certs.Cert, "EMBER_TLS_KEY_FILE=" + certs.Key,
			"EMBER_TLS_CA_CERT_FILE=" + certs.CA, "EMBER_TLS_AUTH_CLIENTS=optional"}})
	for _, withCert := range []bool{false, true} {
		c, err := harness.DialTLS(n.TLSAddr, certs.Client(t, withCert))
		if err != nil {
			t.Fatal(err)
		}
		c.Expect(t, `+"OK"`, "SET", "k", "v")
		c.Expect(t, `$"v"`, "GET", "k")
		_, port, _ := net.SplitHostPort(n.TLSAddr)
		c.Expect(t, `*[$"port" $"0" $"tls-port" $"`+port+`" $"tls-auth-clients" $"optional"]`,
			"CONFIG", "GET", "port", "tls-port", "tls-auth-clients")
		c.Close()
	}
	if c, err := net.DialTimeout("tcp", n.Addr, time.Second); err == nil {
		c.Close()
		t.Errorf("--port 0: the plain port %s accepts connections", n.Addr)
	}
}

// TestE2ETLSRefusesBadConfig: a TLS port the node cannot serve stops the
// start with a message naming the problem, as redis-server does.
func TestE2ETLSRefusesBadConfig(t *testing.T) {
	t.Parallel()
	certs := tlstest.New(t)
	for _, tt := range []struct {
		name  string
		flags []string
		want  string
	}{
		{"no cert", []string{"--tls-key-file", certs.Key, "--tls-ca-cert-file", certs.CA}, "no tls-cert-file configured"},
		{"no CA", []string{"--tls-cert-file", certs.Cert, "--tls-key-file", certs.Key}, "tls-ca-cert-file"},
		{"bad auth", certs.Flags("maybe"), `tls-auth-clients "maybe"`},
		{"key of another cert", []string{"--tls-cert-file", certs.Cert, "--tls-key-file", certs.ClientKey, "--tls-ca-cert-file", certs.CA}, "private key does not match"},
		{"port 0 without TLS", []string{"--port", "0"}, "--port 0 serves no clients"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n := harness.NewNode(t, harness.Config{TLS: tt.name != "port 0 without TLS",
				Flags: append(tt.flags, "--store", "memory")})
			n.Start()
			if code, served := n.WaitExit(30 * time.Second); code == 0 || served {
				t.Fatalf("exit code %d, served %v", code, served)
			}
			if log := n.Log(); !strings.Contains(log, tt.want) {
				t.Errorf("log lacks %q:\n%s", tt.want, n.Tail(10))
			}
		})
	}
}
