package resp

import (
	"math"
	"testing"
)

// TestWriterBytes pins every reply's bytes in both protocols: redcon
// encodes RESP2, the writer RESP3's own types.
func TestWriterBytes(t *testing.T) {
	for _, tc := range []struct {
		write      func(w *Writer)
		resp2, rs3 string
	}{
		{func(w *Writer) { w.Simple("OK") }, "+OK\r\n", "+OK\r\n"},
		{func(w *Writer) { w.Error("ERR a\r\nb") }, "-ERR a  b\r\n", "-ERR a  b\r\n"},
		{func(w *Writer) { w.Int(0) }, ":0\r\n", ":0\r\n"},
		{func(w *Writer) { w.Int(7) }, ":7\r\n", ":7\r\n"},
		{func(w *Writer) { w.Int(-1) }, ":-1\r\n", ":-1\r\n"},
		{func(w *Writer) { w.Int(math.MinInt64) }, ":-9223372036854775808\r\n", ":-9223372036854775808\r\n"},
		{func(w *Writer) { w.Int(12345) }, ":12345\r\n", ":12345\r\n"},
		{func(w *Writer) { w.Bulk(nil) }, "$0\r\n\r\n", "$0\r\n\r\n"},
		{func(w *Writer) { w.Bulk([]byte("a\r\nb")) }, "$4\r\na\r\nb\r\n", "$4\r\na\r\nb\r\n"},
		{func(w *Writer) { w.BulkString("0123456789") }, "$10\r\n0123456789\r\n", "$10\r\n0123456789\r\n"},
		{func(w *Writer) { w.Null() }, "$-1\r\n", "_\r\n"},
		{func(w *Writer) { w.NullArray() }, "*-1\r\n", "_\r\n"},
		{func(w *Writer) { w.Array(0) }, "*0\r\n", "*0\r\n"},
		{func(w *Writer) { w.Array(12) }, "*12\r\n", "*12\r\n"},
		{func(w *Writer) { w.Map(5) }, "*10\r\n", "%5\r\n"},
		{func(w *Writer) { w.Set(3) }, "*3\r\n", "~3\r\n"},
		{func(w *Writer) { w.Double(1.5) }, "$3\r\n1.5\r\n", ",1.5\r\n"},
		{func(w *Writer) { w.Double(math.Inf(-1)) }, "$4\r\n-inf\r\n", ",-inf\r\n"},
		{func(w *Writer) { w.Verbatim("x") }, "$1\r\nx\r\n", "=5\r\ntxt:x\r\n"},
		{func(w *Writer) { w.Raw([]byte("+raw\r\n")) }, "+raw\r\n", "+raw\r\n"},
	} {
		for proto, want := range map[int]string{2: tc.resp2, 3: tc.rs3} {
			w := Writer{Proto: proto}
			tc.write(&w)
			if string(w.B) != want {
				t.Errorf("RESP%d: %q, want %q", proto, w.B, want)
			}
		}
	}
}
