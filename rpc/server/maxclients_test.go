package server

import (
	"errors"
	"testing"
)

// fakeFDs is an open files limit that refuses to go above hard.
type fakeFDs struct{ cur, hard uint64 }

func (f *fakeFDs) Get() (uint64, uint64, error) { return f.cur, f.hard, nil }
func (f *fakeFDs) Set(cur, max uint64) error {
	if max > f.hard {
		return errors.New("operation not permitted")
	}
	f.cur, f.hard = cur, max
	return nil
}

func TestFitMaxClients(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		want      int
		cur, hard uint64
		got       int
		fails     bool
	}{
		{"fits", 10000, 20000, 20000, 10000, false},
		{"raised to fit", 10000, 1024, 1 << 20, 10000, false},
		{"lowered under ulimit -n 256", 10000, 256, 256, 224, false},
		{"raised as far as allowed", 10000, 256, 1000, 1000 - 32 - 8, false},
		{"no room for a client", 10000, 32, 32, 0, true},
	}
	for _, c := range cases {
		got, err := FitMaxClients(c.want, ReservedFDs, &fakeFDs{c.cur, c.hard}, discardLog())
		if (err != nil) != c.fails || !c.fails && got != c.got {
			t.Errorf("%s: got %d, %v; want %d (fails %v)", c.name, got, err, c.got, c.fails)
		}
	}
}

// Past maxclients a client is answered Redis's error and closed, instead
// of hanging (issue 13, item 5); CONFIG SET maxclients takes effect at
// once and is refused beyond the open files limit, in Redis's words.
func TestMaxClientsReached(t *testing.T) {
	t.Parallel()
	addr := startServer(t, func(c *Config) { c.FDLimit = &fakeFDs{cur: 100, hard: 100} })
	admin := dial(t, addr)
	admin.expect(`+"OK"`, "CONFIG", "SET", "maxclients", "2")
	admin.expect(`*[$"maxclients" $"2"]`, "CONFIG", "GET", "maxclients")
	second := dial(t, addr)
	second.expect(`+"PONG"`, "PING")
	third := dial(t, addr)
	if got := third.read(); got != `-"ERR max number of clients reached"` {
		t.Errorf("third client: %s", got)
	}
	third.expectClosed()
	admin.expect(`-"ERR CONFIG SET failed (possibly related to argument 'maxclients') - The operating system is not able to handle the specified number of clients, try with 68"`,
		"CONFIG", "SET", "maxclients", "1000")
	admin.expect(`-"ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 4294967295 inclusive"`,
		"CONFIG", "SET", "maxclients", "0")
	if n := admin.infoField("maxclients"); n != 2 {
		t.Errorf("INFO maxclients %d", n)
	}
}
