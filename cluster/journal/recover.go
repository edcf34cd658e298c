package journal

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// recover reads the segments left by the last run. Only the newest one
// can end in a torn record (a crash in the middle of its last write, which
// nobody was told had succeeded): that tail is dropped with a warning. A
// damaged record anywhere else held entries a peer may have counted as
// stored, so the node refuses to start and names the file.
func (j *Journal) recover() error {
	names, err := segments(j.opt.Dir)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	j.recovered = map[uint32][]record{}
	for i, name := range names {
		n, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(filepath.Base(name), "journal-"), ".log"), 16, 64)
		if err != nil {
			return fmt.Errorf("journal: unexpected file %s", name)
		}
		j.segNum = max(j.segNum, n)
		if err := j.readSegment(name, i == len(names)-1); err != nil {
			return err
		}
		j.recFiles = append(j.recFiles, name)
	}
	return nil
}

func (j *Journal) readSegment(name string, newest bool) error {
	b, err := os.ReadFile(name)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	off := 0
	for off < len(b) {
		r, n, err := decodeRecord(b[off:])
		if errors.Is(err, errTorn) && newest {
			// Cut it off, so that a newer segment written after this
			// start does not turn the torn tail into damage.
			j.opt.Log.Warn("journal ends in a torn record, dropped (a write cut short by a crash)",
				"file", name, "offset", off, "bytes", len(b)-off)
			if err := os.Truncate(name, int64(off)); err != nil {
				return fmt.Errorf("journal: %w", err)
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("journal %s: damaged at offset %d of %d: %w; see README, Recovering a shard", name, off, len(b), err)
		}
		j.recovered[r.group] = append(j.recovered[r.group], r)
		j.seq = max(j.seq, r.seq)
		off += n
	}
	return nil
}

// takeRecovered hands a group's recovered records to its store.
func (j *Journal) takeRecovered(group uint32) []record {
	j.recMu.Lock()
	defer j.recMu.Unlock()
	recs := j.recovered[group]
	delete(j.recovered, group)
	return recs
}
