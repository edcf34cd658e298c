package group

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ember-node/ember-node/persistence"
	"github.com/ember-node/ember-node/rpc/resp"
	"github.com/ember-node/ember-node/rpc/transport"
	"github.com/ember-node/ember-node/shard"
	"github.com/ember-node/ember-node/shard/command"
	"github.com/ember-node/ember-node/shard/store"
)

// testCluster runs one shard group replicated on n members, each with its
// own cluster port on loopback and its own data folder: real TCP, real
// bolt files, real raft. Shaped like hashicorp/raft's testing.go.
type testCluster struct {
	t       testing.TB
	table   *command.Table
	cfg     Config
	members []*member
}

func (m *member) group() *Group { return m.grp.Load() }

type member struct {
	id   string
	dir  string
	addr string
	mux  *transport.Mux
	grp  atomic.Pointer[Group] // nil while down
}

func fastGroupConfig() Config {
	cfg := DefaultConfig(0, "", "")
	cfg.HeartbeatTimeout = 100 * time.Millisecond
	cfg.ElectionTimeout = 100 * time.Millisecond
	cfg.Fsync = FsyncNo
	cfg.ExpiryInterval = 20 * time.Millisecond
	return cfg
}

func makeCluster(t testing.TB, n int, cfg Config) *testCluster {
	t.Helper()
	c := &testCluster{t: t, table: command.NewTable(), cfg: cfg}
	voters := map[string]string{}
	for i := range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		m := &member{id: fmt.Sprintf("n%d", i), dir: t.TempDir(), addr: ln.Addr().String()}
		if m.mux, err = transport.NewMux(ln, []byte("secret"), quietLog()); err != nil {
			t.Fatal(err)
		}
		go m.mux.Serve()
		voters[m.id] = m.addr
		c.members = append(c.members, m)
	}
	for i := range c.members {
		c.start(i)
	}
	for _, m := range c.members {
		if err := m.group().Bootstrap(voters); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(c.shutdown)
	c.leader()
	return c
}

func (c *testCluster) start(i int) {
	m := c.members[i]
	cfg := c.cfg
	cfg.NodeID, cfg.Dir = m.id, m.dir
	g, err := Open(cfg, m.mux, c.table, quietLog())
	if err != nil {
		c.t.Fatalf("start %s: %v", m.id, err)
	}
	m.grp.Store(g)
}

func (c *testCluster) stop(i int) {
	if g := c.members[i].grp.Swap(nil); g != nil {
		g.Close()
	}
}

func (c *testCluster) shutdown() {
	for i, m := range c.members {
		c.stop(i)
		m.mux.Close()
	}
}

// leader waits for a ready leader and returns its index.
func (c *testCluster) leader() int {
	c.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for i, m := range c.members {
			if m.group() != nil && m.group().IsReadyLeader() {
				return i
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	c.t.Fatal("no leader within 10s")
	return -1
}

// write runs one command on member i; ok means the write was acknowledged.
func (c *testCluster) write(i int, argv ...string) (string, error) {
	args := make([][]byte, len(argv))
	for j, a := range argv {
		args[j] = []byte(a)
	}
	rec := persistence.Record{Tag: persistence.TagCommand, Time: time.Now().UnixMilli(), Seed: uint64(len(argv)), Args: args}
	var w resp.Writer
	g := c.members[i].group()
	if g == nil {
		return "", fmt.Errorf("member %d down: %w", i, store.ErrNotLeader)
	}
	err := g.Write(&rec, &w)
	return string(w.B), err
}

// mustWrite writes through the current leader, retrying elections.
func (c *testCluster) mustWrite(argv ...string) string {
	c.t.Helper()
	for range 50 {
		out, err := c.write(c.leader(), argv...)
		if err == nil {
			return out
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.t.Fatalf("%q never acknowledged", argv)
	return ""
}

// converge waits until every running member has applied the leader's last
// index, then requires identical digests.
func (c *testCluster) converge() string {
	c.t.Helper()
	l := c.members[c.leader()].group()
	c.mustWrite("set", "__barrier", time.Now().String())
	target := l.raft.LastIndex()
	deadline := time.Now().Add(20 * time.Second)
	var digests []string
	for {
		digests = digests[:0]
		done := true
		for _, m := range c.members {
			if m.group() == nil {
				continue
			}
			if m.group().fsm.Applied() < target {
				done = false
			}
			digests = append(digests, m.id+"="+m.group().fsm.Digest())
		}
		if done && allSame(digests) {
			return strings.SplitN(digests[0], "=", 2)[1]
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("replicas did not converge: applied target %d, digests %v", target, digests)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func allSame(d []string) bool {
	for _, x := range d {
		if strings.SplitN(x, "=", 2)[1] != strings.SplitN(d[0], "=", 2)[1] {
			return false
		}
	}
	return true
}

// get runs GET on the leader with a linearizable read, retrying while
// leadership moves.
func (c *testCluster) get(key string) (string, error) {
	var out string
	var err error
	for range 100 {
		i := c.leader()
		out = ""
		err = c.members[i].group().Read(func(ksp *shard.Keyspace, now int64) {
			if o := ksp.Lookup([]byte(key), now); o != nil {
				out = string(o.Str)
			}
		})
		if err == nil || !errors.Is(err, store.ErrNotLeader) {
			return out, err
		}
		time.Sleep(20 * time.Millisecond)
	}
	return out, err
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
