package persistence

import (
	"bytes"
	"errors"
	"io"
	"math"
	"testing"
)

func sampleSnapshot(t testing.TB) []byte {
	var buf bytes.Buffer
	w := NewSnapshotWriter(&buf, 42)
	w.String([]byte("s"), 0, []byte("value\x00\r\n"))
	w.String([]byte(""), 1700000000000, nil)
	w.Begin(SnapList, []byte("l"), -1, 0, 2)
	w.Elem([]byte("a"))
	w.Elem(nil)
	w.Begin(SnapHash, []byte("h"), 5, 8, 1)
	w.Pair([]byte("f"), []byte("v"))
	w.Begin(SnapSet, []byte("set"), 0, 4, 1)
	w.Elem([]byte("m"))
	w.Begin(SnapZSet, []byte("z"), 0, 0, 2)
	w.Scored([]byte("x"), math.Inf(-1))
	w.Scored([]byte("y"), 2.5)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// readAll decodes a whole snapshot into a printable form.
func readAll(b []byte) ([]string, error) {
	r, err := NewSnapshotReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	var out []string
	for {
		e, err := r.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, string(e.Kind+'0')+":"+string(e.Key)+":"+string(e.Str))
		for range e.Count {
			switch e.Kind {
			case SnapList, SnapSet:
				v, err := r.Elem()
				if err != nil {
					return out, err
				}
				out = append(out, string(v))
			case SnapHash:
				f, v, err := r.Pair()
				if err != nil {
					return out, err
				}
				out = append(out, string(f)+"="+string(v))
			case SnapZSet:
				m, s, err := r.Scored()
				if err != nil {
					return out, err
				}
				out = append(out, string(m)+"@"+FormatScore(s))
			}
		}
	}
}

// FormatScore is a test helper for readable scores.
func FormatScore(f float64) string {
	switch {
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsInf(f, 1):
		return "inf"
	}
	return string(rune('0' + int(f)))
}

func TestSnapshotRoundTrip(t *testing.T) {
	t.Parallel()
	r, err := NewSnapshotReader(bytes.NewReader(sampleSnapshot(t)))
	if err != nil || r.Applied != 42 {
		t.Fatalf("header: applied %v, %v", r, err)
	}
	got, err := readAll(sampleSnapshot(t))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"1:s:value\x00\r\n", "1::", "2:l:", "a", "", "3:h:", "f=v", "4:set:", "m", "5:z:", "x@-inf", "y@2"}
	if len(got) != len(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("entry %d: got %q, want %q", i, got[i], want[i])
		}
	}
}

func TestSnapshotDetectsDamage(t *testing.T) {
	t.Parallel()
	good := sampleSnapshot(t)
	for i := range good {
		bad := bytes.Clone(good)
		bad[i] ^= 0x21
		if _, err := readAll(bad); err == nil {
			t.Errorf("flipped byte %d went unnoticed", i)
		}
	}
	for n := range len(good) {
		if _, err := readAll(good[:n]); err == nil {
			t.Errorf("truncation to %d bytes went unnoticed", n)
		}
	}
	if _, err := readAll(append(bytes.Clone(good), 0)); err == nil {
		t.Errorf("trailing byte went unnoticed")
	}
	if _, err := readAll([]byte("EMBRSNAP\x09")); !errors.Is(err, ErrSnapVersion) {
		t.Errorf("unknown version: %v", err)
	}
}

func TestSnapshotWriterChecksCounts(t *testing.T) {
	t.Parallel()
	w := NewSnapshotWriter(io.Discard, 0)
	w.Begin(SnapList, []byte("l"), 0, 0, 2)
	w.Elem([]byte("only one"))
	if err := w.Close(); err == nil {
		t.Fatal("short entry accepted")
	}
}

func FuzzSnapshotDecode(f *testing.F) {
	f.Add(sampleSnapshot(f))
	f.Add([]byte("EMBRSNAP\x01\x00\x03\x01h\x00\x80\x80\x80\x80\x10\xff\xff\xff\xff\x0f"))
	f.Fuzz(func(t *testing.T, b []byte) {
		// Must return (an error or EOF), never panic or allocate wildly:
		// lengths are capped and buffers grow only as bytes arrive.
		readAll(b)
	})
}
