package group

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"time"

	raftboltdb "github.com/hashicorp/raft-boltdb/v2"
	"go.etcd.io/bbolt"
)

// openBolt opens a group's raft.db. bbolt answers some damage (a torn
// page header, a page of garbage, a file cut short) with a panic, at
// open or at the first read that meets it. So the file is checked page by
// page first, read-only, and any panic becomes an error that names the
// file; a node that cannot trust a shard's log exits, it does not crash.
func openBolt(path string, noSync bool) (_ *raftboltdb.BoltStore, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s is damaged (bolt: %v); see README, Recovering a shard", path, r)
		}
	}()
	opts := &bbolt.Options{Timeout: time.Second, NoFreelistSync: true, FreelistType: bbolt.FreelistMapType}
	if err := checkBolt(path, opts); err != nil {
		return nil, err
	}
	s, err := raftboltdb.New(raftboltdb.Options{Path: path, NoSync: noSync, BoltOptions: opts})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return s, nil
}

// checkBolt reads every page of an existing file once, in this
// goroutine (bbolt's own Tx.Check runs in a goroutine of its own, where
// its panics cannot be caught). Opening loads the freelist, which with
// NoFreelistSync walks every page of the tree.
func checkBolt(path string, opts *bbolt.Options) error {
	fi, err := os.Stat(path)
	if err != nil {
		return nil // a new file; bolt reports any other trouble
	}
	if err := checkBoltSize(path, fi.Size()); err != nil {
		return err
	}
	db, err := bbolt.Open(path, 0o600, opts)
	if err != nil {
		return fmt.Errorf("open %s: %w; see README, Recovering a shard", path, err)
	}
	defer db.Close()
	return db.View(func(tx *bbolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bbolt.Bucket) error {
			c := b.Cursor()
			for k, _ := c.First(); k != nil; k, _ = c.Next() {
			}
			return nil
		})
	})
}

// Keys naming whose log a raft.db holds.
var (
	keyShard = []byte("ember-shard")
	keyNode  = []byte("ember-node")
)

// checkOwner refuses a raft.db that belongs to another shard or another
// node (a folder copied over another would be served silently as this
// one: keys read nil, KEYS lists another shard's keys). A file without
// the marks (new, or from before they existed) takes them.
func checkOwner(s *raftboltdb.BoltStore, cfg Config) error {
	path := filepath.Join(cfg.Dir, "raft.db")
	id, err := s.GetUint64(keyShard)
	switch {
	case errors.Is(err, raftboltdb.ErrKeyNotFound):
		if err := s.SetUint64(keyShard, uint64(cfg.ID)+1); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	case err != nil:
		return fmt.Errorf("%s: %w", path, err)
	case id != uint64(cfg.ID)+1:
		return fmt.Errorf("%s holds the log of shard %d, not of shard %d: a shard folder was copied or moved; "+
			"see README, Recovering a shard", path, id-1, cfg.ID)
	}
	node, err := s.Get(keyNode)
	switch {
	case errors.Is(err, raftboltdb.ErrKeyNotFound) || len(node) == 0:
		return s.Set(keyNode, []byte(cfg.NodeID))
	case err != nil:
		return fmt.Errorf("%s: %w", path, err)
	case string(node) != cfg.NodeID:
		return fmt.Errorf("%s holds node %s's member of shard %d, not this node's (%s): a data folder was copied "+
			"from another node; see README, Recovering a shard", path, node, cfg.ID, cfg.NodeID)
	}
	return nil
}

// checkBoltSize compares the file's size with the page count its newest
// valid meta page claims. Pages beyond the end of a file cut short are
// read through bolt's mmap, where the kernel answers with SIGBUS: a fatal
// fault of the Go runtime, not a panic, so it must be seen before.
func checkBoltSize(path string, size int64) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	var best *boltMeta
	buf := make([]byte, 64)
	if _, err := f.ReadAt(buf, 16); err == nil {
		if m, ok := parseBoltMeta(buf); ok {
			best = &m
			// The second meta page sits one page further.
			buf2 := make([]byte, 64)
			if _, err := f.ReadAt(buf2, int64(m.pageSize)+16); err == nil {
				if m2, ok := parseBoltMeta(buf2); ok && m2.txid > m.txid {
					best = &m2
				}
			}
		}
	}
	if best == nil {
		buf2 := make([]byte, 64)
		for _, ps := range []int64{4096, 8192, 16384, 65536} {
			if _, err := f.ReadAt(buf2, ps+16); err == nil {
				if m, ok := parseBoltMeta(buf2); ok {
					best = &m
					break
				}
			}
		}
	}
	if best == nil {
		return nil // bolt's open says what is wrong
	}
	if need := int64(best.pgid) * int64(best.pageSize); size < need {
		return fmt.Errorf("%s is damaged: %d bytes, but its pages need %d (cut short?); see README, Recovering a shard", path, size, need)
	}
	return nil
}

type boltMeta struct {
	pageSize uint32
	pgid     uint64
	txid     uint64
}

// parseBoltMeta reads bolt's meta struct (after the 16-byte page header)
// and checks its magic and FNV-64a checksum.
func parseBoltMeta(b []byte) (boltMeta, bool) {
	const magic = 0xED0CDAED
	le := binary.LittleEndian
	if len(b) < 64 || le.Uint32(b) != magic {
		return boltMeta{}, false
	}
	h := fnv.New64a()
	h.Write(b[:56])
	if h.Sum64() != le.Uint64(b[56:]) {
		return boltMeta{}, false
	}
	return boltMeta{pageSize: le.Uint32(b[8:]), pgid: le.Uint64(b[40:]), txid: le.Uint64(b[48:])}, true
}
