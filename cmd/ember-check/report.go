package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// runReport prints each folder's results.json as a Markdown table, the
// form docs/consistency.md keeps them in.
func runReport(dirs []string, w io.Writer) error {
	if len(dirs) == 0 {
		return errors.New("usage: ember-check report DIR [DIR ...]")
	}
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, "results.json"))
		if err != nil {
			return err
		}
		var rs []faultResult
		if err := json.Unmarshal(b, &rs); err != nil {
			return fmt.Errorf("%s: %w", d, err)
		}
		writeTable(w, rs)
	}
	return nil
}

func writeTable(w io.Writer, rs []faultResult) {
	if len(rs) == 0 {
		return
	}
	mode := "linearizable reads"
	if rs[0].ReadOnly {
		mode = "READONLY replica reads"
	}
	fmt.Fprintf(w, "\n%s, %s:\n\n", rs[0].System, mode)
	fmt.Fprintln(w, "| fault | rounds | ops | indeterminate | linearizable | acked writes | lost | unavailable median / worst (s) |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|")
	for _, r := range rs {
		lin := r.Linearizable
		if n := len(r.Lin.IllegalKeys); n > 0 {
			lin = fmt.Sprintf("NO (%d of %d keys)", n, r.Lin.Keys)
		}
		lost := fmt.Sprint(r.Lost)
		if r.Unread > 0 {
			lost += fmt.Sprintf(" (+%d unreadable)", r.Unread)
		}
		fault := r.Fault
		if r.Error != "" {
			fault += " (error: " + r.Error + ")"
		}
		fmt.Fprintf(w, "| %s | %d | %d | %d | %s | %d | %s | %.1f / %.1f |\n", fault, len(r.Rounds), r.Ops,
			r.Indeterminate, lin, r.DurableAcked, lost, r.UnavailMed, r.UnavailWorst)
	}
}
