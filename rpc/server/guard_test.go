package server

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/ember-node/ember-node/rpc/resp"
)

type guardCase struct {
	name, in string
	want     []string // the commands run, as %q prints their argv
	err      string   // the protocol error, "" if the stream just ends
	env      func(*guardEnv)
}

func requirePass(e *guardEnv) { e.requirePass = true }

// guardCases are what redis-server 7.0.15 makes of these streams (each was
// checked against it).
var guardCases = []guardCase{
	{name: "ping", in: "*1\r\n$4\r\nPING\r\n", want: []string{`["PING"]`}},
	{name: "empty multibulk ignored", in: "*0\r\n*1\r\n$4\r\nPING\r\n", want: []string{`["PING"]`}},
	{name: "negative multibulk ignored", in: "*-1\r\n*-7\r\n*1\r\n$4\r\nPING\r\n", want: []string{`["PING"]`}},
	{name: "multibulk -0", in: "*-0\r\n", err: errInvalidMulti},
	{name: "multibulk leading zero", in: "*01\r\n$4\r\nPING\r\n", err: errInvalidMulti},
	{name: "multibulk plus sign", in: "*+1\r\n$4\r\nPING\r\n", err: errInvalidMulti},
	{name: "multibulk space", in: "* 1\r\n", err: errInvalidMulti},
	{name: "multibulk empty", in: "*\r\n", err: errInvalidMulti},
	{name: "multibulk INT_MAX waits", in: "*2147483647\r\n$4\r\nPING\r\n"},
	{name: "multibulk over INT_MAX", in: "*2147483648\r\n", err: errInvalidMulti},
	{name: "multibulk 29 digits", in: "*12345678901234567890123456789\r\n", err: errInvalidMulti},
	{name: "multibulk zeros", in: "*0000000000000000000000000001\r\n$4\r\nPING\r\n", err: errInvalidMulti},
	{name: "multibulk LF only", in: "*1\n$4\r\nPING\r\n", err: errInvalidMulti},
	{name: "any byte after header CR", in: "*1\rX$4\r\nPING\r\n", want: []string{`["PING"]`}},
	{name: "NUL after header CR", in: "*1\r\x00$4\r\nPING\r\n", want: []string{`["PING"]`}},
	{name: "any byte after bulk CR", in: "*1\r\n$4\rXPING\r\n", want: []string{`["PING"]`}},
	{name: "bulk not followed by CRLF", in: "*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n", want: []string{`["PING"]`, `["PING"]`}},
	{name: "bulk shorter than said", in: "*1\r\n$3\r\nPING\r\n*1\r\n$4\r\nPING\r\n", want: []string{`["PIN"]`, `["PING"]`}},
	{name: "bulk 3 for GETX", in: "*1\r\n$3\r\nGETX\r\n", want: []string{`["GET"]`}},
	{name: "empty bulk then junk", in: "*2\r\n$4\r\nECHO\r\n$0\r\nxx*1\r\n$4\r\nPING\r\n", want: []string{`["ECHO" ""]`, `["PING"]`}},
	{name: "bulk waits for two more bytes", in: "*1\r\n$4\r\nPING\r"},
	{name: "bulk LF only", in: "*1\r\n$4\nPING\r\n", err: errInvalidBulk},
	{name: "bulk leading zero", in: "*1\r\n$04\r\nPING\r\n", err: errInvalidBulk},
	{name: "bulk plus sign", in: "*1\r\n$+4\r\nPING\r\n", err: errInvalidBulk},
	{name: "bulk space", in: "*1\r\n$ 4\r\nPING\r\n", err: errInvalidBulk},
	{name: "bulk empty", in: "*1\r\n$\r\n", err: errInvalidBulk},
	{name: "bulk -1", in: "*2\r\n$3\r\nGET\r\n$-1\r\n", err: errInvalidBulk},
	{name: "bulk -0", in: "*1\r\n$-0\r\n", err: errInvalidBulk},
	{name: "bulk 25 digits", in: "*1\r\n$1234567890123456789012345\r\n", err: errInvalidBulk},
	{name: "bulk overflows int64", in: "*1\r\n$99999999999999999999\r\n", err: errInvalidBulk},
	{name: "bulk near int64 max", in: "*1\r\n$9223372036854775806\r\nxx", err: errInvalidBulk},
	{name: "bulk over proto-max-bulk-len", in: "*1\r\n$536870913\r\n", err: errInvalidBulk},
	{name: "expected dollar", in: "*2\r\n+foo\r\n", err: "expected '$', got '+'"},
	{name: "expected dollar waits for CR", in: "*1\r\nx3"},
	{name: "expected dollar waits for byte after CR", in: "*1\r\nx3\r"},
	{name: "expected dollar once line ends", in: "*1\r\nx3\rz", err: "expected '$', got 'x'"},
	{name: "expected dollar CR shown as space", in: "*1\r\n\r\n", err: "expected '$', got ' '"},
	{name: "expected dollar LF shown as space", in: "*1\r\n\n$4\r\n", err: "expected '$', got ' '"},
	{name: "expected dollar high byte", in: "*1\r\n\xff\r\n", err: "expected '$', got '\xff'"},
	{name: "inline after multibulk header", in: "*1\r\nPING\r\n", err: "expected '$', got 'P'"},
	{name: "NUL in multibulk header waits", in: "*1\x00\r\n$4\r\nPING\r\n"},
	{name: "NUL in bulk header waits", in: "*1\r\n$4\x00\r\nPING\r\n"},
	{name: "commands before bad frame run", in: "*1\r\n$4\r\nPING\r\n*1\r\n$-7\r\n", want: []string{`["PING"]`}, err: errInvalidBulk},
	{name: "binary args", in: "*2\r\n$4\r\nECHO\r\n$5\r\n\x00\r\n*$\r\n", want: []string{`["ECHO" "\x00\r\n*$"]`}},

	{name: "inline", in: "PING\r\n", want: []string{`["PING"]`}},
	{name: "inline LF", in: "PING\n", want: []string{`["PING"]`}},
	{name: "inline args", in: "ping hello\r\n", want: []string{`["ping" "hello"]`}},
	{name: "inline blank lines", in: "   \r\n\r\n\n\r\r\n*1\r\n$4\r\nPING\r\n", want: []string{`["PING"]`}},
	{name: "inline after multibulk", in: "*1\r\n$4\r\nPING\r\nPING\r\n", want: []string{`["PING"]`, `["PING"]`}},
	{name: "inline bulk-looking", in: "$3\r\nfoo\r\n", want: []string{`["$3"]`, `["foo"]`}},
	{name: "inline tab", in: "ECHO\thello\r\n", want: []string{`["ECHO" "hello"]`}},
	{name: "inline CR inside", in: "PING\rPING\r\n", want: []string{`["PING" "PING"]`}},
	{name: "inline CR CR LF", in: "PING\r\r\n", want: []string{`["PING"]`}},
	{name: "inline VT inside an arg", in: "ECHO a\vb\r\n", want: []string{`["ECHO" "a\vb"]`}},
	{name: "inline VT leading", in: "\vECHO hi\r\n", want: []string{`["ECHO" "hi"]`}},
	{name: "inline VT glued to name", in: "ECHO\vhello\r\n", want: []string{`["ECHO\vhello"]`}},
	{name: "inline quote then VT", in: "ECHO \"a\"\v\r\n", want: []string{`["ECHO" "a"]`}},
	{name: "inline quote then FF", in: "ECHO \"a\"\fb\r\n", want: []string{`["ECHO" "a" "b"]`}},
	{name: "inline escapes", in: "ECHO \"a\\x41\\n\\t\"\r\n", want: []string{`["ECHO" "aA\n\t"]`}},
	{name: "inline more escapes", in: "ECHO \"\\a\\b\\q\\\\\\\"\"\r\n", want: []string{`["ECHO" "\a\bq\\\""]`}},
	{name: "inline hex", in: "ECHO \"\\xfF\\x4g\"\r\n", want: []string{`["ECHO" "\xffx4g"]`}},
	{name: "inline short hex", in: "ECHO \"\\x4\"\r\n", want: []string{`["ECHO" "x4"]`}},
	{name: "inline bad hex", in: "ECHO \"\\xZZ\\q\"\r\n", want: []string{`["ECHO" "xZZq"]`}},
	{name: "inline single-quote escape", in: "ECHO 'a\\'b'\r\n", want: []string{`["ECHO" "a'b"]`}},
	{name: "inline single quotes keep backslash", in: "ECHO 'a\\nb'\r\n", want: []string{`["ECHO" "a\\nb"]`}},
	{name: "inline empty quotes", in: "ECHO \"\" ''\r\n", want: []string{`["ECHO" "" ""]`}},
	{name: "inline quote mid-arg", in: "ECHO a\"b c\" d\r\n", want: []string{`["ECHO" "ab c" "d"]`}},
	{name: "inline quoted", in: "SET \"a b\" 'c d'\r\nGET \"a b\"\r\n", want: []string{`["SET" "a b" "c d"]`, `["GET" "a b"]`}},
	{name: "inline unbalanced double", in: "SET \"a b\r\n", err: errUnbalancedQuot},
	{name: "inline unbalanced single", in: "SET k 'v\r\n", err: errUnbalancedQuot},
	{name: "inline quote glued", in: "SET \"a\"b c\r\n", err: errUnbalancedQuot},
	{name: "inline quotes glued", in: "ECHO \"a\"\"b\"\r\n", err: errUnbalancedQuot},
	{name: "inline quote glued mid-arg", in: "ECHO a\"b c\"d\r\n", err: errUnbalancedQuot},
	{name: "inline escaped closing quote", in: "ECHO \"a\\\"\r\n", err: errUnbalancedQuot},
	{name: "inline unfinished line", in: "ECHO \"a\\"},
	{name: "inline NUL waits", in: "PI\x00NG\r\n"},
	{name: "inline NUL after a command", in: "PING\r\nPI\x00NG\r\nPING\r\n", want: []string{`["PING"]`}},

	{name: "unauth multibulk 10", in: "*10\r\n", env: requirePass},
	{name: "unauth multibulk 11", in: "*11\r\n", err: "unauthenticated multibulk length", env: requirePass},
	{name: "unauth bad count first", in: "*011\r\n", err: errInvalidMulti, env: requirePass},
	{name: "unauth negative counts", in: "*0\r\n*-5\r\n*11\r\n", err: "unauthenticated multibulk length", env: requirePass},
	{name: "unauth bulk 16384", in: "*1\r\n$16384\r\n", env: requirePass},
	{name: "unauth bulk 16385", in: "*1\r\n$16385\r\n", err: "unauthenticated bulk length", env: requirePass},
	{name: "unauth bulk -1", in: "*1\r\n$-1\r\n", err: errInvalidBulk, env: requirePass},
	{name: "unauth inline", in: "ECHO " + strings.Repeat("a", 20000) + "\r\n", want: []string{`["ECHO" "` + strings.Repeat("a", 20000) + `"]`}, env: requirePass},
	{name: "auth then big count", in: "AUTH pw\r\n*11\r\n", want: []string{`["AUTH" "pw"]`}, env: requirePass},
	{name: "auth then big bulk", in: "*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n*1\r\n$16385\r\n", want: []string{`["AUTH" "pw"]`}, env: requirePass},
	{name: "wrong auth then big count", in: "AUTH px\r\n*11\r\n", want: []string{`["AUTH" "px"]`}, err: "unauthenticated multibulk length", env: requirePass},
	{name: "authed then big frames", in: "*1\r\n$16385\r\n", env: func(e *guardEnv) { e.requirePass, e.authed = true, true }},

	{name: "raised bulk limit", in: "RAISE\r\n*1\r\n$5000\r\n", want: []string{`["RAISE"]`}, env: func(e *guardEnv) { e.maxBulk = 4096 }},
	{name: "bulk limit", in: "PING\r\n*1\r\n$5000\r\n", want: []string{`["PING"]`}, err: errInvalidBulk, env: func(e *guardEnv) { e.maxBulk = 4096 }},
	{name: "query limit", in: "*2\r\n$3\r\nGET\r\n$200\r\n", err: errQueryLimit, env: func(e *guardEnv) { e.maxQuery = 100 }},
	{name: "query limit counts headers", in: "*2\r\n$3\r\nGET\r\n$81\r\n", err: errQueryLimit, env: func(e *guardEnv) { e.maxQuery = 100 }},
	{name: "query limit reached", in: "*2\r\n$3\r\nGET\r\n$80\r\n", env: func(e *guardEnv) { e.maxQuery = 100 }},
	{name: "query limit is per command", in: strings.Repeat("*2\r\n$3\r\nGET\r\n$78\r\n"+strings.Repeat("k", 78)+"\r\n", 2), want: []string{`["GET" "` + strings.Repeat("k", 78) + `"]`, `["GET" "` + strings.Repeat("k", 78) + `"]`}, env: func(e *guardEnv) { e.maxQuery = 100 }},
}

