package persistence

import (
	"encoding/binary"
	"hash/crc32"
)

// The records every engine makes, built here so a record's layout is
// decided in one package.

// NewCommand is the record of one write command prepared at the leader:
// argv with relative times made absolute, the leader's clock and the seed
// of its random choices.
func NewCommand(now int64, seed uint64, argv [][]byte) Record {
	return Record{Tag: TagCommand, Time: now, Seed: seed, Args: argv}
}

// NewExec is the record of a MULTI/EXEC transaction; its entries follow
// the encoded watch list (shard/command's EncodeWatch and Exec*Entry).
func NewExec(now int64, seed uint64, resp3 bool, watch []byte) Record {
	r := Record{Tag: TagExec, Time: now, Seed: seed, Args: [][]byte{watch}}
	if resp3 {
		r.Flags |= FlagResp3
	}
	return r
}

// NewExpire deletes keys found expired at now by the leader's active
// expiry; a replica deletes each only if it is expired at the record's time.
func NewExpire(now int64, keys []string) Record {
	return Record{Tag: TagExpire, Time: now, Args: keyArgs(keys)}
}

// NewEvict deletes keys the leader chose as eviction victims.
func NewEvict(now int64, keys []string) Record {
	return Record{Tag: TagEvict, Time: now, Args: keyArgs(keys)}
}

// NewNoop changes nothing: a new leader commits one so that its applied
// index covers every earlier term.
func NewNoop(now int64) Record { return Record{Tag: TagNoop, Time: now} }

// AppendBatchEntry appends rec's encoding to body as one entry of a batch
// (TagBatch's args without their count: a length, then the bytes), using
// scratch for the encoding; it returns both, grown. A proposer builds a
// batch this way as writes arrive, with no buffer per write.
func AppendBatchEntry(body, scratch []byte, rec *Record) ([]byte, []byte) {
	scratch = rec.AppendBinary(scratch[:0])
	body = binary.AppendUvarint(body, uint64(len(scratch)))
	return append(body, scratch...), scratch
}

// EncodeBatch returns the TagBatch record of the count entries in body,
// as AppendBatchEntry wrote them: applied in order, each its own record.
func EncodeBatch(count int, body []byte) []byte {
	b := make([]byte, 0, 3+2+binary.MaxVarintLen64+len(body)+4)
	b = append(b, Version, byte(TagBatch), 0)
	b = binary.AppendVarint(b, 0)
	b = binary.AppendUvarint(b, 0)
	b = binary.AppendUvarint(b, uint64(count))
	b = append(b, body...)
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

func keyArgs(keys []string) [][]byte {
	args := make([][]byte, len(keys))
	for i, k := range keys {
		args[i] = []byte(k)
	}
	return args
}
