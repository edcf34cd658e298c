package command

import (
	"testing"

	"github.com/ember-node/ember-node/rpc/resp"
)

// A negative count repeats elements as long as the client asks: with
// -9223372036854775807 the reply grew until the process died (issue 13,
// item 3). The loop now stops once the connection's output buffer passes
// its hard limit, as Redis's stops on CLIENT_CLOSE_ASAP.
func TestRandomCountStopsAtOutputLimit(t *testing.T) {
	t.Parallel()
	const limit = 1 << 20
	cases := []struct {
		name string
		argv []string
	}{
		{"srandmember", []string{"SRANDMEMBER", "s", "-9223372036854775807"}},
		{"hrandfield", []string{"HRANDFIELD", "h", "-9223372036854775807"}},
		{"hrandfield withvalues", []string{"HRANDFIELD", "h", "-4611686018427387903", "WITHVALUES"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.do("SADD", "s", "a", "b", "c")
			h.do("HSET", "h", "a", "1", "b", "2")
			argv := make([][]byte, len(tc.argv))
			for i, a := range tc.argv {
				argv[i] = []byte(a)
			}
			w := &resp.Writer{Limit: limit}
			h.exec(argv, w)
			if !w.Overflowed() || len(w.B) > limit+4<<10 {
				t.Fatalf("reply of %d bytes, want it cut just past %d", len(w.B), limit)
			}
		})
	}
}
