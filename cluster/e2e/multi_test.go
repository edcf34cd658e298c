package e2e

import (
	"strconv"
	"strings"
	"testing"

	"github.com/ember-node/ember-node/cmd/ember-node/harness"
)

// multiRedirects: a transaction sent to a node that does not lead its
// slot gets Redis Cluster's answers: -MOVED for the queued command (not
// QUEUED), then EXEC answers EXECABORT; the same transaction at the node
// MOVED named commits. (It answered TRYAGAIN on every EXEC, for ever.)
func multiRedirects(t *testing.T, nodes []*harness.Node) {
	t.Helper()
	c := harness.MustDial(t, nodes[0].Addr)
	key, target := "", ""
	for i := 0; key == "" && i < 1000; i++ {
		k := "{tx:" + strconv.Itoa(i) + "}"
		c.MustPipeline(t, [][]string{{"MULTI"}})
		v, err := c.Do("SET", k, "v")
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case v.Type == '-' && strings.HasPrefix(v.Str, "MOVED "):
			key, target = k, strings.Fields(v.Str)[2]
			x, err := c.Do("EXEC")
			if err != nil {
				t.Fatal(err)
			}
			if want := "EXECABORT Transaction discarded because of previous errors."; x.Str != want {
				t.Fatalf("EXEC after a MOVED: %s, want -%s", x, want)
			}
		case v.Type == '+' && v.Str == "QUEUED":
			if x, err := c.Do("DISCARD"); err != nil || x.Str != "OK" {
				t.Fatalf("DISCARD: %s %v", x, err)
			}
		default:
			t.Fatalf("SET in MULTI: %s", v)
		}
	}
	if key == "" {
		t.Fatal("node 1 leads every slot tried")
	}
	d := harness.MustDial(t, target)
	if v, err := d.Do("GET", key); err != nil || !v.Null {
		t.Fatalf("the aborted transaction wrote: GET %s = %s %v", key, v, err)
	}
	vs := d.MustPipeline(t, [][]string{{"MULTI"}, {"SET", key, "v"}, {"INCR", key + ":n"}, {"EXEC"}})
	if got := vs[3].String(); vs[3].Type != '*' || len(vs[3].Elems) != 2 {
		t.Fatalf("EXEC at the leader: %s", got)
	}
}
