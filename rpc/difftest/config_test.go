package difftest

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// config is the test's size and selection, from the environment.
type config struct {
	seed    uint64
	fams    []family
	seqs    int
	ops     int
	only    int
	budget  time.Duration
	self    bool
	verbose bool // report every mismatch in full, not the first of each command
}

func (c config) famNames() string {
	var names []string
	for _, f := range c.fams {
		names = append(names, f.name)
	}
	return strings.Join(names, ",")
}

func loadConfig(t *testing.T) config {
	c := config{seed: uint64(time.Now().UnixNano()), seqs: 1000, ops: 300, only: -1, budget: 40 * time.Second}
	if testing.Short() {
		c.seqs, c.ops, c.budget = 100, 200, 4*time.Second
	}
	if s := os.Getenv("EMBER_DIFF_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("EMBER_DIFF_SEED=%q: %v", s, err)
		}
		c.seed = v
	}
	c.seqs = envInt(t, "EMBER_DIFF_SEQS", c.seqs)
	c.ops = envInt(t, "EMBER_DIFF_OPS", c.ops)
	c.only = envInt(t, "EMBER_DIFF_SEQ", -1)
	if c.only >= c.seqs {
		c.seqs = c.only + 1
	}
	c.fams = selectFamilies(t, os.Getenv("EMBER_DIFF_FAMILIES"))
	c.self = os.Getenv("EMBER_DIFF_SELF") == "1"
	c.verbose = os.Getenv("EMBER_DIFF_VERBOSE") == "1"
	return c
}

func envInt(t *testing.T, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, s, err)
	}
	return v
}

func selectFamilies(t *testing.T, list string) []family {
	if list == "" || list == "all" {
		return allFamilies
	}
	var out []family
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		i := slices.IndexFunc(allFamilies, func(f family) bool { return f.name == name })
		if i < 0 {
			t.Fatalf("EMBER_DIFF_FAMILIES: unknown family %q (have strings,lists,hashes,sets,zsets,keys,conn)", name)
		}
		out = append(out, allFamilies[i])
	}
	return out
}
