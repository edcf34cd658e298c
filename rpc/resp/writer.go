// Package resp encodes replies in RESP2 or RESP3 and reads them back, for
// the server and for tests that compare replies byte for byte.
package resp

import (
	"math"
	"strconv"
)

// Writer appends replies to a buffer in the protocol version it was set
// to. It implements command.Writer. The zero value writes RESP2.
type Writer struct {
	B     []byte
	Proto int // 2 or 3; 0 means 2
}

// Resp3 reports whether RESP3 shapes are allowed.
func (w *Writer) Resp3() bool { return w.Proto == 3 }

// Reset empties the buffer, keeping its storage.
func (w *Writer) Reset() { w.B = w.B[:0] }

func (w *Writer) Simple(s string) {
	w.B = append(w.B, '+')
	w.B = append(w.B, s...)
	w.B = append(w.B, '\r', '\n')
}

// Error writes msg; newlines in it would break the protocol, so they are
// replaced by spaces, as Redis does.
func (w *Writer) Error(msg string) {
	w.B = append(w.B, '-')
	for i := 0; i < len(msg); i++ {
		c := msg[i]
		if c == '\r' || c == '\n' {
			c = ' '
		}
		w.B = append(w.B, c)
	}
	w.B = append(w.B, '\r', '\n')
}

func (w *Writer) Int(n int64) {
	w.B = append(w.B, ':')
	w.B = strconv.AppendInt(w.B, n, 10)
	w.B = append(w.B, '\r', '\n')
}

func (w *Writer) header(c byte, n int) {
	w.B = append(w.B, c)
	w.B = strconv.AppendInt(w.B, int64(n), 10)
	w.B = append(w.B, '\r', '\n')
}

func (w *Writer) Bulk(b []byte) {
	w.header('$', len(b))
	w.B = append(w.B, b...)
	w.B = append(w.B, '\r', '\n')
}

func (w *Writer) BulkString(s string) {
	w.header('$', len(s))
	w.B = append(w.B, s...)
	w.B = append(w.B, '\r', '\n')
}

func (w *Writer) Null() {
	if w.Proto == 3 {
		w.B = append(w.B, "_\r\n"...)
		return
	}
	w.B = append(w.B, "$-1\r\n"...)
}

func (w *Writer) NullArray() {
	if w.Proto == 3 {
		w.B = append(w.B, "_\r\n"...)
		return
	}
	w.B = append(w.B, "*-1\r\n"...)
}

func (w *Writer) Array(n int) { w.header('*', n) }

func (w *Writer) Map(n int) {
	if w.Proto == 3 {
		w.header('%', n)
		return
	}
	w.header('*', 2*n)
}

func (w *Writer) Set(n int) {
	if w.Proto == 3 {
		w.header('~', n)
		return
	}
	w.header('*', n)
}

// Double writes f as Redis 7.0 does: "%.17g", inf and -inf; a bulk string
// in RESP2 and a double in RESP3.
func (w *Writer) Double(f float64) {
	var buf [32]byte
	var s []byte
	switch {
	case math.IsInf(f, 1):
		s = append(buf[:0], "inf"...)
	case math.IsInf(f, -1):
		s = append(buf[:0], "-inf"...)
	default:
		s = strconv.AppendFloat(buf[:0], f, 'g', 17, 64)
	}
	if w.Proto == 3 {
		w.B = append(w.B, ',')
		w.B = append(w.B, s...)
		w.B = append(w.B, '\r', '\n')
		return
	}
	w.Bulk(s)
}

// Verbatim writes a verbatim string (INFO, CLIENT INFO in RESP3); a bulk
// string in RESP2.
func (w *Writer) Verbatim(s string) {
	if w.Proto != 3 {
		w.BulkString(s)
		return
	}
	w.header('=', len(s)+4)
	w.B = append(w.B, "txt:"...)
	w.B = append(w.B, s...)
	w.B = append(w.B, '\r', '\n')
}

// Raw appends an already encoded reply.
func (w *Writer) Raw(b []byte) { w.B = append(w.B, b...) }
