package server

import (
	"errors"
	"fmt"
)

// Config is the client-facing server's configuration.
type Config struct {
	// Addr is the host:port to listen on for clients.
	Addr string
	// Advertise is the host:port clients are told to use (cluster
	// redirections, CLUSTER SLOTS). Empty means Addr.
	Advertise string
	// RequirePass, when set, makes clients AUTH before any other command.
	RequirePass string
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
	// MaxClients caps concurrent client connections (default 10000).
	MaxClients int
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
	}
}

// Policies are the accepted maxmemory-policy names.
var Policies = []string{"noeviction", "allkeys-lru", "allkeys-lfu", "volatile-lru", "volatile-lfu", "volatile-ttl", "allkeys-random", "volatile-random"}

// Validate reports the first inconsistent setting.
func (c Config) Validate() error {
	if c.Addr == "" {
		return errors.New("rpc: empty listen address")
	}
	if c.ProtoMaxBulkLen < 1024 {
		return fmt.Errorf("rpc: proto-max-bulk-len %d below 1024", c.ProtoMaxBulkLen)
	}
	if c.QueryBufferLimit < c.ProtoMaxBulkLen {
		return fmt.Errorf("rpc: client-query-buffer-limit %d below proto-max-bulk-len %d", c.QueryBufferLimit, c.ProtoMaxBulkLen)
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
