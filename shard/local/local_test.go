package local

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ember-node/ember-node/persistence"
	"github.com/ember-node/ember-node/shard"
	"github.com/ember-node/ember-node/shard/command"
)

// set writes SET key val [PXAT at] at now through the store, as the server
// does with a prepared record.
func set(t *testing.T, l *Store, now int64, key, val string, pxat int64) {
	t.Helper()
	argv := [][]byte{[]byte("SET"), []byte(key), []byte(val)}
	if pxat > 0 {
		argv = append(argv, []byte("PXAT"), []byte(fmt.Sprint(pxat)))
	}
	rec := persistence.NewCommand(now, 1, argv)
	if err := l.Write(0, &rec, command.Discard{}); err != nil {
		t.Fatal(err)
	}
}

func keys(l *Store) (n int, evicted int64) {
	_ = l.Each(func(ks *shard.Keyspace, _ int64) bool {
		n, evicted = ks.Len(), ks.Stats().EvictedKeys
		return false
	})
	return
}

// Active expiry deletes keys whose time has passed, through expire
// records, and leaves the others.
func TestExpireOnce(t *testing.T) {
	t.Parallel()
	l := New(command.NewTable())
	now := time.Now().UnixMilli()
	for i := range 30 {
		set(t, l, now, fmt.Sprint("gone", i), "v", now-1000)
		set(t, l, now, fmt.Sprint("kept", i), "v", now+3_600_000)
	}
	deleted := 0
	for range 10 {
		deleted += l.ExpireOnce()
	}
	if n, _ := keys(l); deleted != 30 || n != 30 {
		t.Errorf("deleted %d, %d keys left; want 30 and 30", deleted, n)
	}
}

// Admit evicts under an eviction policy and refuses with OOM under
// noeviction, once used memory is over the limit.
func TestAdmit(t *testing.T) {
	t.Parallel()
	l := New(command.NewTable())
	now := time.Now().UnixMilli()
	for i := range 200 {
		set(t, l, now, fmt.Sprint("k", i), strings.Repeat("x", 100), 0)
	}
	var used int64
	_ = l.Each(func(ks *shard.Keyspace, _ int64) bool { used = ks.UsedMemory(); return false })
	l.SetMaxMemory(used/2, "noeviction")
	if err := l.Admit(0); !errors.Is(err, command.ErrOOM) {
		t.Errorf("noeviction over the limit: %v", err)
	}
	l.SetMaxMemory(used/2, "allkeys-random")
	if err := l.Admit(0); err != nil {
		t.Fatal(err)
	}
	n, evicted := keys(l)
	if evicted < 90 || int64(n)+evicted != 200 {
		t.Errorf("%d keys left, %d evicted; want about half of 200 evicted", n, evicted)
	}
	l.SetMaxMemory(0, "allkeys-random")
	if err := l.Admit(0); err != nil {
		t.Errorf("no limit: %v", err)
	}
}
