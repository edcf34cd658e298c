package group

import (
	"sync"

	"github.com/hashicorp/raft"
)

// stableStore is raft's StableStore over the group's bolt file, closed
// with the group. raft's transport answers a heartbeat in its own
// goroutine, which may still be persisting a new term when the group
// closes the file: raft panics on that write's error ("database not
// open", seen once in a CI run). The group's connections are cut before
// the file is closed, so no answer follows such a write, and dropping it
// loses nothing a peer was told.
type stableStore struct {
	mu     sync.RWMutex
	closed bool
	raft.StableStore
}

func (s *stableStore) Set(key, val []byte) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil
	}
	return s.StableStore.Set(key, val)
}

func (s *stableStore) SetUint64(key []byte, val uint64) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil
	}
	return s.StableStore.SetUint64(key, val)
}

// close waits for writes in progress; later ones are dropped.
func (s *stableStore) close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
}
