package command

import (
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/ember-node/ember-node/rpc/resp"
	"github.com/ember-node/ember-node/shard"
)

// zfill adds n members m0..m(n-1) with score i%7 to key, in one ZADD.
func zfill(h *harness, key string, n int) {
	h.t.Helper()
	args := []string{"ZADD", key}
	for i := 0; i < n; i++ {
		args = append(args, strconv.Itoa(i%7), "m"+strconv.Itoa(i))
	}
	h.expect(":"+strconv.Itoa(n), args...)
}

// TestZSetBigEncoding checks what changes once Redis would have converted
// the set to a skip list: -0 is kept and ZSCAN pages through the dict.
func TestZSetBigEncoding(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	zfill(h, "z", 300)
	h.expect(`:1`, "ZADD", "z", "-0", "neg")
	h.expect(`$"-0"`, "ZSCORE", "z", "neg")
	h.expect(`:1`, "ZADD", "small", "-0", "neg")
	h.expect(`$"0"`, "ZSCORE", "small", "neg")

	for _, match := range []string{"*", "m1*"} {
		seen := map[string]string{}
		cursor, pages := "0", 0
		for {
			v := h.do("ZSCAN", "z", cursor, "COUNT", "7", "MATCH", match)
			cursor, pages = v.Elems[0].Str, pages+1
			items := v.Elems[1].Elems
			for i := 0; i < len(items); i += 2 {
				seen[items[i].Str] = items[i+1].Str
			}
			if cursor == "0" || pages > 1000 {
				break
			}
		}
		want := 0
		for i := 0; i < 300; i++ {
			m := "m" + strconv.Itoa(i)
			if match == "*" || strings.HasPrefix(m, "m1") {
				want++
				if seen[m] != strconv.Itoa(i%7) {
					t.Fatalf("MATCH %s: %s scanned as %q", match, m, seen[m])
				}
			}
		}
		if match == "*" {
			want++ // neg
		}
		if len(seen) != want || pages < 10 {
			t.Fatalf("MATCH %s: %d members in %d pages, want %d in several", match, len(seen), pages, want)
		}
	}
}

// TestZSetKeyLifecycle checks that emptied sets disappear with their
// memory, and that no-op writes leave the slot version (WATCH) alone.
func TestZSetKeyLifecycle(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	slot := shard.KeySlot([]byte("z"))
	for _, empty := range [][]string{
		{"ZPOPMIN", "z", "100"}, {"ZPOPMAX", "z", "3"}, {"ZREM", "z", "m0", "m1", "m2"},
		{"ZREMRANGEBYRANK", "z", "0", "-1"}, {"ZREMRANGEBYSCORE", "z", "-inf", "+inf"},
		{"ZREMRANGEBYLEX", "z", "-", "+"},
	} {
		zfill(h, "z", 3)
		h.str(empty...)
		if h.ks.Len() != 0 || h.ks.UsedMemory() != 0 {
			t.Fatalf("%q left %d keys, %d bytes", empty, h.ks.Len(), h.ks.UsedMemory())
		}
	}
	h.expect(`+"OK"`, "SET", "z", "v", "PX", "100")
	h.now += 100
	h.expect(`:0`, "ZADD", "z", "XX", "1", "a")
	h.expect(`:1`, "ZADD", "z", "1", "a") // replaces the expired string
	h.expect(`:1`, "ZREM", "z", "a")
	if h.ks.Len() != 0 {
		t.Fatal("ZADD XX created a key")
	}
	zfill(h, "z", 3)
	v := h.ks.SlotVersion(slot)
	for _, noop := range [][]string{
		{"ZREM", "z", "absent"}, {"ZADD", "z", "NX", "5", "m0"}, {"ZADD", "z", "0", "m0"},
		{"ZADD", "z", "GT", "-1", "m1"}, {"ZINCRBY", "z", "0", "m1"}, {"ZPOPMIN", "z", "0"},
		{"ZREMRANGEBYSCORE", "z", "10", "20"}, {"ZREMRANGEBYLEX", "z", "[x", "[y"},
		{"ZREMRANGEBYRANK", "z", "5", "9"}, {"ZADD", "z", "x", "m9"},
	} {
		h.str(noop...)
		if h.ks.SlotVersion(slot) != v {
			t.Fatalf("%q changed the slot version", noop)
		}
	}
	h.expect(`:1`, "ZREM", "z", "m0")
	if h.ks.SlotVersion(slot) == v {
		t.Fatal("ZREM did not change the slot version")
	}
}

