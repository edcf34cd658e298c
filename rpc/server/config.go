package server

import (
	"crypto/tls"
	"errors"
	"fmt"
)

// Config is the client-facing server's configuration.
type Config struct {
	// Addr is the host:port to listen on for plain-text clients; empty
	// when the node serves TLS only (Redis's port 0 with a tls-port).
	Addr string
	// Advertise is the host:port clients are told to use (cluster
	// redirections, CLUSTER SLOTS). Empty means Addr.
	Advertise string
	// TLSAddr is the host:port of the TLS client port (Redis's tls-port);
	// empty: none. TLS must then be set. tls.go.
	TLSAddr string
	// TLSAdvertise is the host:port TLS clients are told to use. Empty
	// means TLSAddr.
	TLSAdvertise string
	// TLS is the TLS port's configuration (tlsconf.Files.Server).
	TLS *tls.Config
	// RequirePass, when set, makes clients AUTH before any other command.
	RequirePass string
	// ProtectedMode, while RequirePass is empty, refuses clients that are
	// not on a loopback address with Redis's -DENIED error.
	ProtectedMode bool
	// ProtoMaxBulkLen caps one bulk string in a request, in bytes (Redis's
	// proto-max-bulk-len, default 512 MB). Larger ones are a protocol error.
	ProtoMaxBulkLen int64
	// QueryBufferLimit caps the bytes of one request (Redis's
	// client-query-buffer-limit, default 1 GB). It must be at least
	// ProtoMaxBulkLen.
	QueryBufferLimit int64
	// MaxMemory is reported by INFO and CONFIG GET; 0 means no limit.
	MaxMemory int64
	// MaxMemoryPolicy is Redis's maxmemory-policy name.
	MaxMemoryPolicy string
	// MaxClients caps concurrent client connections (default 10000); one
	// more is answered "-ERR max number of clients reached". At start and
	// on CONFIG SET it must fit the open files limit (FitMaxClients).
	MaxClients int
	// ReservedFDs are the descriptors kept beside MaxClients for the
	// node's own files and peers (default ReservedFDs).
	ReservedFDs int
	// FDLimit is the open files limit CONFIG SET maxclients raises or
	// refuses by; nil means the process's (NoFile).
	FDLimit FDLimit
	// OutputLimits are client-output-buffer-limit, per client class
	// (DefaultOutputLimits: normal clients are bounded, unlike Redis).
	OutputLimits OutputLimits
	// Cluster makes the server behave as a Redis Cluster node: multi-key
	// commands must keep to one slot (-CROSSSLOT otherwise).
	Cluster bool
}

// DefaultConfig returns Redis's defaults on 127.0.0.1:6379.
func DefaultConfig() Config {
	return Config{
		Addr:             "127.0.0.1:6379",
		ProtoMaxBulkLen:  512 << 20,
		QueryBufferLimit: 1 << 30,
		MaxMemoryPolicy:  "noeviction",
		MaxClients:       10000,
		ProtectedMode:    true,
		ReservedFDs:      ReservedFDs,
		OutputLimits:     DefaultOutputLimits(),
	}
}

// Policies are the accepted maxmemory-policy names.
var Policies = []string{"noeviction", "allkeys-lru", "allkeys-lfu", "volatile-lru", "volatile-lfu", "volatile-ttl", "allkeys-random", "volatile-random"}

// Validate reports the first inconsistent setting.
func (c Config) Validate() error {
	if c.Addr == "" && c.TLSAddr == "" {
		return errors.New("rpc: empty listen address")
	}
	if c.TLSAddr != "" && c.TLS == nil {
		return errors.New("rpc: a TLS port without a TLS configuration")
	}
	if c.ProtoMaxBulkLen < 1024 {
		return fmt.Errorf("rpc: proto-max-bulk-len %d below 1024", c.ProtoMaxBulkLen)
	}
	if c.QueryBufferLimit < c.ProtoMaxBulkLen {
		return fmt.Errorf("rpc: client-query-buffer-limit %d below proto-max-bulk-len %d", c.QueryBufferLimit, c.ProtoMaxBulkLen)
	}
	if c.MaxClients < 1 {
		return fmt.Errorf("rpc: maxclients %d below 1", c.MaxClients)
	}
	if c.MaxMemory < 0 {
		return fmt.Errorf("rpc: negative maxmemory %d", c.MaxMemory)
	}
	if !validPolicy(c.MaxMemoryPolicy) {
		return fmt.Errorf("rpc: unknown maxmemory-policy %q", c.MaxMemoryPolicy)
	}
	return nil
}

func validPolicy(p string) bool {
	for _, q := range Policies {
		if p == q {
			return true
		}
	}
	return false
}