// chunkings are ways a socket may deliver s: whole, a byte at a time,
// and (when short) cut in two anywhere.
func chunkings(s string) [][][]byte {
	b := []byte(s)
	out := [][][]byte{{b}}
	if len(b) > 512 {
		return out
	}
	var bytewise [][]byte
	for i := range b {
		bytewise = append(bytewise, b[i:i+1])
	}
	out = append(out, bytewise)
	for cut := 1; cut < len(b); cut++ {
		out = append(out, [][]byte{b[:cut], b[cut:]})
	}
	return out
}

func TestGuardFramesAsRedis(t *testing.T) {
	t.Parallel()
	for _, c := range guardCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			env := defaultEnv()
			if c.env != nil {
				c.env(&env)
			}
			want := outcome{cmds: c.want, err: c.err}
			if got := runRef(env, [][]byte{[]byte(c.in)}); !got.equal(want) {
				t.Fatalf("reference model: %v, want %v", got, want)
			}
			for _, chunks := range chunkings(c.in) {
				if got := runGuard(t, env, chunks); !got.equal(want) {
					t.Fatalf("in %d chunks %q: %v, want %v", len(chunks), chunks, got, want)
				}
			}
		})
	}
}

// TestGuardLongLines: Redis refuses a line whose end it has not found in
// more than 64KB read, checking after each read (so the same line may
// pass when its end comes in the read that crosses 64KB).
func TestGuardLongLines(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("a", 70000)
	digits := strings.Repeat("1", 70000)
	cases := []struct {
		name   string
		chunks []string
		err    string
		want   []string
	}{
		{"inline without end", []string{big}, "too big inline request", nil},
		{"inline NUL then more", []string{"PI\x00NG\r\n", big}, "too big inline request", nil},
		{"inline NUL under 64KB", []string{"PI\x00NG\r\n", big[:60000]}, "", nil},
		{"inline ending in the crossing read", []string{big[:40000], big[40000:] + "\r\n"}, "", []string{`["` + big + `"]`}},
		{"multibulk NUL", []string{"*1\x00\r\n$4\r\nPING\r\n", big}, "too big mbulk count string", nil},
		{"multibulk no CR", []string{"*1\n$4\nPING\n", big}, "too big mbulk count string", nil},
		{"multibulk digits ending in the crossing read", []string{"*" + digits[:40000], digits[40000:] + "\r\n"}, errInvalidMulti, nil},
		{"bulk NUL", []string{"*1\r\n$4\x00\r\nPING\r\n", big}, "too big bulk count string", nil},
		{"expected dollar, no CR", []string{"*1\r\nx" + digits}, "too big bulk count string", nil},
		{"bulk digits ending in the crossing read", []string{"*1\r\n$" + digits[:40000], digits[40000:] + "\r\n"}, errInvalidBulk, nil},
	}
	for _, c := range cases {
		var chunks [][]byte
		for _, s := range c.chunks {
			chunks = append(chunks, []byte(s))
		}
		want := outcome{cmds: c.want, err: c.err}
		if got := runRef(defaultEnv(), chunks); !got.equal(want) {
			t.Errorf("%s: reference model: %.200v, want %.200v", c.name, got, want)
		}
		if got := runGuard(t, defaultEnv(), chunks); !got.equal(want) {
			t.Errorf("%s: %.200v, want %.200v", c.name, got, want)
		}
	}
}

