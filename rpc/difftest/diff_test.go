package difftest

import (
	"os"
	"testing"
	"time"
)

// TestDifferential runs seeded random command sequences of every family
// against ember-node and Redis 7 and requires the same replies. See the
// package doc for the knobs; a failure prints the line that replays it.
func TestDifferential(t *testing.T) {
	cfg := loadConfig(t)
	x := newRunner(t, cfg.self)
	defer x.close()
	if os.Getenv("EMBER_DIFF_STATS") == "1" {
		x.stats = map[string]*[2]int{}
		defer x.printStats()
	}
	flush := x.probeFlush()
	t.Logf("seed %d, families %s, ember-node has FLUSHDB: %v", cfg.seed, cfg.famNames(), flush)

	start := time.Now()
	ran, ops := 0, 0
	for i := range cfg.seqs {
		if cfg.only >= 0 && i != cfg.only {
			continue
		}
		if cfg.only < 0 && time.Since(start) > cfg.budget {
			t.Logf("time budget %v reached", cfg.budget)
			break
		}
		ran++
		ops += x.sequence(cfg, i, flush)
	}
	t.Logf("%d sequences, %d commands in %v", ran, ops, time.Since(start).Round(time.Millisecond))
	x.summary()
}
