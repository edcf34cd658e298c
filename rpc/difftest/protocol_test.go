package difftest

import (
	"bufio"
	"errors"
	"io"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ember-node/ember-node/rpc/resp"
)

// protocolCases are byte streams a client may send, malformed ones mostly.
var protocolCases = []struct{ name, data string }{
	{"negative bulk length", "*1\r\n$-5\r\n"},
	{"non-numeric bulk length", "*2\r\n$3\r\nGET\r\n$x\r\n"},
	{"bulk outside multibulk", "$3\r\nfoo\r\n"},
	{"unbalanced double quote", "SET \"a b\r\n"},
	{"unbalanced single quote", "SET k 'v\r\n"},
	{"closing quote not followed by space", "SET \"a\"b c\r\n"},
	{"bulk over proto-max-bulk-len", "*1\r\n$2147483648\r\n"},
	{"bulk length overflows int64", "*1\r\n$99999999999999999999\r\n"},
	{"unknown command", "*1\r\n$4\r\nGETX\r\n"},
	{"unknown command then ping", "*2\r\n$4\r\nGETX\r\n$1\r\na\r\n*1\r\n$4\r\nPING\r\n"},
	{"multibulk count too big", "*1048577\r\n"},
	{"multibulk count at the limit", "*1048576\r\n"},
	{"multibulk count non-numeric", "*abc\r\n"},
	{"multibulk count empty", "*\r\n"},
	{"multibulk count zero", "*0\r\n*1\r\n$4\r\nPING\r\n"},
	{"multibulk count negative", "*-1\r\n*1\r\n$4\r\nPING\r\n"},
	{"multibulk count leading zero", "*01\r\n$4\r\nPING\r\n"},
	{"multibulk count plus sign", "*+1\r\n$4\r\nPING\r\n"},
	{"multibulk count many leading zeros", "*0000000000000000000000000001\r\n$4\r\nPING\r\n"},
	{"multibulk count of 29 digits", "*12345678901234567890123456789\r\n"},
	{"bulk length leading zero", "*1\r\n$04\r\nPING\r\n"},
	{"bulk length plus sign", "*1\r\n$+4\r\nPING\r\n"},
	{"bulk length empty", "*1\r\n$\r\n"},
	{"bulk length -1", "*2\r\n$3\r\nGET\r\n$-1\r\n"},
	{"expected dollar", "*2\r\n+foo\r\n"},
	{"bulk shorter than its length says", "*1\r\n$3\r\nPING\r\n"},
	{"bulk not followed by CRLF", "*1\r\n$4\r\nPINGxx"},
	{"empty command name", "*1\r\n$0\r\n\r\n"},
	{"binary command name", "*2\r\n$3\r\nG\x00T\r\n$1\r\nk\r\n"},
	{"incomplete command", "*3\r\n$3\r\nSET\r\n"},
	{"pipelined", "*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$4\r\na\r\nb\r\nPING x\r\n"},
	{"inline ping", "PING\r\n"},
	{"inline LF only", "PING\n"},
	{"inline lower case with argument", "ping hello\r\n"},
	{"inline escapes", "ECHO \"a\\x41\\n\\t\"\r\n"},
	{"inline single-quote escape", "ECHO 'a\\'b'\r\n"},
	{"inline NUL byte", "PI\x00NG\r\n"},
	{"inline spaces only", "   \r\n\r\n*1\r\n$4\r\nPING\r\n"},
	{"inline after multibulk", "*1\r\n$4\r\nPING\r\nPING\r\n"},
	{"inline too big", strings.Repeat("a", 70000)},
	{"inline wrong arity", "GET\r\n"},
	{"quit", "*1\r\n$4\r\nQUIT\r\n*1\r\n$4\r\nPING\r\n"},
	{"bulk length 3 for GETX", "*1\r\n$3\r\nGETX\r\n"},
	{"inline quoted arguments", "SET \"a b\" 'c d'\r\nGET \"a b\"\r\n"},
	{"inline tab separator", "ECHO\thello\r\n"},
	{"inline CR inside the line", "PING\rPING\r\n"},
	{"inline empty quotes", "ECHO \"\"\r\n"},
	{"inline invalid hex escape", "ECHO \"\\xZZ\\q\"\r\n"},
	{"inline multibulk-looking argument", "ECHO *1\r\n"},
}

// outcome is what a server did with a byte stream: its replies, and
// whether it closed the connection.
type outcome struct {
	replies []string
	closed  bool
	err     error
}

func (o outcome) String() string {
	s := "[" + strings.Join(o.replies, " ") + "]"
	if o.closed {
		return s + " then closed"
	}
	return s + " still open"
}

// feed sends data on a fresh connection and reads replies until the
// server closes or stays quiet for idle.
func feed(addr, data string, idle time.Duration) outcome {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return outcome{err: err}
	}
	defer c.Close()
	go func() {
		_ = c.SetWriteDeadline(time.Now().Add(5 * time.Second))
		_, _ = c.Write([]byte(data)) // the server may close before reading it all
	}()
	r := bufio.NewReader(c)
	var out outcome
	for {
		_ = c.SetReadDeadline(time.Now().Add(idle))
		v, err := resp.ReadValue(r)
		var ne net.Error
		switch {
		case err == nil:
			out.replies = append(out.replies, v.String())
			continue
		case errors.As(err, &ne) && ne.Timeout():
		case errors.Is(err, io.EOF), errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.ErrUnexpectedEOF):
			out.closed = true
		default:
			out.err = err
		}
		return out
	}
}

// TestProtocolErrors feeds both servers the same byte streams on fresh
// connections and requires the same replies and the same decision to
// close, while a client on another connection keeps being served.
func TestProtocolErrors(t *testing.T) {
	rAddr := startRedis(t)
	eAddr := startEmber(t).Addr
	control := dialPair(t, eAddr, rAddr, 2)
	defer control.close()

	idle := 300 * time.Millisecond
	if os.Getenv("CI") != "" {
		idle = time.Second // a loaded machine answers late
	}
	results := make([][2]outcome, len(protocolCases))
	var wg sync.WaitGroup
	for i, tc := range protocolCases {
		for side, addr := range []string{eAddr, rAddr} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i][side] = feed(addr, tc.data, idle)
			}()
		}
	}
	wg.Wait()

	for i, tc := range protocolCases {
		t.Run(tc.name, func(t *testing.T) {
			e, r := results[i][0], results[i][1]
			if r.err != nil {
				t.Fatalf("redis: %v", r.err)
			}
			if e.err != nil || !slices.Equal(e.replies, r.replies) || e.closed != r.closed {
				t.Errorf("sent %q\nember: %v (err %v)\nredis: %v", clip(tc.data, 80), e, e.err, r)
			}
		})
	}
	ev, rv, err := control.do([]string{"PING"})
	if err != nil || ev.Str != "PONG" || rv.Str != "PONG" {
		t.Fatalf("control connection after the malformed streams: %v ember %s redis %s", err, ev, rv)
	}
}
