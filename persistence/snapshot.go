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

// The snapshot stream: a header (magic, version, applied index), entries, and a footer
// (entry count and a CRC-32C of every byte before the checksum). Each entry
// is a type byte, the key, its absolute expiry, then the value:
//
//	string: bytes
//	list:   count, elements
//	hash:   table size, count, field and value per element
//	set:    table size, count, members
//	zset:   count, member and score (float64 bits) per element
//
// Hash and set table sizes and element order let a restored replica
// rebuild the same table layout as the replicas that applied the log, so
// that seeded random picks (SPOP) agree everywhere.

// Entry kinds; like record tags, never renumber them.
const (
	SnapString byte = 1
	SnapList   byte = 2
	SnapHash   byte = 3
	SnapSet    byte = 4
	SnapZSet   byte = 5
	snapEnd    byte = 0xff
)

var snapMagic = [8]byte{'E', 'M', 'B', 'R', 'S', 'N', 'A', 'P'}

// SnapshotVersion is the current snapshot layout.
const SnapshotVersion = 1

// Limits a decoder enforces, so that a corrupt length cannot make it
// allocate without bound.
const (
	MaxSnapBytes = 512 << 20 // one string, member or value
	MaxSnapCount = 1 << 32   // elements of one value
)

// Snapshot decoding errors.
var (
	ErrSnapMagic    = errors.New("snapshot: not an ember-node snapshot")
	ErrSnapVersion  = errors.New("snapshot: unknown version")
	ErrSnapChecksum = errors.New("snapshot: checksum mismatch")
	ErrSnapCorrupt  = errors.New("snapshot: corrupt")
)

// SnapshotWriter encodes a snapshot stream.
type SnapshotWriter struct {
	w    *bufio.Writer
	crc  hash.Hash32
	n    uint64
	left uint64 // elements still owed by the current entry
	kind byte
	buf  [binary.MaxVarintLen64]byte
	err  error
}

// NewSnapshotWriter writes the header to w. applied is the index of the
// last log entry the state machine had applied at capture time.
func NewSnapshotWriter(w io.Writer, applied uint64) *SnapshotWriter {
	s := &SnapshotWriter{w: bufio.NewWriterSize(w, 64<<10), crc: crc32.New(castagnoli)}
	s.raw(snapMagic[:])
	s.raw([]byte{SnapshotVersion})
	s.uvarint(applied)
	return s
}

func (s *SnapshotWriter) raw(b []byte) {
	if s.err != nil {
		return
	}
	s.crc.Write(b)
	_, s.err = s.w.Write(b)
}

func (s *SnapshotWriter) uvarint(v uint64) { s.raw(binary.AppendUvarint(s.buf[:0], v)) }

func (s *SnapshotWriter) bytes(b []byte) {
	s.uvarint(uint64(len(b)))
	s.raw(b)
}

func (s *SnapshotWriter) begin(kind byte, key []byte, expireAt int64) {
	if s.left != 0 && s.err == nil {
		s.err = fmt.Errorf("snapshot: entry %d ended with %d elements missing", s.n, s.left)
	}
	s.n++
	s.kind = kind
	s.raw([]byte{kind})
	s.bytes(key)
	s.raw(binary.AppendVarint(s.buf[:0], expireAt))
}

// String writes a string entry.
func (s *SnapshotWriter) String(key []byte, expireAt int64, val []byte) {
	s.begin(SnapString, key, expireAt)
	s.bytes(val)
}

// Begin starts a collection entry of n elements; table is the hash or set
// table size (ignored for lists and sorted sets). Elements follow with
// Elem (list, set), Pair (hash) or Scored (zset).
func (s *SnapshotWriter) Begin(kind byte, key []byte, expireAt int64, table, n uint64) {
	s.begin(kind, key, expireAt)
	if kind == SnapHash || kind == SnapSet {
		s.uvarint(table)
	}
	s.uvarint(n)
	s.left = n
}

// Elem writes one list element or set member.
func (s *SnapshotWriter) Elem(b []byte) {
	s.left--
	s.bytes(b)
}

// Pair writes one hash field and value.
func (s *SnapshotWriter) Pair(field, val []byte) {
	s.left--
	s.bytes(field)
	s.bytes(val)
}

// Scored writes one sorted-set member and score.
func (s *SnapshotWriter) Scored(member []byte, score float64) {
	s.left--
	s.bytes(member)
	s.raw(binary.LittleEndian.AppendUint64(s.buf[:0], math.Float64bits(score)))
}

// Close writes the footer and flushes; it does not close the underlying
// writer.
func (s *SnapshotWriter) Close() error {
	if s.left != 0 && s.err == nil {
		s.err = fmt.Errorf("snapshot: last entry ended with %d elements missing", s.left)
	}
	s.raw([]byte{snapEnd})
	s.uvarint(s.n)
	if s.err != nil {
		return s.err
	}
	if _, err := s.w.Write(binary.LittleEndian.AppendUint32(nil, s.crc.Sum32())); err != nil {
		return err
	}
	return s.w.Flush()
}
