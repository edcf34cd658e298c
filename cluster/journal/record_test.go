package journal

import (
	"bytes"
	"errors"
	"testing"

	"github.com/hashicorp/raft"
)

func TestRecordRoundTrip(t *testing.T) {
	logs := entries(7, 3, 4)
	logs[1].Extensions = []byte("ext")
	logs[2].Data = nil
	b := appendRecord([]byte("prefix"), 3, 99, 12, logs)
	r, n, err := decodeRecord(b[len("prefix"):])
	if err != nil || n != len(b)-len("prefix") {
		t.Fatalf("decode: %v (%d of %d bytes)", err, n, len(b)-len("prefix"))
	}
	if r.group != 3 || r.inc != 99 || r.seq != 12 || len(r.logs) != 3 {
		t.Fatalf("header %+v", r)
	}
	for i, l := range r.logs {
		w := logs[i]
		if l.Index != w.Index || l.Term != w.Term || l.Type != w.Type || !bytes.Equal(l.Data, w.Data) ||
			!bytes.Equal(l.Extensions, w.Extensions) || !l.AppendedAt.Equal(w.AppendedAt) {
			t.Fatalf("entry %d: %+v, want %+v", i, l, w)
		}
	}
	for cut := range len(b) - len("prefix") {
		if _, _, err := decodeRecord(b[len("prefix") : len("prefix")+cut]); !errors.Is(err, errTorn) {
			t.Fatalf("cut at %d: %v, want a torn record", cut, err)
		}
	}
}

// FuzzDecodeRecord: no input panics or claims more bytes than it has;
// whatever decodes encodes back to the same bytes.
func FuzzDecodeRecord(f *testing.F) {
	f.Add(appendRecord(nil, 1, 2, 3, entries(1, 2, 1)))
	f.Add(appendRecord(nil, 0, 0, 0, nil))
	f.Add([]byte{0, 0, 0, 30, 1, 2, 3, 4})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, n, err := decodeRecord(b)
		if err != nil {
			return
		}
		if n > len(b) {
			t.Fatalf("took %d of %d bytes", n, len(b))
		}
		again := appendRecord(nil, r.group, r.inc, r.seq, r.logs)
		if !bytes.Equal(again, b[:n]) {
			// AppendedAt 0 and a missing time encode alike, as do nil and
			// empty data; anything else must round-trip.
			r2, _, err := decodeRecord(again)
			if err != nil || len(r2.logs) != len(r.logs) {
				t.Fatalf("re-encoding differs: %v", err)
			}
		}
		_ = raft.LogCommand
	})
}
