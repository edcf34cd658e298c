package command

import "testing"

func TestSetGet(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	cases := []struct {
		want string
		args []string
	}{
		{`$nil`, []string{"GET", "k"}},
		{`+"OK"`, []string{"SET", "k", "v"}},
		{`$"v"`, []string{"GET", "k"}},
		{`$nil`, []string{"SET", "k", "w", "NX"}},
		{`$"v"`, []string{"SET", "k", "w", "XX", "GET"}},
		{`$"w"`, []string{"get", "k"}},
		{`-"ERR syntax error"`, []string{"SET", "k", "v", "NX", "XX"}},
		{`-"ERR syntax error"`, []string{"SET", "k", "v", "EX"}},
		{`-"ERR syntax error"`, []string{"SET", "k", "v", "EX", "1", "PX", "1"}},
		{`-"ERR value is not an integer or out of range"`, []string{"SET", "k", "v", "EX", "x"}},
		{`-"ERR invalid expire time in 'set' command"`, []string{"SET", "k", "v", "EX", "0"}},
		{`-"ERR invalid expire time in 'set' command"`, []string{"SET", "k", "v", "EX", "9223372036854775807"}},
		{`+"OK"`, []string{"SET", "t", "v", "PX", "100"}},
		{`-"ERR wrong number of arguments for 'set' command"`, []string{"SET", "k"}},
	}
	for _, c := range cases {
		h.expect(c.want, c.args...)
	}
	h.now += 100
	h.expect(`$nil`, "GET", "t")
}
