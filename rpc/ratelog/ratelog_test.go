package ratelog

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	t.Parallel()
	type line struct {
		at  time.Duration // since the start
		key string
	}
	cases := []struct {
		name  string
		lines []line
		want  []string // "key" or "key suppressed=N", in order
	}{
		{"first line of a key passes", []line{{0, "a"}}, []string{"a"}},
		{"a burst is one line", []line{{0, "a"}, {time.Millisecond, "a"}, {2 * time.Millisecond, "a"}}, []string{"a"}},
		{"after the interval, the count", []line{{0, "a"}, {1, "a"}, {2, "a"}, {5 * time.Second, "a"}}, []string{"a", "a suppressed=2"}},
		{"keys are apart", []line{{0, "a"}, {1, "b"}, {2, "a"}, {3, "b"}}, []string{"a", "b"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			l := New(slog.New(slog.NewTextHandler(&buf, nil)), 5*time.Second)
			start := time.Unix(1000, 0)
			for _, ln := range tc.lines {
				l.now = func() time.Time { return start.Add(ln.at) }
				l.Log(slog.LevelWarn, ln.key, "refused", "reason", ln.key)
			}
			var got []string
			for _, s := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
				_, r, _ := strings.Cut(s, "reason=")
				got = append(got, r)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("lines %q, want %q", got, tc.want)
			}
		})
	}
}

func TestLimiterBoundsKeys(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	l := New(slog.New(slog.NewTextHandler(&buf, nil)), time.Hour)
	for i := range 10 * maxKeys {
		l.Log(slog.LevelWarn, fmt.Sprint("k", i), "junk")
	}
	if n := strings.Count(buf.String(), "\n"); n != maxKeys+1 {
		t.Fatalf("%d lines for %d distinct keys, want %d", n, 10*maxKeys, maxKeys+1)
	}
	if len(l.keys) != maxKeys+1 {
		t.Fatalf("%d keys tracked", len(l.keys))
	}
}