// validStream is a pipeline of random commands with binary arguments.
func validStream(r *rand.Rand, n int) []byte {
	var b []byte
	for range n {
		argv := make([][]byte, 1+r.IntN(4))
		for i := range argv {
			argv[i] = make([]byte, r.IntN(40))
			for j := range argv[i] {
				const alphabet = "*$\r\n\x00 \"'ab"
				argv[i][j] = alphabet[r.IntN(len(alphabet))]
			}
		}
		b = resp.AppendCommand(b, argv...)
	}
	return b
}

// readAll reads g to the end with reads of random sizes.
func readAll(t testing.TB, g *guardConn, r *rand.Rand) []byte {
	var out []byte
	for {
		p := make([]byte, 1+r.IntN(5000))
		n, err := g.Read(p)
		out = append(out, p[:n]...)
		if err != nil {
			if g.failed != "" {
				t.Fatalf("guard refused valid input: %s", g.failed)
			}
			return out
		}
	}
}

// firstDiff describes where the guard's output first differs from
// valid input.
func firstDiff(in, out []byte) string {
	i := 0
	for i < min(len(in), len(out)) && in[i] == out[i] {
		i++
	}
	from := max(0, i-40)
	return fmt.Sprintf("valid input changed at byte %d of %d (output %d bytes)\n in ...%q\nout ...%q",
		i, len(in), len(out), in[from:min(len(in), i+40)], out[from:min(len(out), i+40)])
}

