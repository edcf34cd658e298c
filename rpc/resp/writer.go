// Package resp encodes replies in RESP2 or RESP3 and reads them back, for
// the server and for tests that compare replies byte for byte.
package resp

import (
	"math"
	"strconv"

	"github.com/tidwall/redcon"
)

// Writer appends replies to a buffer in the protocol version it was set
// to. It implements command.Writer. The zero value writes RESP2.
//
// RESP2 is encoded by redcon's Append functions, whose bytes are Redis's;
// the RESP3 types redcon lacks (null "_", map "%", set "~", double ",",
// verbatim "=") are encoded here.
type Writer struct {
	B     []byte
	Proto int // 2 or 3; 0 means 2
	// Errors counts the error replies written (INFO's
	// total_error_replies); its owner resets it.
	Errors int64
	// Limit is the size of B at which a reply that keeps
	// growing should stop (Redis's client-output-buffer-limit hard
	// limit); 0 means none. Writing past it is not refused: a long
	// reply's loop asks Overflowed and gives up, and the connection,
	// over its limit, is closed without the reply.
	Limit int
}

// Overflowed reports whether the buffer passed Limit: Redis's
// CLIENT_CLOSE_ASAP, which loops building long replies check.
func (w *Writer) Overflowed() bool { return w.Limit > 0 && len(w.B) >= w.Limit }

// Resp3 reports whether RESP3 shapes are allowed.
func (w *Writer) Resp3() bool { return w.Proto == 3 }

// Reset empties the buffer, keeping its storage.
func (w *Writer) Reset() { w.B = w.B[:0] }

// Simple writes a status reply. (redcon replaces newlines in it by spaces;
// every status reply is a constant without any.)
func (w *Writer) Simple(s string) { w.B = redcon.AppendString(w.B, s) }

// Error writes msg; newlines in it would break the protocol, so they are
// replaced by spaces, as Redis does.
func (w *Writer) Error(msg string) {
	w.Errors++
	w.B = redcon.AppendError(w.B, msg)
}

func (w *Writer) Int(n int64) { w.B = redcon.AppendInt(w.B, n) }

// header writes the header of a RESP3 type redcon has no function for.
func (w *Writer) header(c byte, n int) {
	w.B = append(w.B, c)
	w.B = strconv.AppendInt(w.B, int64(n), 10)
	w.B = append(w.B, '\r', '\n')
}

func (w *Writer) Bulk(b []byte) { w.B = redcon.AppendBulk(w.B, b) }

func (w *Writer) BulkString(s string) { w.B = redcon.AppendBulkString(w.B, s) }

func (w *Writer) Null() {
	if w.Proto == 3 {
		w.B = append(w.B, "_\r\n"...)
		return
	}
	w.B = redcon.AppendNull(w.B)
}

func (w *Writer) NullArray() {
	if w.Proto == 3 {
		w.B = append(w.B, "_\r\n"...)
		return
	}
	w.B = redcon.AppendArray(w.B, -1) // "*-1"
}

func (w *Writer) Array(n int) { w.B = redcon.AppendArray(w.B, n) }

func (w *Writer) Map(n int) {
	if w.Proto == 3 {
		w.header('%', n)
		return
	}
	w.Array(2 * n)
}

func (w *Writer) Set(n int) {
	if w.Proto == 3 {
		w.header('~', n)
		return
	}
	w.Array(n)
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
func (w *Writer) Raw(b []byte) {
	if len(b) > 0 && b[0] == '-' {
		w.Errors++
	}
	w.B = append(w.B, b...)
}
