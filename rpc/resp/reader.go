package resp

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Value is one decoded reply. Type is the RESP type byte: + - : $ * for
// RESP2, and _ , # = % ~ ( > for RESP3. Null bulk and null array are
// Type '$' or '*' with Null set.
type Value struct {
	Type  byte
	Str   string // simple, error, bulk, verbatim, double, big number text
	Int   int64
	Null  bool
	Elems []Value // array, set, push; a map's keys and values interleaved
}

// String renders v compactly and unambiguously, for test messages.
func (v Value) String() string {
	var sb strings.Builder
	v.render(&sb)
	return sb.String()
}

func (v Value) render(sb *strings.Builder) {
	switch {
	case v.Null:
		fmt.Fprintf(sb, "%cnil", v.Type)
	case v.Type == ':':
		fmt.Fprintf(sb, ":%d", v.Int)
	case v.Elems != nil || v.Type == '*' || v.Type == '%' || v.Type == '~' || v.Type == '>':
		sb.WriteByte(v.Type)
		sb.WriteByte('[')
		for i, e := range v.Elems {
			if i > 0 {
				sb.WriteByte(' ')
			}
			e.render(sb)
		}
		sb.WriteByte(']')
	default:
		fmt.Fprintf(sb, "%c%q", v.Type, v.Str)
	}
}

// ErrProtocol reports a reply that is not valid RESP.
var ErrProtocol = errors.New("resp: bad reply")

// ReadValue reads one reply.
func ReadValue(r *bufio.Reader) (Value, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return Value{}, err
	}
	if len(line) < 3 || line[len(line)-2] != '\r' {
		return Value{}, fmt.Errorf("%w: line %q", ErrProtocol, line)
	}
	t, body := line[0], line[1:len(line)-2]
	v := Value{Type: t}
	switch t {
	case '+', '-', ',', '(':
		v.Str = body
	case '_':
		v.Null = true
	case '#':
		v.Str = body
	case ':':
		v.Int, err = strconv.ParseInt(body, 10, 64)
	case '$', '=', '!':
		var n int
		if n, err = strconv.Atoi(body); err != nil || n < -1 {
			return v, fmt.Errorf("%w: length %q", ErrProtocol, body)
		}
		if n == -1 {
			v.Null = true
			return v, nil
		}
		buf := make([]byte, n+2)
		if _, err = io.ReadFull(r, buf); err != nil {
			return v, err
		}
		v.Str = string(buf[:n])
	case '*', '%', '~', '>', '|':
		var n int
		if n, err = strconv.Atoi(body); err != nil || n < -1 {
			return v, fmt.Errorf("%w: length %q", ErrProtocol, body)
		}
		if n == -1 {
			v.Null = true
			return v, nil
		}
		if t == '%' || t == '|' {
			n *= 2
		}
		v.Elems = make([]Value, n)
		for i := range v.Elems {
			if v.Elems[i], err = ReadValue(r); err != nil {
				return v, err
			}
		}
		if t == '|' { // attribute: the real reply follows
			return ReadValue(r)
		}
	default:
		return v, fmt.Errorf("%w: type %q", ErrProtocol, t)
	}
	return v, err
}

// AppendCommand appends argv as a RESP array of bulk strings.
func AppendCommand(b []byte, argv ...[]byte) []byte {
	w := Writer{B: b}
	w.Array(len(argv))
	for _, a := range argv {
		w.Bulk(a)
	}
	return w.B
}
