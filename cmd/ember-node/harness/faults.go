package harness

import (
	"os"
	"strings"
	"syscall"
	"time"
)

// The faults tests inject: a crash (Kill), a graceful stop (Term) and a
// freeze (Pause, Resume), as the kernel, an orchestrator or a debugger
// would deliver them.

// Kill sends SIGKILL and waits for the process: no shutdown code runs, as
// in a crash. It does nothing if the process is not running.
func (n *Node) Kill() {
	if !n.Running() {
		return
	}
	n.signal(syscall.SIGKILL)
	<-n.exited
	n.note("--- killed")
}

// Term sends SIGTERM and returns the exit code of the graceful stop; it
// fails the test (after a SIGKILL) if the process still runs after
// timeout. A paused process is resumed so it can act on the signal.
func (n *Node) Term(timeout time.Duration) int {
	n.t.Helper()
	n.signal(syscall.SIGTERM)
	if n.paused {
		n.Resume()
	}
	select {
	case <-n.exited:
		return n.ExitCode()
	case <-time.After(timeout):
		n.Kill()
		n.t.Fatalf("%s did not stop within %s of SIGTERM", n.Name, timeout)
		return -1
	}
}

// Pause freezes the process (SIGSTOP): its sockets stay open but nothing
// answers, as with a long GC pause or a stopped VM.
func (n *Node) Pause() {
	n.signal(syscall.SIGSTOP)
	n.paused = true
	n.note("--- paused")
}

// Resume lets a paused process run again (SIGCONT).
func (n *Node) Resume() {
	n.signal(syscall.SIGCONT)
	n.paused = false
	n.note("--- resumed")
}

// note appends a harness line to the log, between the node's own.
func (n *Node) note(line string) {
	f, err := os.OpenFile(n.LogPath, os.O_WRONLY|os.O_APPEND, 0)
	if err == nil {
		f.WriteString(line + "\n")
		f.Close()
	}
}

// Log returns everything the node wrote in all its runs.
func (n *Node) Log() string {
	b, _ := os.ReadFile(n.LogPath)
	return string(b)
}

// Tail returns the last lines of the log.
func (n *Node) Tail(lines int) string { return tailLines(n.Log(), lines) }

func tailLines(s string, lines int) string {
	all := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(all) > lines {
		all = append([]string{"..."}, all[len(all)-lines:]...)
	}
	return strings.Join(all, "\n")
}
