package persistence

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

func TestRecordRoundTrip(t *testing.T) {
	t.Parallel()
	cases := []Record{
		{Tag: TagCommand, Time: 1700000000123, Args: [][]byte{[]byte("set"), []byte("k"), []byte("v")}},
		{Tag: TagExec, Flags: FlagResp3, Time: -5, Seed: 1<<64 - 1, Args: [][]byte{{}, []byte("x")}},
		{Tag: TagNoop, Args: [][]byte{}},
		{Tag: TagExpire, Time: 42, Args: [][]byte{bytes.Repeat([]byte{0, 255}, 1000)}},
	}
	for _, want := range cases {
		b := want.AppendBinary([]byte("prefix"))
		got, err := Decode(b[len("prefix"):])
		if err != nil {
			t.Fatalf("decode %+v: %v", want, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("round trip: got %+v, want %+v", got, want)
		}
		if len(b)-len("prefix") > want.Size() {
			t.Errorf("Size %d below encoded size %d", want.Size(), len(b)-len("prefix"))
		}
	}
}

func TestRecordRejectsDamage(t *testing.T) {
	t.Parallel()
	r := Record{Tag: TagCommand, Time: 7, Args: [][]byte{[]byte("del"), []byte("key")}}
	good := r.AppendBinary(nil)
	for i := range good {
		bad := bytes.Clone(good)
		bad[i] ^= 0x40
		if _, err := Decode(bad); err == nil {
			t.Errorf("flipping byte %d went unnoticed", i)
		}
	}
	for n := range len(good) {
		if _, err := Decode(good[:n]); err == nil {
			t.Errorf("truncation to %d bytes went unnoticed", n)
		}
	}
	if _, err := Decode(append(bytes.Clone(good[:len(good)-4]), 0, 0, 0, 0)); !errors.Is(err, ErrChecksum) {
		t.Errorf("zero checksum: got %v", err)
	}
}

func FuzzRecordDecode(f *testing.F) {
	f.Add((&Record{Tag: TagCommand, Time: 1, Args: [][]byte{[]byte("set"), []byte("a"), []byte("b")}}).AppendBinary(nil))
	f.Add([]byte{1, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := Decode(b)
		if err != nil {
			return
		}
		// Whatever decodes must encode back to the same bytes.
		if again := r.AppendBinary(nil); !bytes.Equal(again, b) {
			t.Fatalf("re-encoding differs:\n in %x\nout %x", b, again)
		}
	})
}

// A batch built entry by entry decodes as the TagBatch record of those
// entries, each of them the record it was made from.
func TestEncodeBatch(t *testing.T) {
	t.Parallel()
	recs := []Record{
		NewCommand(1700000000000, 7, [][]byte{[]byte("SET"), []byte("k"), []byte("v")}),
		NewExpire(1700000000001, []string{"a", "b"}),
		NewNoop(1700000000002),
	}
	var body, scratch []byte
	for i := range recs {
		body, scratch = AppendBatchEntry(body, scratch, &recs[i])
	}
	b, err := Decode(EncodeBatch(len(recs), body))
	if err != nil {
		t.Fatal(err)
	}
	if b.Tag != TagBatch || len(b.Args) != len(recs) {
		t.Fatalf("decoded %v with %d args", b.Tag, len(b.Args))
	}
	for i, a := range b.Args {
		got, err := Decode(a)
		if err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
		if !reflect.DeepEqual(got, recs[i]) && !(len(got.Args) == 0 && len(recs[i].Args) == 0 && got.Tag == recs[i].Tag && got.Time == recs[i].Time) {
			t.Errorf("entry %d: %+v, want %+v", i, got, recs[i])
		}
	}
}
