// Package ratelog bounds log lines that strangers can cause: at most one
// line per reason per interval, the next one saying how many were
// suppressed meanwhile. A flood of junk connections or datagrams then
// costs a few lines, and no reason hides another.
package ratelog

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// maxKeys bounds the reasons tracked; further ones share the key "other",
// so keys made from a stranger's input cannot grow the map.
const maxKeys = 64

// Limiter logs at most one line per key every Every.
type Limiter struct {
	log   *slog.Logger
	every time.Duration
	now   func() time.Time

	mu   sync.Mutex
	keys map[string]*state
}

type state struct {
	last       time.Time
	suppressed int
}

// New returns a limiter writing to log, at most one line per key per
// every.
func New(log *slog.Logger, every time.Duration) *Limiter {
	return &Limiter{log: log, every: every, now: time.Now, keys: map[string]*state{}}
}

// Log writes msg with args at level, unless a line of the same key was
// written less than the interval ago; then it only counts it, and the
// next line of that key carries "suppressed" with the count.
func (l *Limiter) Log(level slog.Level, key, msg string, args ...any) {
	if !l.log.Enabled(context.Background(), level) {
		return
	}
	n, ok := l.admit(key)
	if !ok {
		return
	}
	if n > 0 {
		args = append(args, "suppressed", n)
	}
	l.log.Log(context.Background(), level, msg, args...)
}

// admit reports whether a line of key may be written now, with the
// number suppressed since the last one.
func (l *Limiter) admit(key string) (int, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.keys[key] == nil && len(l.keys) >= maxKeys {
		key = "other"
	}
	st := l.keys[key]
	if st == nil {
		st = &state{}
		l.keys[key] = st
	}
	now := l.now()
	if !st.last.IsZero() && now.Sub(st.last) < l.every {
		st.suppressed++
		return 0, false
	}
	n := st.suppressed
	st.last, st.suppressed = now, 0
	return n, true
}