// TestZSetReplicasAgree applies one random write stream to two keyspaces
// and compares them: Exec must not depend on anything but the record.
func TestZSetReplicasAgree(t *testing.T) {
	t.Parallel()
	a, b := newHarness(t), newHarness(t)
	r := rand.New(rand.NewPCG(9, 9))
	for i := 0; i < 3000; i++ {
		var args []string
		m := "m" + strconv.Itoa(r.IntN(400))
		switch r.IntN(4) {
		case 0, 1:
			args = []string{"ZADD", "z", strconv.Itoa(r.IntN(50)), m}
		case 2:
			args = []string{"ZINCRBY", "z", "1.5", m}
		default:
			args = []string{"ZREM", "z", m}
		}
		if ra, rb := a.str(args...), b.str(args...); ra != rb {
			t.Fatalf("%q: %s vs %s", args, ra, rb)
		}
	}
	if a.ks.UsedMemory() != b.ks.UsedMemory() || a.str("ZRANGE", "z", "0", "-1", "WITHSCORES") != b.str("ZRANGE", "z", "0", "-1", "WITHSCORES") {
		t.Fatal("replicas diverged")
	}
}

// TestZSetRangesAgainstModel runs range commands on a big set with random
// scores and compares them with a sorted slice.
func TestZSetRangesAgainstModel(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	r := rand.New(rand.NewPCG(5, 6))
	type elem struct {
		m string
		s int
	}
	var model []elem
	for i := 0; i < 400; i++ {
		e := elem{"m" + strconv.Itoa(i), r.IntN(100)}
		model = append(model, e)
		h.expect(`:1`, "ZADD", "z", strconv.Itoa(e.s), e.m)
	}
	sort.Slice(model, func(i, j int) bool {
		return model[i].s < model[j].s || model[i].s == model[j].s && model[i].m < model[j].m
	})
	render := func(es []elem) string {
		parts := make([]string, len(es))
		for i, e := range es {
			parts[i] = `$"` + e.m + `"`
		}
		return "*[" + strings.Join(parts, " ") + "]"
	}
	for i := 0; i < 300; i++ {
		lo, hi := r.IntN(110)-5, r.IntN(110)-5
		var in []elem
		for _, e := range model {
			if e.s > lo && e.s <= hi {
				in = append(in, e)
			}
		}
		from, to := "("+strconv.Itoa(lo), strconv.Itoa(hi)
		h.expect(render(in), "ZRANGEBYSCORE", "z", from, to)
		h.expect(":"+strconv.Itoa(len(in)), "ZCOUNT", "z", from, to)
		off, cnt := r.IntN(20), r.IntN(20)
		rev := make([]elem, len(in))
		for k := range in {
			rev[k] = in[len(in)-1-k]
		}
		page := rev[min(off, len(rev)):min(off+cnt, len(rev))]
		h.expect(render(page), "ZRANGE", "z", to, from, "BYSCORE", "REV", "LIMIT", strconv.Itoa(off), strconv.Itoa(cnt))
		k := r.IntN(len(model))
		h.expect(":"+strconv.Itoa(k), "ZRANK", "z", model[k].m)
		h.expect(render(model[k:min(k+5, len(model))]), "ZRANGE", "z", strconv.Itoa(k), strconv.Itoa(k+4))
	}
}

// TestZSetResp3Pop checks the nested shape of ZPOPMAX with a count in RESP3
// against its flat RESP2 shape.
func TestZSetResp3Pop(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	zfill(h, "z", 4)
	h.proto = 3
	v := h.do("ZPOPMAX", "z", "2")
	want := resp.Value{Type: '*', Elems: []resp.Value{
		{Type: '*', Elems: []resp.Value{{Type: '$', Str: "m3"}, {Type: ',', Str: "3"}}},
		{Type: '*', Elems: []resp.Value{{Type: '$', Str: "m2"}, {Type: ',', Str: "2"}}},
	}}
	if v.String() != want.String() {
		t.Fatalf("got %s, want %s", v, want)
	}
}
