package difftest

import (
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestProtocolRandom sends both servers random byte streams made of the
// pieces protocol edge cases are made of (headers with odd counts and
// lengths, bulks with wrong ends, inline lines with quotes, escapes and
// odd blanks, NULs) and requires the same replies and the same decision
// to close. Streams stay far below 64KB, where Redis's line limits depend
// on how reads cut the stream. Commands only read (PING, ECHO, GET...).
func TestProtocolRandom(t *testing.T) {
	seed := loadConfig(t).seed
	n := 400
	if testing.Short() {
		n = 150
	}
	rAddr := startRedis(t)
	eAddr := startEmber(t).Addr
	r := rand.New(rand.NewPCG(seed, 11))
	streams := make([]string, n)
	for i := range streams {
		streams[i] = randomStream(r)
	}
	// How long a connection may stay silent before its replies count as
	// complete. 200 connections at a time under -race on a busy 2-core
	// machine can see a scheduling stall longer than 300ms: the test is
	// about which bytes come back, not how fast.
	idle := time.Second
	if os.Getenv("CI") != "" {
		idle = 2 * time.Second
	}
	results := make([][2]outcome, n)
	for batch := 0; batch < n; batch += 100 {
		var wg sync.WaitGroup
		for i := batch; i < min(n, batch+100); i++ {
			for side, addr := range []string{eAddr, rAddr} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					results[i][side] = feed(addr, streams[i], idle)
				}()
			}
		}
		wg.Wait()
	}
	failed := 0
	for i, s := range streams {
		e, rd := results[i][0], results[i][1]
		if rd.err != nil {
			t.Fatalf("redis: %v", rd.err)
		}
		if e.err != nil || !slices.Equal(unknownCmd(e.replies), unknownCmd(rd.replies)) || e.closed != rd.closed {
			if failed++; failed <= 10 {
				t.Errorf("seed %d stream %d: sent %q\nember: %v (err %v)\nredis: %v", seed, i, s, e, e.err, rd)
			}
		}
	}
}

// unknownCmd leaves "unknown command" errors their first words: how the
// command layer quotes a binary name and arguments is not the framing's
// business (TestProtocolErrors checks it).
func unknownCmd(replies []string) []string {
	out := slices.Clone(replies)
	for i, r := range out {
		if strings.HasPrefix(r, `-"ERR unknown command`) {
			out[i] = `-"ERR unknown command`
		}
	}
	return out
}

var (
	streamNames  = []string{"PING", "ECHO", "GET", "EXISTS", "ping", "GETX", ""}
	streamCounts = []string{"0", "-1", "-0", "01", "+1", " 1", "", "x", "2147483647", "2147483648", "99999999999999999999", "1\x00"}
	streamBlanks = []string{" ", "  ", "\t", "\v", "\f", "\r", " \r "}
	streamEnds   = []string{"\r\n", "\r\n", "\r\n", "xx", "\r", "\n\r", "\r\x00"}
	streamBytes  = "*$\r\n\x00 \t\"'\\xA1ab"
)

func randomStream(r *rand.Rand) string {
	var b strings.Builder
	for range 1 + r.IntN(5) {
		switch r.IntN(6) {
		case 0, 1:
			b.WriteString(randomMultibulk(r))
		case 2:
			b.WriteString("*" + pick(r, streamCounts) + pick(r, []string{"\r\n", "\n", "\rX", "\r"}))
		case 3, 4:
			b.WriteString(randomInline(r))
		default:
			b.WriteString(randomBytes(r, 1+r.IntN(12)))
		}
	}
	return b.String()
}

// randomMultibulk is a command frame, mostly right, sometimes off: a
// length one too short or long, a bad length, a bulk not ending in CRLF.
func randomMultibulk(r *rand.Rand) string {
	args := []string{pick(r, streamNames)}
	for range r.IntN(3) {
		args = append(args, randomBytes(r, r.IntN(6)))
	}
	var b strings.Builder
	b.WriteString("*" + strconv.Itoa(len(args)+r.IntN(2)*(r.IntN(3)-1)) + "\r\n")
	for _, a := range args {
		size := strconv.Itoa(len(a))
		switch r.IntN(10) {
		case 0:
			size = strconv.Itoa(len(a) + r.IntN(3) - 1)
		case 1:
			size = pick(r, []string{"0" + size, "+" + size, "-1", "", size + "\x00"})
		}
		end := "\r\n"
		if r.IntN(5) == 0 {
			end = pick(r, streamEnds)
		}
		b.WriteString("$" + size + "\r\n" + a + end)
	}
	return b.String()
}

// randomInline is an inline command line, with quoted arguments,
// escapes, odd blanks and sometimes no end.
func randomInline(r *rand.Rand) string {
	var b strings.Builder
	if r.IntN(4) == 0 {
		b.WriteString(pick(r, streamBlanks))
	}
	b.WriteString(pick(r, streamNames[:5]))
	for range r.IntN(4) {
		b.WriteString(pick(r, streamBlanks))
		arg := randomBytes(r, r.IntN(5))
		switch r.IntN(5) {
		case 0:
			arg = `"` + pick(r, []string{`\x41`, `\n`, `\\`, `\"`, `\x4`, `\q`, "a"}) + arg + `"`
		case 1:
			arg = `'` + pick(r, []string{`\'`, `\n`, "a"}) + arg + `'`
		}
		b.WriteString(arg)
	}
	b.WriteString(pick(r, []string{"\r\n", "\r\n", "\n", "\r\r\n", ""}))
	return b.String()
}

func randomBytes(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = streamBytes[r.IntN(len(streamBytes))]
	}
	return string(b)
}

func pick(r *rand.Rand, from []string) string { return from[r.IntN(len(from))] }
