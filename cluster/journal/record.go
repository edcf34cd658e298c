package journal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"time"

	"github.com/hashicorp/raft"
)

// A record is one StoreLogs call of one group:
//
//	length  uint32  bytes after the 8-byte frame header
//	crc     uint32  CRC-32C of those bytes
//	group   uint32  shard number
//	inc     uint64  the group's log store incarnation (see Store)
//	seq     uint64  the journal's record sequence, increasing
//	count   uint32  entries, then per entry:
//	  index, term uint64; type uint8; appended int64 (unix ns);
//	  data and extensions, each a uint32 length and bytes
const (
	frameHeader   = 8
	recordHeader  = 4 + 8 + 8 + 4
	entryFixed    = 8 + 8 + 1 + 8 + 4 + 4
	maxRecordSize = 1 << 30
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errTorn marks a record cut short or failing its checksum.
var errTorn = errors.New("torn or damaged record")

// appendRecord encodes one record at the end of buf.
func appendRecord(buf []byte, group uint32, inc, seq uint64, logs []*raft.Log) []byte {
	start := len(buf)
	buf = append(buf, make([]byte, frameHeader)...)
	buf = binary.BigEndian.AppendUint32(buf, group)
	buf = binary.BigEndian.AppendUint64(buf, inc)
	buf = binary.BigEndian.AppendUint64(buf, seq)
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(logs)))
	for _, l := range logs {
		buf = binary.BigEndian.AppendUint64(buf, l.Index)
		buf = binary.BigEndian.AppendUint64(buf, l.Term)
		buf = append(buf, byte(l.Type))
		var at int64
		if !l.AppendedAt.IsZero() {
			at = l.AppendedAt.UnixNano()
		}
		buf = binary.BigEndian.AppendUint64(buf, uint64(at))
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(l.Data)))
		buf = append(buf, l.Data...)
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(l.Extensions)))
		buf = append(buf, l.Extensions...)
	}
	body := buf[start+frameHeader:]
	binary.BigEndian.PutUint32(buf[start:], uint32(len(body)))
	binary.BigEndian.PutUint32(buf[start+4:], crc32.Checksum(body, castagnoli))
	return buf
}

// record is a decoded record; its entries' byte slices alias the buffer
// it was decoded from.
type record struct {
	group uint32
	inc   uint64
	seq   uint64
	logs  []*raft.Log
}

// decodeRecord decodes the record at the start of b and returns it with
// the bytes it took. A record cut short or failing its checksum is
// errTorn; a well-framed record whose body does not parse is another
// error (a bug or a deliberate forgery, never a torn write).
func decodeRecord(b []byte) (record, int, error) {
	if len(b) < frameHeader {
		return record{}, 0, errTorn
	}
	n := binary.BigEndian.Uint32(b)
	if n < recordHeader || n > maxRecordSize || int(n) > len(b)-frameHeader {
		return record{}, 0, errTorn
	}
	body := b[frameHeader : frameHeader+int(n)]
	if crc32.Checksum(body, castagnoli) != binary.BigEndian.Uint32(b[4:]) {
		return record{}, 0, errTorn
	}
	r := record{
		group: binary.BigEndian.Uint32(body),
		inc:   binary.BigEndian.Uint64(body[4:]),
		seq:   binary.BigEndian.Uint64(body[12:]),
	}
	count := binary.BigEndian.Uint32(body[20:])
	p := body[recordHeader:]
	if uint64(count)*entryFixed > uint64(len(p)) {
		return record{}, 0, fmt.Errorf("record %d claims %d entries in %d bytes", r.seq, count, len(p))
	}
	r.logs = make([]*raft.Log, 0, count)
	for range count {
		l, rest, err := decodeEntry(p)
		if err != nil {
			return record{}, 0, fmt.Errorf("record %d: %w", r.seq, err)
		}
		r.logs = append(r.logs, l)
		p = rest
	}
	if len(p) != 0 {
		return record{}, 0, fmt.Errorf("record %d: %d bytes after its entries", r.seq, len(p))
	}
	return r, frameHeader + int(n), nil
}

func decodeEntry(p []byte) (*raft.Log, []byte, error) {
	if len(p) < entryFixed-4 {
		return nil, nil, errors.New("entry cut short")
	}
	l := &raft.Log{
		Index: binary.BigEndian.Uint64(p),
		Term:  binary.BigEndian.Uint64(p[8:]),
		Type:  raft.LogType(p[16]),
	}
	if at := int64(binary.BigEndian.Uint64(p[17:])); at != 0 {
		l.AppendedAt = time.Unix(0, at)
	}
	var err error
	if l.Data, p, err = lengthPrefixed(p[25:]); err != nil {
		return nil, nil, fmt.Errorf("entry %d data: %w", l.Index, err)
	}
	if l.Extensions, p, err = lengthPrefixed(p); err != nil {
		return nil, nil, fmt.Errorf("entry %d extensions: %w", l.Index, err)
	}
	return l, p, nil
}

func lengthPrefixed(p []byte) ([]byte, []byte, error) {
	if len(p) < 4 {
		return nil, nil, errors.New("length cut short")
	}
	n := binary.BigEndian.Uint32(p)
	if uint64(n) > uint64(len(p)-4) {
		return nil, nil, fmt.Errorf("length %d beyond the record", n)
	}
	if n == 0 {
		return nil, p[4:], nil
	}
	return p[4 : 4+n : 4+n], p[4+n:], nil
}
