package hclogslog

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestMessageKind(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"memberlist: Decrypt packet failed: No installed keys could decrypt the message from=127.0.0.1:4000", "Decrypt packet failed"},
		{"memberlist: failed to receive: Unknown message type (71) from=127.0.0.1:5", "failed to receive"},
		{"memberlist: Got invalid checksum for UDP packet from=1.2.3.4:5", "Got invalid checksum for UDP packet"},
	}
	for _, c := range cases {
		if got := messageKind(c.in); got != c.want {
			t.Errorf("messageKind(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// Junk gossip makes memberlist log an error per datagram: through the
// rate-limited writer, a thousand of them are one line per kind.
func TestRateLimitedStandardLogger(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	std := NewRateLimited(slog.New(slog.NewTextHandler(&buf, nil)), "memberlist", time.Hour).StandardLogger(nil)
	for i := range 1000 {
		std.Printf("[ERR] memberlist: Decrypt packet failed: no key from=127.0.0.1:%d", i)
		std.Printf("[WARN] memberlist: Got invalid checksum for UDP packet from=127.0.0.1:%d", i)
	}
	std.Printf("[DEBUG] memberlist: Stream connection from=127.0.0.1:1")
	if n := strings.Count(buf.String(), "\n"); n != 2 {
		t.Fatalf("%d lines:\n%s", n, buf.String())
	}
}
