package server

import (
	"strconv"

	"github.com/ember-node/ember-node/shard"
	"github.com/ember-node/ember-node/shard/command"
)

// configParam is one CONFIG GET/SET parameter. set is nil for read-only
// ones.
type configParam struct {
	name string
	get  func(cfg *Config) string
	set  func(cfg *Config, v string) string // returns an error reply or ""
}

var configParams = []configParam{
	{"maxmemory", func(c *Config) string { return i64toa(c.MaxMemory) }, func(c *Config, v string) string {
		n, ok := parseMemory(v)
		if !ok {
			return "argument must be a memory value"
		}
		c.MaxMemory = n
		return ""
	}},
	{"protected-mode", func(c *Config) string { return yesNo(c.ProtectedMode) }, func(c *Config, v string) string {
		switch lowerASCII([]byte(v)) {
		case "yes":
			c.ProtectedMode = true
		case "no":
			c.ProtectedMode = false
		default:
			return "argument must be 'yes' or 'no'"
		}
		return ""
	}},
	{"maxmemory-policy", func(c *Config) string { return c.MaxMemoryPolicy }, func(c *Config, v string) string {
		v = lowerASCII([]byte(v))
		if !validPolicy(v) {
			return "argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction"
		}
		c.MaxMemoryPolicy = v
		return ""
	}},
	{"requirepass", func(c *Config) string { return c.RequirePass }, func(c *Config, v string) string { c.RequirePass = v; return "" }},
	{"proto-max-bulk-len", func(c *Config) string { return i64toa(c.ProtoMaxBulkLen) }, func(c *Config, v string) string {
		n, ok := parseMemory(v)
		if !ok || n < 1024 {
			return "argument must be a memory value"
		}
		c.ProtoMaxBulkLen = n
		return ""
	}},
	{"client-query-buffer-limit", func(c *Config) string { return i64toa(c.QueryBufferLimit) }, func(c *Config, v string) string {
		n, ok := parseMemory(v)
		if !ok || n < 1024*1024 {
			return "argument must be a memory value"
		}
		c.QueryBufferLimit = n
		return ""
	}},
	{"maxclients", func(c *Config) string { return itoa(c.MaxClients) }, func(c *Config, v string) string {
		n, err := strconv.ParseInt(v, 10, 64)
		switch {
		case err != nil:
			return "argument couldn't be parsed into an integer"
		case n < 1 || n > 4294967295:
			return "argument must be between 1 and 4294967295 inclusive"
		}
		c.MaxClients = int(n)
		return ""
	}},
	{"client-output-buffer-limit", func(c *Config) string { return c.OutputLimits.String() }, func(c *Config, v string) string {
		return ParseOutputLimits(&c.OutputLimits, v)
	}},
	{"port", func(c *Config) string { return portOf(c.Addr) }, nil},
	{"tls-port", func(c *Config) string { return portOf(c.TLSAddr) }, nil},
	{"tls-auth-clients", tlsAuthClients, nil},
	{"bind", func(c *Config) string { h, _ := splitHostPort(c.Addr); return h }, nil},
	{"appendonly", func(*Config) string { return "no" }, nil},
	{"save", func(*Config) string { return "" }, nil},
	{"databases", func(*Config) string { return "1" }, nil},
	{"cluster-enabled", func(c *Config) string {
		if c.Cluster {
			return "yes"
		}
		return "no"
	}, nil},
	{"timeout", func(*Config) string { return "0" }, nil},
	{"hz", func(*Config) string { return "10" }, nil},
}

func splitHostPort(a string) (string, string) {
	for i := len(a) - 1; i >= 0; i-- {
		if a[i] == ':' {
			return a[:i], a[i+1:]
		}
	}
	return a, ""
}

// parseMemory parses Redis memory values: bytes, or with k kb m mb g gb.
func parseMemory(v string) (int64, bool) {
	units := []struct {
		suffix string
		mul    int64
	}{{"kb", 1024}, {"mb", 1 << 20}, {"gb", 1 << 30}, {"k", 1000}, {"m", 1000 * 1000}, {"g", 1000 * 1000 * 1000}, {"b", 1}}
	s := lowerASCII([]byte(v))
	mul := int64(1)
	for _, u := range units {
		if len(s) > len(u.suffix) && s[len(s)-len(u.suffix):] == u.suffix {
			s, mul = s[:len(s)-len(u.suffix)], u.mul
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mul {
		return 0, false
	}
	return n * mul, true
}

func configCmd(c *client, argv [][]byte) {
	switch lowerASCII(argv[1]) {
	case "get":
		if len(argv) < 3 {
			c.w.Error(subArityError("config", argv[1]))
			return
		}
		c.configGet(argv[2:])
	case "set":
		if len(argv) < 4 || len(argv)%2 != 0 {
			c.w.Error(subArityError("config", argv[1]))
			return
		}
		c.configSet(argv[2:])
	case "resetstat":
		c.w.Simple("OK")
	default:
		c.w.Error(unknownSubcommand(argv[1], "CONFIG"))
	}
}

func (c *client) configGet(patterns [][]byte) {
	cfg := c.srv.config()
	var out []configParam
	for _, p := range configParams {
		for _, pat := range patterns {
			if shard.Match(pat, []byte(p.name), true) {
				out = append(out, p)
				break
			}
		}
	}
	c.w.Map(len(out))
	for _, p := range out {
		c.w.BulkString(p.name)
		c.w.BulkString(p.get(&cfg))
	}
}

// configSet applies all pairs or none, as Redis 7 does.
func (c *client) configSet(pairs [][]byte) {
	s := c.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	cfg := s.cfg
	for i := 0; i < len(pairs); i += 2 {
		name := lowerASCII(pairs[i])
		var p *configParam
		for j := range configParams {
			if configParams[j].name == name {
				p = &configParams[j]
			}
		}
		if p == nil || p.set == nil {
			c.w.Error("ERR Unknown option or number of arguments for CONFIG SET - '" + name + "'")
			return
		}
		if msg := p.set(&cfg, string(pairs[i+1])); msg != "" {
			c.w.Error("ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + msg)
			return
		}
	}
	if err := cfg.Validate(); err != nil {
		c.w.Error(command.AsReply(err))
		return
	}
	if msg := s.fitMaxClients(cfg); msg != "" {
		c.w.Error("ERR CONFIG SET failed (possibly related to argument 'maxclients') - " + msg)
		return
	}
	s.cfg = cfg
	s.applyConfig(cfg)
	c.w.Simple("OK")
}

// fitMaxClients raises the open files limit for a new maxclients, or
// returns Redis's refusal when the system cannot take that many.
func (s *Server) fitMaxClients(cfg Config) string {
	if cfg.MaxClients == s.cfg.MaxClients {
		return ""
	}
	lim := cfg.FDLimit
	if lim == nil {
		lim = NoFile{}
	}
	got, err := FitMaxClients(cfg.MaxClients, cfg.ReservedFDs, lim, s.log)
	if err != nil || got != cfg.MaxClients {
		return "The operating system is not able to handle the specified number of clients, try with " + itoa(got)
	}
	return ""
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
