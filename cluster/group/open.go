package group

import (
	"errors"
	"fmt"
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
	if _, err := os.Stat(path); err != nil {
		return nil // a new file; bolt reports any other trouble
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
