package persistence

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

// EncodeBatch returns one encoded record carrying the encoded records in
// entries (group commit), applied in order.
func EncodeBatch(entries [][]byte) []byte {
	r := Record{Tag: TagBatch, Args: entries}
	return r.AppendBinary(make([]byte, 0, r.Size()))
}

func keyArgs(keys []string) [][]byte {
	args := make([][]byte, len(keys))
	for i, k := range keys {
		args[i] = []byte(k)
	}
	return args
}
