package server

import "testing"

// TestGuardFastFrame: whole canonical frames within the limits take the
// fast path; everything else is left to the state machine untouched.
func TestGuardFastFrame(t *testing.T) {
	t.Parallel()
	lim := guardLimits{maxBulk: 100, maxQuery: 1000}
	for _, c := range []struct {
		in   string
		fast bool
		lim  *guardLimits
	}{
		{"*1\r\n$4\r\nPING\r\n", true, nil},
		{"*2\r\n$3\r\nGET\r\n$0\r\n\r\n", true, nil},
		{"*1\r\n$4\r\nPING\r\n*1", true, nil},
		{"*1\r\n$4\r\nPING\r", false, nil},    // partial
		{"*1\r\n$4\r\nPINGxx", false, nil},    // the bytes after a bulk are not \r\n
		{"*01\r\n$4\r\nPING\r\n", false, nil}, // leading zero
		{"*1\r\n$04\r\nPING\r\n", false, nil}, // leading zero
		{"*1\r\n$+4\r\nPING\r\n", false, nil}, // sign
		{"*0\r\n", false, nil},                // ignored, by the state machine
		{"*1\n$4\r\nPING\r\n", false, nil},    // a header ends at its '\r' plus one byte
		{"*1\r\n$4\r\nPING\r\n", false, &guardLimits{maxBulk: 3, maxQuery: 1000}},
		{"*1\r\n$4\r\nPING\r\n", false, &guardLimits{maxBulk: 100, maxQuery: 13}},
		{"*11\r\n$1\r\na\r\n", false, &guardLimits{maxBulk: 100, maxQuery: 1000, needAuth: true}},
		{"PING\r\n", false, nil},
	} {
		g := &guardConn{lim: lim}
		if c.lim != nil {
			g.lim = *c.lim
		}
		buf := []byte(c.in)
		g.begin(buf, buf, 0)
		r, w := g.r, g.w
		if got := g.fastFrame(); got != c.fast {
			t.Errorf("%q: fast path %v, want %v", c.in, got, c.fast)
		} else if !got && (g.r != r || g.w != w || g.cmds != 0) {
			t.Errorf("%q: refused but consumed input", c.in)
		}
	}
}
