package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/ember-node/ember-node/cluster"
	"github.com/ember-node/ember-node/rpc/server"
	"github.com/ember-node/ember-node/rpc/transport"
	"github.com/ember-node/ember-node/shard/command"
	"github.com/ember-node/ember-node/shard/local"
	"github.com/ember-node/ember-node/shard/store"
)

var errUsage = errors.New("usage")

// serveFlags are the operator's contract (the README's "Running a node"):
// their names stay, new ones may be added.
type serveFlags struct {
	bind, advertise, dataDir, id, join string
	peerAdvertise                      string
	port, clusterPort, gossipPort      int
	shards, replicas                   int
	fsync, maxmemory, policy, pass     string
	maxBulk, logLevel                  string
	pprofAddr, store                   string
	secret, secretFile                 string
	tlsCluster                         bool
	clusterTLS                         *tls.Config
	deadGrace                          time.Duration
	snapInterval                       time.Duration
	snapThreshold, trailingLogs        uint64
	clients                            clientFlags
	tls                                tlsFlags
}

func parseServe(args []string, stderr io.Writer) (*serveFlags, error) {
	f := &serveFlags{}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.bind, "bind", env("EMBER_BIND", "127.0.0.1"), "address to listen on for clients")
	fs.IntVar(&f.port, "port", envInt("EMBER_PORT", 6379), "client (RESP) port")
	fs.IntVar(&f.clusterPort, "cluster-port", envInt("EMBER_CLUSTER_PORT", 0), "node-to-node port (default port+10000; used once clustered)")
	fs.IntVar(&f.gossipPort, "gossip-port", envInt("EMBER_GOSSIP_PORT", 0), "gossip (memberlist) port (default port+20000)")
	fs.StringVar(&f.dataDir, "data-dir", env("EMBER_DATA_DIR", "./data"), "data directory: node.json and one folder per shard group")
	fs.StringVar(&f.id, "id", env("EMBER_ID", ""), "node id (default: generated and kept in the data dir)")
	fs.StringVar(&f.advertise, "advertise", env("EMBER_ADVERTISE", ""), "host clients are told to use (default: bind address)")
	fs.StringVar(&f.peerAdvertise, "peer-advertise", env("EMBER_PEER_ADVERTISE", ""), "host other nodes use for the cluster and gossip ports (default: --advertise, else --bind); in containers, the container's name")
	fs.StringVar(&f.join, "join", env("EMBER_JOIN", ""), "client HOST:PORT[@CPORT][,...] of running nodes to join at start (a fresh data dir only; the cluster port is PORT+10000 unless @CPORT names it)")
	fs.StringVar(&f.secret, "cluster-secret", env("EMBER_CLUSTER_SECRET", ""), "shared secret: peers authenticate on the cluster port and gossip is encrypted (default: the one in the data dir, generated when the node bootstraps; joiners must be given it)")
	fs.StringVar(&f.secretFile, "cluster-secret-file", env("EMBER_CLUSTER_SECRET_FILE", ""), "file holding the cluster secret")
	fs.BoolVar(&f.tlsCluster, "tls-cluster", envBool("EMBER_TLS_CLUSTER"), "run the cluster port over mutual TLS with --tls-cert-file, --tls-key-file and --tls-ca-cert-file (every node's certificate signed by that CA)")
	fs.DurationVar(&f.deadGrace, "dead-grace", envDuration("EMBER_DEAD_GRACE", 60*time.Second), "how long a dead node keeps its replicas before they are re-placed")
	fs.IntVar(&f.shards, "shards", envInt("EMBER_SHARDS", 16), "shards (Raft groups) when bootstrapping; an existing data dir keeps its count")
	fs.IntVar(&f.replicas, "replicas", envInt("EMBER_REPLICAS", 3), "replicas per shard")
	fs.StringVar(&f.fsync, "fsync", env("EMBER_FSYNC", "everysec"), "always | everysec | no")
	fs.StringVar(&f.maxmemory, "maxmemory", env("EMBER_MAXMEMORY", "0"), "memory limit (bytes, or with kb/mb/gb); 0 = none")
	fs.StringVar(&f.policy, "maxmemory-policy", env("EMBER_MAXMEMORY_POLICY", "noeviction"), "eviction policy at maxmemory")
	fs.StringVar(&f.pass, "requirepass", env("EMBER_REQUIREPASS", ""), "password clients must AUTH with")
	fs.StringVar(&f.maxBulk, "proto-max-bulk-len", env("EMBER_PROTO_MAX_BULK_LEN", "512mb"), "largest bulk string a client may send")
	fs.StringVar(&f.logLevel, "log-level", env("EMBER_LOG_LEVEL", "info"), "debug | info | warn | error")
	fs.StringVar(&f.store, "store", env("EMBER_STORE", "raft"), "raft (replicated, durable shard groups) | memory (one unreplicated in-memory keyspace, nothing on disk)")
	fs.DurationVar(&f.snapInterval, "snapshot-interval", envDuration("EMBER_SNAPSHOT_INTERVAL", 30*time.Second), "how often each shard checks whether to snapshot")
	fs.Uint64Var(&f.snapThreshold, "snapshot-threshold", uint64(envInt("EMBER_SNAPSHOT_THRESHOLD", 16384)), "log entries since the last snapshot that make a shard snapshot")
	fs.Uint64Var(&f.trailingLogs, "trailing-logs", uint64(envInt("EMBER_TRAILING_LOGS", 10240)), "log entries kept after a snapshot, for followers catching up")
	fs.StringVar(&f.pprofAddr, "pprof", env("EMBER_PPROF", ""), "serve net/http/pprof on this address (debugging)")
	f.clients.register(fs)
	f.tls.register(fs)
	if err := fs.Parse(args); err != nil {
		return nil, errUsage
	}
	if err := f.clients.apply(f); err != nil {
		return nil, err
	}
	if err := f.tls.check(f.port, f.tlsCluster); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if f.secretFile != "" {
		b, err := cluster.ReadSecret(f.secretFile)
		if err != nil {
			return nil, fmt.Errorf("--cluster-secret-file: %w", err)
		}
		f.secret = string(b)
	}
	if f.tlsCluster {
		var err error
		if f.clusterTLS, err = transport.TLSConfig(f.tls.cert, f.tls.key, f.tls.ca); err != nil {
			return nil, fmt.Errorf("--tls-cluster: %w", err)
		}
	}
	if f.store != "raft" && f.store != "memory" {
		return nil, fmt.Errorf("--store %q: want raft or memory", f.store)
	}
	switch f.fsync {
	case "always", "everysec", "no":
	default:
		return nil, fmt.Errorf("--fsync %q: want always, everysec or no", f.fsync)
	}
	return f, nil
}

