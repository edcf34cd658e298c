// Package hclogslog routes the hclog output of hashicorp/raft and
// hashicorp/memberlist into log/slog, so a node has one log stream with one
// format.
package hclogslog

import (
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/ember-node/ember-node/rpc/ratelog"
)

// hclogAdapter routes raft's and memberlist's hclog output into slog, so
// the node has one log stream with one format.
type hclogAdapter struct {
	l    *slog.Logger
	name string
	args []interface{}
	// limit, when set, bounds the warnings and errors of the standard
	// writer (see NewRateLimited).
	limit *ratelog.Limiter
}

// New returns an hclog.Logger named name writing to l.
func New(l *slog.Logger, name string) hclog.Logger {
	return &hclogAdapter{l: l, name: name}
}

// NewRateLimited is New for a library that strangers can make log:
// memberlist writes an error for every datagram it cannot decrypt, so
// junk sent to the gossip port would flood the log. Its standard
// writer's warnings and errors go out at most once per kind of message
// every interval, with the count of those suppressed.
func NewRateLimited(l *slog.Logger, name string, every time.Duration) hclog.Logger {
	return &hclogAdapter{l: l, name: name, limit: ratelog.New(l, every)}
}

func toSlog(level hclog.Level) slog.Level {
	switch level {
	case hclog.Trace, hclog.Debug:
		return slog.LevelDebug
	case hclog.Info:
		return slog.LevelInfo
	case hclog.Warn:
		return slog.LevelWarn
	}
	return slog.LevelError
}

func (h *hclogAdapter) Log(level hclog.Level, msg string, args ...interface{}) {
	lv := toSlog(level)
	if !h.l.Enabled(context.Background(), lv) {
		return
	}
	all := append(append([]interface{}{}, h.args...), args...)
	for i, a := range all {
		if f, ok := a.(hclog.Format); ok && len(f) > 0 {
			if format, ok := f[0].(string); ok {
				all[i] = fmt.Sprintf(format, f[1:]...)
			}
		}
	}
	if h.name != "" {
		all = append(all, "component", h.name)
	}
	h.l.Log(context.Background(), lv, msg, all...)
}

func (h *hclogAdapter) Trace(msg string, args ...interface{}) { h.Log(hclog.Trace, msg, args...) }
func (h *hclogAdapter) Debug(msg string, args ...interface{}) { h.Log(hclog.Debug, msg, args...) }
func (h *hclogAdapter) Info(msg string, args ...interface{})  { h.Log(hclog.Info, msg, args...) }
func (h *hclogAdapter) Warn(msg string, args ...interface{})  { h.Log(hclog.Warn, msg, args...) }
func (h *hclogAdapter) Error(msg string, args ...interface{}) { h.Log(hclog.Error, msg, args...) }

func (h *hclogAdapter) IsTrace() bool { return false }
func (h *hclogAdapter) IsDebug() bool { return h.l.Enabled(context.Background(), slog.LevelDebug) }
func (h *hclogAdapter) IsInfo() bool  { return h.l.Enabled(context.Background(), slog.LevelInfo) }
func (h *hclogAdapter) IsWarn() bool  { return h.l.Enabled(context.Background(), slog.LevelWarn) }
func (h *hclogAdapter) IsError() bool { return true }

func (h *hclogAdapter) ImpliedArgs() []interface{} { return h.args }

func (h *hclogAdapter) With(args ...interface{}) hclog.Logger {
	return &hclogAdapter{l: h.l, name: h.name, args: append(append([]interface{}{}, h.args...), args...)}
}

func (h *hclogAdapter) Name() string { return h.name }

func (h *hclogAdapter) Named(name string) hclog.Logger {
	if h.name != "" {
		name = h.name + "." + name
	}
	return &hclogAdapter{l: h.l, name: name, args: h.args}
}

func (h *hclogAdapter) ResetNamed(name string) hclog.Logger {
	return &hclogAdapter{l: h.l, name: name, args: h.args}
}

func (h *hclogAdapter) SetLevel(hclog.Level) {}

func (h *hclogAdapter) GetLevel() hclog.Level { return hclog.Info }

func (h *hclogAdapter) StandardLogger(*hclog.StandardLoggerOptions) *log.Logger {
	return log.New(h.StandardWriter(nil), "", 0)
}

// StandardWriter serves libraries that log through the standard logger
// with a level prefix (memberlist writes "[DEBUG] memberlist: ..." for
// every gossip exchange): the prefix picks the level, so those stay out
// of an info-level log.
func (h *hclogAdapter) StandardWriter(*hclog.StandardLoggerOptions) io.Writer {
	return writerFunc(func(p []byte) (int, error) {
		msg := string(trimNewline(p))
		level := slog.LevelInfo
		for _, l := range []struct {
			prefix string
			level  slog.Level
		}{{"[TRACE] ", slog.LevelDebug}, {"[DEBUG] ", slog.LevelDebug}, {"[INFO] ", slog.LevelInfo}, {"[WARN] ", slog.LevelWarn}, {"[ERR] ", slog.LevelError}, {"[ERROR] ", slog.LevelError}} {
			if strings.HasPrefix(msg, l.prefix) {
				msg, level = strings.TrimPrefix(msg, l.prefix), l.level
				break
			}
		}
		if h.limit != nil && level >= slog.LevelWarn {
			h.limit.Log(level, messageKind(msg), msg, "component", h.name)
		} else {
			h.l.Log(context.Background(), level, msg, "component", h.name)
		}
		return len(p), nil
	})
}

// messageKind is what a line says, without what it says it about:
// "memberlist: Decrypt packet failed: ... from=1.2.3.4:5" is
// "Decrypt packet failed".
func messageKind(msg string) string {
	msg = strings.TrimPrefix(msg, "memberlist: ")
	if i := strings.Index(msg, ":"); i > 0 {
		msg = msg[:i]
	}
	if i := strings.Index(msg, " from="); i > 0 {
		msg = msg[:i]
	}
	if len(msg) > 48 {
		msg = msg[:48]
	}
	return msg
}

type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func trimNewline(p []byte) []byte {
	for len(p) > 0 && (p[len(p)-1] == '\n' || p[len(p)-1] == '\r') {
		p = p[:len(p)-1]
	}
	return p
}