// randomChunks cuts b at random places.
func randomChunks(b []byte, r *rand.Rand) [][]byte {
	var chunks [][]byte
	for len(b) > 0 {
		n := min(len(b), 1+r.IntN([]int{3, 64, 5000}[r.IntN(3)]))
		chunks = append(chunks, b[:n])
		b = b[n:]
	}
	return chunks
}

func TestGuardPassesValidRESPUntouched(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		in := validStream(r, 1+r.IntN(200))
		g := &guardConn{Conn: &chunkConn{chunks: randomChunks(in, r)}, lim: guardLimits{maxBulk: 512 << 20, maxQuery: 1 << 30}}
		if out := readAll(t, g, r); !bytes.Equal(out, in) {
			t.Fatal(firstDiff(in, out))
		}
	}
}

// TestGuardStreamsBigBulk: a bulk passes in pieces; the guard holds no
// more than a read's worth of it.
func TestGuardStreamsBigBulk(t *testing.T) {
	t.Parallel()
	const size = 8 << 20
	in := resp.AppendCommand(nil, []byte("SET"), []byte("k"), bytes.Repeat([]byte("v"), size))
	g := &guardConn{Conn: &chunkConn{chunks: [][]byte{in}}, lim: guardLimits{maxBulk: 512 << 20, maxQuery: 1 << 30}}
	p := make([]byte, 4096)
	var got int
	for {
		n, err := g.Read(p)
		got += n
		if len(g.spill) > 0 || len(g.carry) > maxHeaderLine {
			t.Fatalf("guard buffers %d+%d bytes", len(g.spill), len(g.carry))
		}
		if err != nil {
			break
		}
	}
	if got != len(in) {
		t.Fatalf("passed %d of %d bytes", got, len(in))
	}
}