func (f *serveFlags) rpcConfig() (server.Config, error) {
	cfg := server.DefaultConfig()
	cfg.Addr = ""
	if f.port != 0 {
		cfg.Addr = net.JoinHostPort(f.bind, strconv.Itoa(f.port))
	}
	if f.advertise != "" && f.port != 0 {
		cfg.Advertise = net.JoinHostPort(f.advertise, strconv.Itoa(f.port))
	}
	if err := f.tls.configure(&cfg, f.bind, f.advertise); err != nil {
		return cfg, err
	}
	cfg.RequirePass = f.pass
	cfg.MaxMemoryPolicy = strings.ToLower(f.policy)
	var ok bool
	if cfg.MaxMemory, ok = parseBytes(f.maxmemory); !ok {
		return cfg, fmt.Errorf("--maxmemory %q: not a memory size", f.maxmemory)
	}
	if cfg.ProtoMaxBulkLen, ok = parseBytes(f.maxBulk); !ok {
		return cfg, fmt.Errorf("--proto-max-bulk-len %q: not a memory size", f.maxBulk)
	}
	cfg.QueryBufferLimit = max(cfg.QueryBufferLimit, cfg.ProtoMaxBulkLen)
	return cfg, cfg.Validate()
}

func (f *serveFlags) nodeConfig() cluster.NodeConfig {
	nc := cluster.DefaultNodeConfig(f.dataDir)
	nc.ID, nc.Shards = f.id, f.shards
	cport := f.clusterPort
	if cport == 0 {
		cport = f.tls.basePort(f.port) + 10000
	}
	nc.ClusterAddr = net.JoinHostPort(f.bind, strconv.Itoa(cport))
	peer := f.peerAdvertise
	if peer == "" {
		peer = f.advertise
	}
	if peer != "" {
		nc.ClusterAdvertise = net.JoinHostPort(peer, strconv.Itoa(cport))
	}
	gport := f.gossipPort
	if gport == 0 {
		gport = f.tls.basePort(f.port) + 20000
	}
	nc.GossipAddr = net.JoinHostPort(f.bind, strconv.Itoa(gport))
	if peer != "" {
		nc.GossipAdvertise = net.JoinHostPort(peer, strconv.Itoa(gport))
	}
	if f.join != "" {
		nc.Join = strings.Split(f.join, ",")
	}
	nc.Replicas, nc.DeadGrace = f.replicas, f.deadGrace
	nc.Secret = []byte(f.secret)
	nc.TLS = f.clusterTLS
	host := f.bind
	if f.advertise != "" {
		host = f.advertise
	}
	f.tls.clientAddrs(&nc, host, f.port)
	nc.Group.Fsync = f.fsync
	nc.Group.SnapshotInterval = f.snapInterval
	nc.Group.SnapshotThreshold = f.snapThreshold
	nc.Group.TrailingLogs = f.trailingLogs
	return nc
}

