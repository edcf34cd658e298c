package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"

	"github.com/ember-node/ember-node/cluster"
	"github.com/ember-node/ember-node/rpc/server"
	"github.com/ember-node/ember-node/rpc/tlsconf"
)

// tlsFlags are Redis 6+'s TLS options for the client port
// (docs/security.md, "TLS for clients").
type tlsFlags struct {
	port            int
	cert, key, ca   string
	authClients     string
	auth            tlsconf.AuthClients
	serverTLSConfig tlsconf.Files
}

func (t *tlsFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&t.port, "tls-port", envInt("EMBER_TLS_PORT", 0), "TLS client port (0: none); with --port 0 the node serves TLS only")
	// As in Redis, the TLS port and the cluster port (--tls-cluster)
	// share one certificate, key and CA.
	fs.StringVar(&t.cert, "tls-cert-file", env("EMBER_TLS_CERT_FILE", ""), "PEM certificate (chain) of this node: the TLS port's, and the cluster port's with --tls-cluster")
	fs.StringVar(&t.key, "tls-key-file", env("EMBER_TLS_KEY_FILE", ""), "PEM private key of --tls-cert-file")
	fs.StringVar(&t.ca, "tls-ca-cert-file", env("EMBER_TLS_CA_CERT_FILE", ""), "PEM CA certificates that sign clients' certificates (and every node's, with --tls-cluster)")
	fs.StringVar(&t.authClients, "tls-auth-clients", env("EMBER_TLS_AUTH_CLIENTS", "yes"), "yes: clients need a certificate signed by the CA; optional: verified when sent; no: none asked")
}

// check validates the flags against the plain port; cluster is
// --tls-cluster, which uses the same files.
func (t *tlsFlags) check(port int, cluster bool) error {
	var err error
	if t.auth, err = tlsconf.ParseAuthClients(t.authClients); err != nil {
		return fmt.Errorf("--%w", err)
	}
	switch {
	case t.port < 0 || t.port > 65535:
		return fmt.Errorf("--tls-port %d: out of range", t.port)
	case port == 0 && t.port == 0:
		return errors.New("--port 0 serves no clients without a --tls-port")
	case t.port == 0 && !cluster && (t.cert != "" || t.key != ""):
		return errors.New("--tls-cert-file and --tls-key-file need a --tls-port or --tls-cluster")
	}
	t.serverTLSConfig = tlsconf.Files{Cert: t.cert, Key: t.key, CA: t.ca, AuthClients: t.auth}
	return nil
}

// configure sets the TLS port of cfg; the certificates are read now, so a
// bad file stops the start (as in Redis).
func (t *tlsFlags) configure(cfg *server.Config, bind, advertise string) error {
	if t.port == 0 {
		return nil
	}
	tc, err := t.serverTLSConfig.Server()
	if err != nil {
		return fmt.Errorf("failed to configure TLS: %w", err)
	}
	cfg.TLS = tc
	cfg.TLSAddr = net.JoinHostPort(bind, strconv.Itoa(t.port))
	if advertise != "" {
		cfg.TLSAdvertise = net.JoinHostPort(advertise, strconv.Itoa(t.port))
	}
	return nil
}

// clientAddrs sets the client addresses nc gossips: a TLS-only node gives
// its TLS address as its client address too.
func (t *tlsFlags) clientAddrs(nc *cluster.NodeConfig, host string, port int) {
	if t.port != 0 {
		nc.ClientTLSAddr = net.JoinHostPort(host, strconv.Itoa(t.port))
	}
	nc.ClientAddr = net.JoinHostPort(host, strconv.Itoa(port))
	if port == 0 {
		nc.ClientAddr = nc.ClientTLSAddr
	}
}

// basePort is the port the cluster and gossip ports default from: the
// plain port, or the TLS port on a TLS-only node (Redis's cluster bus
// port is the port clients use plus 10000).
func (t *tlsFlags) basePort(port int) int {
	if port == 0 {
		return t.port
	}
	return port
}

// listenAndServe binds the plain port and the TLS port that cfg names
// (either may be absent) and serves them; the channel reports the first
// that stops with an error.
func listenAndServe(srv *server.Server, cfg server.Config, log *slog.Logger) (<-chan error, error) {
	errc := make(chan error, 2)
	ports := []struct {
		addr, name string
		listen     func() (net.Listener, error)
		serve      func(net.Listener) error
	}{
		{cfg.Addr, "serving", srv.Listen, srv.Serve},
		{cfg.TLSAddr, "serving tls", srv.ListenTLS, srv.ServeTLS},
	}
	for _, p := range ports {
		if p.addr == "" {
			continue
		}
		ln, err := p.listen()
		if err != nil {
			srv.Close()
			return nil, err
		}
		log.Info(p.name, "addr", ln.Addr().String(), "pid", os.Getpid())
		go func() { errc <- p.serve(ln) }()
	}
	return errc, nil
}