func FuzzGuard(f *testing.F) {
	for _, c := range guardCases {
		f.Add([]byte(c.in), uint64(len(c.name)))
	}
	f.Fuzz(fuzzOne)
}

func fuzzOne(t *testing.T, b []byte, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 7))
	env := defaultEnv()
	env.requirePass = seed&1 != 0
	if seed&2 != 0 {
		env.maxBulk, env.maxQuery = 1024, 1<<11
	}
	// Whatever the guard passes, the reader must parse (runGuard fails on
	// a panic or on the reader's own protocol errors), and it must make of
	// the stream what Redis does. Past 64KB, lines may end differently
	// depending on how reads cut them.
	chunks := randomChunks(b, r)
	got := runGuard(t, env, chunks)
	if want := runRef(env, chunks); len(b) < maxInlineSize && !got.equal(want) {
		t.Fatalf("%q in %d chunks: guard %v, reference %v", b, len(chunks), got, want)
	}
	// Valid RESP passes byte for byte.
	in := validFrom(b)
	g := &guardConn{Conn: &chunkConn{chunks: randomChunks(in, r)}, lim: guardLimits{maxBulk: 512 << 20, maxQuery: 1 << 30}}
	if out := readAll(t, g, r); !bytes.Equal(out, in) {
		t.Fatal(firstDiff(in, out))
	}
}

// validFrom makes valid RESP of b: commands split at 0xFE, arguments at
// 0xFF.
func validFrom(b []byte) []byte {
	var out []byte
	for cmd := range bytes.SplitSeq(b, []byte{0xfe}) {
		out = resp.AppendCommand(out, bytes.Split(cmd, []byte{0xff})...)
	}
	return out
}

// viewReader records what the reader is given, Read by Read.
type viewReader struct {
	g     *guardConn
	out   []byte
	reads int
	bad   string
}

func (v *viewReader) Read(p []byte) (int, error) {
	n, err := v.g.Read(p)
	if n > 0 {
		v.reads++
		v.out = append(v.out, p[:n]...)
		if v.bad == "" && cutBetweenArgs(v.out) {
			v.bad = string(v.out[max(0, len(v.out)-40):])
		}
	}
	return n, err
}