// openStore starts the shard groups, or the in-memory keyspace.
func (f *serveFlags) openStore(ctx context.Context, table *command.Table, log *slog.Logger) (store.Store, error) {
	if f.store == "memory" {
		mem := local.New(table)
		go mem.RunExpiry(ctx)
		return mem, nil
	}
	node, err := cluster.StartNode(f.nodeConfig(), table, log)
	if err != nil {
		return nil, err
	}
	if err := node.WaitLeaders(30 * time.Second); err != nil {
		log.Warn("serving before every shard has a leader", "error", err)
	}
	return node, nil
}

func serve(ctx context.Context, args []string, stderr io.Writer) error {
	f, err := parseServe(args, stderr)
	if err != nil {
		return err
	}
	cfg, err := f.rpcConfig()
	if err != nil {
		return err
	}
	log := newLogger(stderr, f.logLevel)
	warnNoPassword(log, cfg)
	if _, set := os.LookupEnv("GOGC"); !set {
		startGCTuner() // gc.go says why
	}
	table := command.NewTable()
	store, err := f.openStore(ctx, table, log)
	if err != nil {
		return err
	}
	if c, ok := store.(io.Closer); ok {
		defer c.Close()
	}
	cfg.Cluster = f.store == "raft"
	if err := f.clients.configure(&cfg, log); err != nil {
		return err
	}
	srv, err := server.NewServer(cfg, store, table, log)
	if err != nil {
		return err
	}
	errc, err := listenAndServe(srv, cfg, log)
	if err != nil {
		return err
	}
	if f.pprofAddr != "" {
		go servePprof(f.pprofAddr, log)
	}
	var left <-chan struct{}
	node, _ := store.(*cluster.Node)
	if node != nil {
		left = node.Done()
	}
	select {
	case <-left:
		log.Info("left the cluster; exiting")
		srv.Close()
		return nil
	case <-ctx.Done():
		log.Info("shutting down")
		if node != nil {
			// While clients are still connected: they are redirected
			// to the new leaders rather than cut off first.
			log.Info("leaderships handed over", "shards", len(node.YieldLeaderships()))
		}
		srv.Close()
		return nil
	case err := <-errc:
		return err
	}
}

// warnNoPassword says once, at start, what a node without a client
// password exposes.
func warnNoPassword(log *slog.Logger, cfg server.Config) {
	switch {
	case cfg.RequirePass != "":
	case cfg.ProtectedMode:
		log.Warn("no client password (--requirepass): any process on this machine reads and writes every key (protected mode refuses other hosts)", "addr", cfg.Addr)
	default:
		log.Warn("no client password (--requirepass) and protected mode off: anyone who reaches the client port reads and writes every key", "addr", cfg.Addr)
	}
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

// envBool reads a yes/no variable (Redis's configuration says yes).
func envBool(name string) bool {
	switch strings.ToLower(os.Getenv(name)) {
	case "yes", "true", "1":
		return true
	}
	return false
}

func envDuration(name string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

// parseBytes parses 100, 100kb, 1mb, 2gb (powers of 1024) and 1k, 1m, 1g
// (powers of 1000), as Redis's memtoull does.
func parseBytes(s string) (int64, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	mul := int64(1)
	for _, u := range []struct {
		suf string
		m   int64
	}{{"kb", 1 << 10}, {"mb", 1 << 20}, {"gb", 1 << 30}, {"k", 1e3}, {"m", 1e6}, {"g", 1e9}, {"b", 1}} {
		if strings.HasSuffix(s, u.suf) {
			s, mul = strings.TrimSuffix(s, u.suf), u.m
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mul {
		return 0, false
	}
	return n * mul, true
}
