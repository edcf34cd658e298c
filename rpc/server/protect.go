package server

import (
	"log/slog"
	"net"
	"sync"
	"time"
)

// errDenied is Redis 7's refusal of a non-loopback client in protected
// mode, byte for byte (networking.c, clientAcceptHandler).
const errDenied = "-DENIED Redis is running in protected mode because protected " +
	"mode is enabled and no password is set for the default user. " +
	"In this mode connections are only accepted from the loopback interface. " +
	"If you want to connect from external computers to Redis you " +
	"may adopt one of the following solutions: " +
	"1) Just disable protected mode sending the command " +
	"'CONFIG SET protected-mode no' from the loopback interface " +
	"by connecting to Redis from the same host the server is " +
	"running, however MAKE SURE Redis is not publicly accessible " +
	"from internet if you do so. Use CONFIG REWRITE to make this " +
	"change permanent. " +
	"2) Alternatively you can just disable the protected mode by " +
	"editing the Redis configuration file, and setting the protected " +
	"mode option to 'no', and then restarting the server. " +
	"3) If you started the server manually just for testing, restart " +
	"it with the '--protected-mode no' option. " +
	"4) Setup a an authentication password for the default user. " +
	"NOTE: You only need to do one of the above things in order for " +
	"the server to start accepting connections from the outside.\r\n"

// denied reports whether protected mode refuses a client from remote:
// no password is set and the peer is not loopback, which Redis's
// islocalClient decides by the strings "127.0.0.1" and "::1".
func denied(cfg *Config, remote net.Addr) bool {
	if !cfg.ProtectedMode || cfg.RequirePass != "" {
		return false
	}
	if remote == nil {
		return false // not TCP (a pipe in tests): local, as a unix socket is to Redis
	}
	host, _, err := net.SplitHostPort(remote.String())
	if err != nil {
		return false
	}
	return host != "127.0.0.1" && host != "::1"
}

// Failed AUTH attempts are slowed and logged (issue 13, item 8): each
// failure on a connection waits authDelayMin, doubling up to
// authDelayMax, and the whole server answers at most authRate failures a
// second (a token bucket), so guessing does not speed up with more
// connections. A success resets the connection's delay.
const (
	authDelayMin = 10 * time.Millisecond
	authDelayMax = time.Second
	authRate     = 100 // failures a second, server-wide, after a burst of as many
	authLogEvery = 10 * time.Second
)

// authLimiter is the server-wide part: the token bucket and the
// rate-limited log line.
type authLimiter struct {
	mu       sync.Mutex
	tokens   float64
	last     time.Time
	unlogged int
	logged   time.Time
}

// fail takes a token for one failure at now and returns how long that
// failure must wait for it; it logs at most once per authLogEvery.
func (a *authLimiter) fail(now time.Time, addr string, log *slog.Logger) time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.last.IsZero() {
		a.tokens, a.last = authRate, now
	}
	a.tokens = min(authRate, a.tokens+now.Sub(a.last).Seconds()*authRate)
	a.last = now
	a.tokens--
	a.unlogged++
	if now.Sub(a.logged) >= authLogEvery {
		log.Warn("failed AUTH attempts", "last_addr", addr, "failures", a.unlogged)
		a.unlogged, a.logged = 0, now
	}
	if a.tokens >= 0 {
		return 0
	}
	return time.Duration(-a.tokens / authRate * float64(time.Second))
}

// authFailed slows the connection after a wrong password.
func (c *client) authFailed() {
	wait := c.srv.auth.fail(time.Now(), c.addr, c.srv.log)
	d := authDelayMax
	if c.authFails < 7 {
		d = authDelayMin << c.authFails
	}
	c.authFails++
	time.Sleep(max(wait, d))
}