// cutBetweenArgs reports whether canonical RESP out ends inside a frame
// but not inside a bulk: redcon (the reader before reqReader) then walked
// the frame's whole declared count, up to 2^31 steps, on every read.
func cutBetweenArgs(out []byte) bool {
	for len(out) > 0 {
		nl := bytes.IndexByte(out, '\n')
		if nl < 0 {
			return false // in the "*N" line
		}
		n, _ := strconv.Atoi(string(out[1 : nl-1]))
		out = out[nl+1:]
		for range n {
			if len(out) == 0 {
				return true // between arguments
			}
			nl := bytes.IndexByte(out, '\n')
			if nl < 0 {
				return true // in a "$N" line
			}
			size, _ := strconv.Atoi(string(out[1 : nl-1]))
			if len(out) < nl+1+size+2 {
				return false // in the bulk
			}
			out = out[nl+1+size+2:]
		}
	}
	return false
}

func TestGuardNeverCutsBetweenArguments(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(3, 4))
	streams := []string{
		"*2147483647\r\n" + strings.Repeat("$1\r\na\r\n", 300),
		"*1\r\n$4\r\nPING\r\n*5\r\n$3\r\nDEL\r\n$1\r\na\r\n$0\r\n\r\nPING\r\n$1\r\nb\r\n$1\r\nc\r\n",
		string(validStream(r, 100)),
	}
	for _, s := range streams {
		ways := chunkings(s)
		for _, chunks := range append(ways[:min(2, len(ways))], randomChunks([]byte(s), r)) {
			g := &guardConn{Conn: &chunkConn{chunks: cloneChunks(chunks)}, lim: guardLimits{maxBulk: 512 << 20, maxQuery: 1 << 30}}
			v := &viewReader{g: g}
			_ = readCommands(v, func([][]byte) {})
			if v.bad != "" {
				t.Fatalf("the reader was given a frame cut between arguments: ...%q", v.bad)
			}
		}
	}
}

// TestGuardFillsReadersBuffer: a long command reaches the reader in reads
// that fill its (doubling) buffer, so it is moved and grown a few times,
// not once per network read.
func TestGuardFillsReadersBuffer(t *testing.T) {
	t.Parallel()
	const args = 100000
	in := []byte("*" + strconv.Itoa(args) + "\r\n" + strings.Repeat("$1\r\na\r\n", args))
	var chunks [][]byte
	for b := in; len(b) > 0; b = b[min(len(b), 100):] {
		chunks = append(chunks, b[:min(len(b), 100)])
	}
	v := &viewReader{g: &guardConn{Conn: &chunkConn{chunks: chunks}, lim: guardLimits{maxBulk: 512 << 20, maxQuery: 1 << 30}}}
	cmds := 0
	err := readCommands(v, func(argv [][]byte) {
		if cmds++; len(argv) != args {
			t.Fatalf("read %d arguments", len(argv))
		}
	})
	if err != io.EOF || cmds != 1 {
		t.Fatalf("read %d commands, err %v", cmds, err)
	}
	if v.reads > 40 {
		t.Fatalf("the reader read the command in %d pieces (the network sent %d)", v.reads, len(chunks))
	}
}

// TestGuardLimitsFollowTheClient runs through a server: the unauthenticated
// limits hold until AUTH, even one earlier in the same pipeline, and so
// does proto-max-bulk-len until a CONFIG SET before it raises it.
func TestGuardLimitsFollowTheClient(t *testing.T) {
	t.Parallel()
	addr := startServer(t, func(c *Config) { c.RequirePass, c.ProtoMaxBulkLen = "s3cret", 20000 })
	send := func(tc *testConn, s string) {
		t.Helper()
		if _, err := tc.c.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	set := func(n int) string {
		return "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + strconv.Itoa(n) + "\r\n" + strings.Repeat("v", n) + "\r\n"
	}
	tc := dial(t, addr)
	send(tc, "*11\r\n")
	if got := tc.read(); got != `-"ERR Protocol error: unauthenticated multibulk length"` {
		t.Fatalf("count 11 before AUTH: %s", got)
	}
	tc.expectClosed()

	tc = dial(t, addr)
	send(tc, "AUTH s3cret\r\n"+set(20000)+"CONFIG SET proto-max-bulk-len 1mb\r\n"+set(30000)+"*1\r\n$2000000\r\n")
	for _, want := range []string{`+"OK"`, `+"OK"`, `+"OK"`, `+"OK"`, `-"ERR Protocol error: invalid bulk length"`} {
		if got := tc.read(); got != want {
			t.Fatalf("got %.80s, want %s", got, want)
		}
	}
	tc.expectClosed()
	tc = dial(t, addr)
	tc.expect(`+"OK"`, "AUTH", "s3cret")
	if got := tc.do("STRLEN", "k"); got != ":30000" {
		t.Fatalf("STRLEN after the raised limit: %s", got)
	}
}
