package server

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/ember-node/ember-node/shard"
	"github.com/ember-node/ember-node/shard/store"
)

// infoSections are INFO's sections in Redis's order; "default" and "all"
// select them all here.
var infoSections = []string{"server", "clients", "memory", "persistence", "stats", "replication", "cpu", "cluster", "raft", "keyspace"}

func infoCmd(c *client, argv [][]byte) {
	want := map[string]bool{}
	for _, a := range argv[1:] {
		want[lowerASCII(a)] = true
	}
	all := len(want) == 0 || want["all"] || want["default"] || want["everything"]
	var sb strings.Builder
	for _, sec := range infoSections {
		if !all && !want[sec] {
			continue
		}
		if sb.Len() > 0 {
			sb.WriteString("\r\n")
		}
		c.srv.infoSection(&sb, sec)
	}
	c.w.Verbatim(sb.String())
}

type infoKV struct {
	k string
	v string
}

func (s *Server) infoSection(sb *strings.Builder, sec string) {
	sb.WriteString("# " + strings.ToUpper(sec[:1]) + sec[1:] + "\r\n")
	var kvs []infoKV
	switch sec {
	case "server":
		kvs = s.infoServer()
	case "clients":
		s.mu.Lock()
		n := len(s.clients)
		maxc := s.cfg.MaxClients
		s.mu.Unlock()
		kvs = []infoKV{{"connected_clients", itoa(n)}, {"maxclients", itoa(maxc)},
			{"client_recent_max_input_buffer", "0"}, {"client_recent_max_output_buffer", i64toa(s.mem.recent(time.Now()))},
			{"blocked_clients", "0"}, {"tracking_clients", "0"}}
	case "memory":
		kvs = s.infoMemory()
	case "persistence":
		kvs = []infoKV{{"loading", "0"}, {"rdb_changes_since_last_save", "0"}, {"rdb_bgsave_in_progress", "0"}, {"aof_enabled", "0"}, {"aof_rewrite_in_progress", "0"}}
	case "stats":
		kvs = s.infoStats()
	case "replication":
		kvs = []infoKV{{"role", "master"}, {"connected_slaves", "0"}, {"master_replid", s.runID}, {"master_repl_offset", "0"}}
	case "cpu":
		kvs = []infoKV{{"used_cpu_sys", "0.000000"}, {"used_cpu_user", "0.000000"}}
	case "keyspace":
		kvs = s.infoKeyspace()
	case "cluster":
		enabled := "0"
		if s.cluster {
			enabled = "1"
		}
		kvs = []infoKV{{"cluster_enabled", enabled}}
	case "raft":
		if r, ok := s.store.(store.RaftReporter); ok {
			for _, line := range r.RaftInfo() {
				k, v, _ := strings.Cut(line, ":")
				kvs = append(kvs, infoKV{k, v})
			}
		}
	}
	for _, kv := range kvs {
		sb.WriteString(kv.k + ":" + kv.v + "\r\n")
	}
}

func itoa(n int) string     { return strconv.Itoa(n) }
func i64toa(n int64) string { return strconv.FormatInt(n, 10) }

func (s *Server) infoServer() []infoKV {
	up := time.Since(s.started)
	port := "0" // TLS only
	if a := s.Addr(); a != nil {
		_, port, _ = strings.Cut(a.String(), ":")
		if i := strings.LastIndexByte(a.String(), ':'); i >= 0 {
			port = a.String()[i+1:]
		}
	}
	host, _ := os.Hostname()
	return []infoKV{
		{"redis_version", Version},
		{"redis_mode", s.mode()},
		{"ember_node", "1"},
		{"os", runtime.GOOS + " " + runtime.GOARCH},
		{"arch_bits", "64"},
		{"go_version", runtime.Version()},
		{"process_id", itoa(s.procID)},
		{"run_id", s.runID},
		{"hostname", host},
		{"tcp_port", port},
		{"uptime_in_seconds", i64toa(int64(up.Seconds()))},
		{"uptime_in_days", i64toa(int64(up.Hours() / 24))},
		{"hz", "10"},
		{"executable", os.Args[0]},
	}
}

func (s *Server) keyspaceTotals() (keys, expires int, used int64, st shard.Stats) {
	_ = s.store.Each(func(ks *shard.Keyspace, _ int64) bool {
		keys += ks.Len()
		expires += ks.VolatileLen()
		used += ks.UsedMemory()
		o := ks.Stats()
		st.Hits += o.Hits
		st.Misses += o.Misses
		st.ExpiredKeys += o.ExpiredKeys
		st.EvictedKeys += o.EvictedKeys
		return true
	})
	return
}

func (s *Server) infoMemory() []infoKV {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	_, _, dataset, _ := s.keyspaceTotals()
	clients := s.clientMemory()
	used := dataset + clients
	cfg := s.config()
	return []infoKV{
		{"used_memory", i64toa(used)},
		{"used_memory_human", humanBytes(used)},
		{"used_memory_dataset", i64toa(dataset)},
		{"mem_clients_normal", i64toa(clients)},
		{"mem_clients_slaves", "0"},
		{"used_memory_rss", strconv.FormatUint(ms.Sys-ms.HeapReleased, 10)},
		{"used_memory_rss_human", humanBytes(int64(ms.Sys - ms.HeapReleased))},
		{"used_memory_heap", strconv.FormatUint(ms.HeapAlloc, 10)},
		{"maxmemory", i64toa(cfg.MaxMemory)},
		{"maxmemory_human", humanBytes(cfg.MaxMemory)},
		{"maxmemory_policy", cfg.MaxMemoryPolicy},
		{"mem_allocator", "go"},
	}
}

func (s *Server) infoStats() []infoKV {
	_, _, _, st := s.keyspaceTotals()
	return []infoKV{
		{"total_connections_received", i64toa(s.stats.connections.Load())},
		{"total_commands_processed", i64toa(s.stats.commands.Load())},
		{"total_net_input_bytes", i64toa(s.stats.netIn.Load())},
		{"rejected_connections", i64toa(s.stats.rejected.Load())},
		{"expired_keys", i64toa(st.ExpiredKeys)},
		{"evicted_keys", i64toa(st.EvictedKeys)},
		{"keyspace_hits", i64toa(st.Hits)},
		{"keyspace_misses", i64toa(st.Misses)},
		{"total_error_replies", i64toa(s.stats.errors.Load())},
		{"client_output_buffer_limit_disconnections", i64toa(s.mem.closed.Load())},
	}
}

func (s *Server) infoKeyspace() []infoKV {
	keys, expires, _, _ := s.keyspaceTotals()
	if keys == 0 {
		return nil
	}
	return []infoKV{{"db0", "keys=" + itoa(keys) + ",expires=" + itoa(expires) + ",avg_ttl=0"}}
}

// humanBytes formats n as Redis's bytesToHuman does.
func humanBytes(n int64) string {
	f := float64(n)
	switch {
	case n < 1024:
		return i64toa(n) + "B"
	case n < 1<<20:
		return strconv.FormatFloat(f/(1<<10), 'f', 2, 64) + "K"
	case n < 1<<30:
		return strconv.FormatFloat(f/(1<<20), 'f', 2, 64) + "M"
	case n < 1<<40:
		return strconv.FormatFloat(f/(1<<30), 'f', 2, 64) + "G"
	}
	return strconv.FormatFloat(f/(1<<40), 'f', 2, 64) + "T"
}
