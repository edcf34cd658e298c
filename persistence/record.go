// Package persistence defines the Record, one mutation of a shard, its
// binary codec, and the snapshot stream format. A Record is the payload of
// a Raft log entry (the role Redis's AOF record plays), so its encoding is
// forever: tags are never reused, and the version byte changes when the
// layout does.
package persistence

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// Tag says what a record does. Tags are stable: never renumber or reuse one.
// A tag with TagSkippable set may be ignored by a replica that does not
// know it (a rolling upgrade); any other unknown tag is a hard error.
type Tag uint8

const (
	// TagCommand is one write command: Args is its argv, name first, with
	// relative times already made absolute by the leader.
	TagCommand Tag = 1
	// TagExec is a MULTI/EXEC transaction: Args[0] holds the WATCHed slot
	// versions, each further arg one queued command's argv (EncodeArgs).
	TagExec Tag = 2
	// TagExpire deletes each key in Args that is expired at Time.
	TagExpire Tag = 3
	// TagEvict deletes each key in Args (the leader's eviction victims).
	TagEvict Tag = 4
	// TagBatch carries several records proposed together (group commit):
	// each arg is one encoded record, applied in order.
	TagBatch Tag = 5
	// TagNoop changes nothing; a new leader may commit one as a barrier.
	TagNoop Tag = TagSkippable | 1

	// TagSkippable marks tags that an older replica may ignore.
	TagSkippable Tag = 0x80
)

// Flags are per-record bits that do not change the effect of the record.
type Flags uint8

const (
	// FlagResp3 asks that the reply be shaped for RESP3; only the proposer
	// reads the reply, replicas ignore it.
	FlagResp3 Flags = 1
)

// Version is the current record layout.
const Version = 1

// Record is one replicated mutation.
type Record struct {
	Tag   Tag
	Flags Flags
	// Time is the leader's clock when it made the record, unix ms. Apply
	// uses it as "now", so every replica decides expiry the same way.
	Time int64
	// Seed feeds the deterministic random source of commands such as SPOP:
	// the leader draws it once, replicas never draw their own.
	Seed uint64
	Args [][]byte
}

// Decoding errors.
var (
	// ErrShort means the bytes end before the record does.
	ErrShort = errors.New("record truncated")
	// ErrChecksum means the CRC does not match the contents.
	ErrChecksum = errors.New("record checksum mismatch")
	// ErrVersion means the record was written by an unknown layout.
	ErrVersion = errors.New("unknown record version")
	// ErrTrailing means bytes follow the checksum.
	ErrTrailing = errors.New("trailing bytes after record")
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Size returns an upper bound of the encoded size of r.
func (r *Record) Size() int {
	n := 1 + 1 + 1 + binary.MaxVarintLen64*3 + 4
	for _, a := range r.Args {
		n += binary.MaxVarintLen64 + len(a)
	}
	return n
}

// AppendBinary appends the encoding of r to b:
// version, tag, flags, time (varint), seed (uvarint), args (EncodeArgs),
// then a CRC-32C of everything before it, little endian.
func (r *Record) AppendBinary(b []byte) []byte {
	start := len(b)
	b = append(b, Version, byte(r.Tag), byte(r.Flags))
	b = binary.AppendVarint(b, r.Time)
	b = binary.AppendUvarint(b, r.Seed)
	b = AppendArgs(b, r.Args)
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b[start:], castagnoli))
}

// Decode parses one record that fills b exactly. Args alias b.
func Decode(b []byte) (Record, error) {
	var r Record
	if len(b) < 3+4 {
		return r, ErrShort
	}
	body, sum := b[:len(b)-4], binary.LittleEndian.Uint32(b[len(b)-4:])
	if crc32.Checksum(body, castagnoli) != sum {
		return r, ErrChecksum
	}
	if body[0] != Version {
		return r, fmt.Errorf("%w %d", ErrVersion, body[0])
	}
	r.Tag, r.Flags = Tag(body[1]), Flags(body[2])
	p := body[3:]
	var n int
	if r.Time, n = binary.Varint(p); n <= 0 {
		return r, fmt.Errorf("time: %w", ErrShort)
	}
	p = p[n:]
	if r.Seed, n = binary.Uvarint(p); n <= 0 {
		return r, fmt.Errorf("seed: %w", ErrShort)
	}
	p = p[n:]
	args, rest, err := DecodeArgs(p)
	if err != nil {
		return r, err
	}
	if len(rest) != 0 {
		return r, ErrTrailing
	}
	r.Args = args
	return r, nil
}

// AppendArgs appends a count and each arg with its length.
func AppendArgs(b []byte, args [][]byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(args)))
	for _, a := range args {
		b = binary.AppendUvarint(b, uint64(len(a)))
		b = append(b, a...)
	}
	return b
}

// DecodeArgs parses what AppendArgs wrote at the start of p and returns the
// args (aliasing p) and the bytes after them.
func DecodeArgs(p []byte) (args [][]byte, rest []byte, err error) {
	count, n := binary.Uvarint(p)
	if n <= 0 {
		return nil, nil, fmt.Errorf("arg count: %w", ErrShort)
	}
	p = p[n:]
	// Every arg takes at least one byte, which bounds a hostile count.
	if count > uint64(len(p)) {
		return nil, nil, fmt.Errorf("arg count %d: %w", count, ErrShort)
	}
	args = make([][]byte, count)
	for i := range args {
		l, n := binary.Uvarint(p)
		if n <= 0 || l > uint64(len(p)-n) {
			return nil, nil, fmt.Errorf("arg %d: %w", i, ErrShort)
		}
		args[i] = p[n : n+int(l) : n+int(l)]
		p = p[n+int(l):]
	}
	return args, p, nil
}
