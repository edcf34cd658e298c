package difftest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// mismatch is a reply that differs where Redis fixes it. A soft one is
// an error on both sides, worded differently: neither changed the
// keyspace, so the sequence goes on after reporting it.
type mismatch struct {
	args []string
	e, r string
	why  string
	soft bool
}

func (m *mismatch) Error() string {
	s := fmt.Sprintf("command: %s\n  ember: %s\n  redis: %s", quoteArgs(m.args), clip(m.e, 3000), clip(m.r, 3000))
	if m.why != "" {
		s += "\n  " + m.why
	}
	return s
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + fmt.Sprintf("...(%d bytes)", len(s))
}

const maxReported = 60

// fail reports a failed sequence: in full for the first failure of each
// command name, as a count for the others.
func (x *runner) fail(cfg config, seq, idx int, err error) {
	name := "(io)"
	if m, ok := err.(*mismatch); ok && len(m.args) > 0 {
		name = strings.ToUpper(m.args[0])
		switch {
		case strings.HasPrefix(m.r, `-"ERR unknown command`):
			name = "(unknown command)"
		case strings.HasPrefix(m.r, `-"ERR unknown subcommand`):
			name += " (unknown subcommand)"
		}
	}
	x.failures[name]++
	if !cfg.verbose && (x.failures[name] > 1 || x.reported >= maxReported) {
		x.t.Fail()
		return
	}
	x.reported++
	x.t.Errorf("MISMATCH seed %d sequence %d command #%d%s\n%v\nrecent commands:\n%s\nreplay: EMBER_DIFF_SEED=%d EMBER_DIFF_SEQ=%d EMBER_DIFF_FAMILIES=%s go test ./rpc/difftest -run 'TestDifferential$' -v",
		cfg.seed, seq, idx, softNote(err), err, strings.Join(x.hist, "\n"), cfg.seed, seq, cfg.famNames())
}

// printStats logs how often each command ran and how often Redis refused
// it: a generator that only reaches error paths shows up here.
func (x *runner) printStats() {
	names := make([]string, 0, len(x.stats))
	for n := range x.stats {
		names = append(names, n)
	}
	slices.Sort(names)
	var sb strings.Builder
	for _, n := range names {
		st := x.stats[n]
		fmt.Fprintf(&sb, "\n  %-24s %7d ok %7d errors", clip(strconv.Quote(n), 22), st[0], st[1])
	}
	x.t.Logf("replies by command:%s", sb.String())
}

func softNote(err error) string {
	if m, ok := err.(*mismatch); ok && m.soft {
		return " (error text only: the sequence goes on)"
	}
	return ""
}

func (x *runner) summary() {
	if len(x.failures) == 0 {
		return
	}
	names := make([]string, 0, len(x.failures))
	for n := range x.failures {
		names = append(names, n)
	}
	slices.Sort(names)
	var sb strings.Builder
	for _, n := range names {
		fmt.Fprintf(&sb, " %s=%d", clip(strconv.Quote(n), 24), x.failures[n])
	}
	x.t.Errorf("mismatches by command:%s", sb.String())
}
