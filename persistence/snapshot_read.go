package persistence

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"
)

// SnapEntry is the start of one snapshot entry.
type SnapEntry struct {
	Kind     byte
	Key      []byte
	ExpireAt int64
	Table    uint64 // hash and set table size
	Count    uint64 // elements that follow (collections)
	Str      []byte // the value of a string entry
}

// SnapshotReader decodes a snapshot stream. Everything it returns is
// provisional until Next reports io.EOF, which means the footer's count
// and checksum matched: a restore must build aside and swap only then.
type SnapshotReader struct {
	r    *bufio.Reader
	crc  hash.Hash32
	n    uint64
	left uint64
	kind byte
	read int64 // bytes consumed, for error messages
	// Applied is the index of the last entry applied at capture time.
	Applied uint64
}

// NewSnapshotReader checks the header.
func NewSnapshotReader(r io.Reader) (*SnapshotReader, error) {
	s := &SnapshotReader{r: bufio.NewReaderSize(r, 64<<10), crc: crc32.New(castagnoli)}
	var h [9]byte
	if err := s.full(h[:]); err != nil {
		return nil, fmt.Errorf("snapshot header: %w", err)
	}
	if [8]byte(h[:8]) != snapMagic {
		return nil, ErrSnapMagic
	}
	if h[8] != SnapshotVersion {
		return nil, fmt.Errorf("%w %d", ErrSnapVersion, h[8])
	}
	var err error
	if s.Applied, err = s.uvarint(); err != nil {
		return nil, fmt.Errorf("snapshot header: %w", err)
	}
	return s, nil
}

func (s *SnapshotReader) corrupt(what string) error {
	return fmt.Errorf("%w: %s at byte %d (entry %d)", ErrSnapCorrupt, what, s.read, s.n)
}

func (s *SnapshotReader) full(b []byte) error {
	n, err := io.ReadFull(s.r, b)
	s.read += int64(n)
	s.crc.Write(b[:n])
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return err
}

func (s *SnapshotReader) byte() (byte, error) {
	c, err := s.r.ReadByte()
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return 0, err
	}
	s.read++
	s.crc.Write([]byte{c})
	return c, nil
}

func (s *SnapshotReader) uvarint() (uint64, error) {
	var x uint64
	for shift := 0; shift < 70; shift += 7 {
		c, err := s.byte()
		if err != nil {
			return 0, err
		}
		if shift == 63 && c > 1 {
			return 0, s.corrupt("varint overflow")
		}
		x |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return x, nil
		}
	}
	return 0, s.corrupt("varint too long")
}

func (s *SnapshotReader) varint() (int64, error) {
	u, err := s.uvarint()
	x := int64(u >> 1)
	if u&1 != 0 {
		x = ^x
	}
	return x, err
}

// bytes reads a length-prefixed byte string into a new buffer, growing it
// as data arrives rather than trusting the length up front.
func (s *SnapshotReader) bytes() ([]byte, error) {
	n, err := s.uvarint()
	if err != nil {
		return nil, err
	}
	if n > MaxSnapBytes {
		return nil, s.corrupt(fmt.Sprintf("length %d over limit", n))
	}
	b := make([]byte, 0, min(n, 1<<16))
	for uint64(len(b)) < n {
		chunk := min(n-uint64(len(b)), 1<<20)
		start := len(b)
		b = append(b, make([]byte, chunk)...)
		if err := s.full(b[start:]); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// Next returns the next entry, or io.EOF once the footer has been read and
// verified.
func (s *SnapshotReader) Next() (SnapEntry, error) {
	var e SnapEntry
	if s.left != 0 {
		return e, fmt.Errorf("snapshot: entry %d has %d unread elements", s.n, s.left)
	}
	kind, err := s.byte()
	if err != nil {
		return e, err
	}
	if kind == snapEnd {
		return e, s.footer()
	}
	if kind < SnapString || kind > SnapZSet {
		return e, s.corrupt(fmt.Sprintf("entry type %d", kind))
	}
	s.n++
	e.Kind, s.kind = kind, kind
	if e.Key, err = s.bytes(); err != nil {
		return e, err
	}
	if e.ExpireAt, err = s.varint(); err != nil {
		return e, err
	}
	if kind == SnapString {
		e.Str, err = s.bytes()
		return e, err
	}
	if kind == SnapHash || kind == SnapSet {
		if e.Table, err = s.uvarint(); err != nil {
			return e, err
		}
		if e.Table > MaxSnapCount || e.Table&(e.Table-1) != 0 {
			return e, s.corrupt(fmt.Sprintf("table size %d", e.Table))
		}
	}
	if e.Count, err = s.uvarint(); err != nil {
		return e, err
	}
	if e.Count == 0 || e.Count > MaxSnapCount {
		return e, s.corrupt(fmt.Sprintf("element count %d", e.Count))
	}
	s.left = e.Count
	return e, nil
}

func (s *SnapshotReader) footer() error {
	n, err := s.uvarint()
	if err != nil {
		return err
	}
	want := s.crc.Sum32()
	var sum [4]byte
	if _, err := io.ReadFull(s.r, sum[:]); err != nil {
		return fmt.Errorf("snapshot footer: %w", io.ErrUnexpectedEOF)
	}
	if binary.LittleEndian.Uint32(sum[:]) != want {
		return ErrSnapChecksum
	}
	if n != s.n {
		return s.corrupt(fmt.Sprintf("footer counts %d entries, read %d", n, s.n))
	}
	if _, err := s.r.ReadByte(); err == nil {
		return s.corrupt("bytes after footer")
	}
	return io.EOF
}

func (s *SnapshotReader) element(kind byte) error {
	if s.left == 0 || s.kind != kind {
		return fmt.Errorf("snapshot: no element of this type to read")
	}
	s.left--
	return nil
}

// Elem reads one list element or set member.
func (s *SnapshotReader) Elem() ([]byte, error) {
	if s.kind != SnapList && s.kind != SnapSet || s.left == 0 {
		return nil, fmt.Errorf("snapshot: no element to read")
	}
	s.left--
	return s.bytes()
}

// Pair reads one hash field and value.
func (s *SnapshotReader) Pair() (field, val []byte, err error) {
	if err := s.element(SnapHash); err != nil {
		return nil, nil, err
	}
	if field, err = s.bytes(); err != nil {
		return nil, nil, err
	}
	val, err = s.bytes()
	return field, val, err
}

// Scored reads one sorted-set member and score.
func (s *SnapshotReader) Scored() ([]byte, float64, error) {
	if err := s.element(SnapZSet); err != nil {
		return nil, 0, err
	}
	m, err := s.bytes()
	if err != nil {
		return nil, 0, err
	}
	var b [8]byte
	if err := s.full(b[:]); err != nil {
		return nil, 0, err
	}
	f := math.Float64frombits(binary.LittleEndian.Uint64(b[:]))
	if math.IsNaN(f) {
		return nil, 0, s.corrupt("NaN score")
	}
	return m, f, nil
}
