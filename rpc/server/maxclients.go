package server

import (
	"fmt"
	"log/slog"
	"os"
	"syscall"
)

// ReservedFDs is the file descriptors kept for the node's own use beside
// its clients, Redis's CONFIG_MIN_RESERVED_FDS. FitMaxClients adds the
// descriptors already open (shard files, peer connections).
const ReservedFDs = 32

// FDLimit reads and raises the open files limit; tests fake it.
type FDLimit interface {
	Get() (cur, max uint64, err error)
	Set(cur, max uint64) error
}

// NoFile is the process's RLIMIT_NOFILE.
type NoFile struct{}

// Get returns the soft and hard limit.
func (NoFile) Get() (uint64, uint64, error) {
	var l syscall.Rlimit
	err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l)
	return l.Cur, l.Max, err
}

// Set sets both limits.
func (NoFile) Set(cur, max uint64) error {
	return syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: cur, Max: max})
}

// OpenFDs counts the process's open descriptors (0 when unknown).
func OpenFDs() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return 0
	}
	return len(ents)
}

// FitMaxClients is Redis's adjustOpenFilesLimit: it raises the open files
// limit to maxclients plus the reserve when it can (stepping down by 16
// when refused), and otherwise returns maxclients lowered to what the
// limit allows, logging Redis's lines. It fails when not even one client
// would fit.
func FitMaxClients(maxclients, reserve int, lim FDLimit, log *slog.Logger) (int, error) {
	want := uint64(maxclients + reserve)
	cur, _, err := lim.Get()
	if err != nil {
		log.Warn(fmt.Sprintf("Unable to obtain the current NOFILE limit (%v), assuming 1024 and setting the max clients configuration accordingly.", err))
		return max(1024-reserve, 1), nil
	}
	if cur >= want {
		return maxclients, nil
	}
	best, serr := raiseLimit(lim, cur, want)
	if best >= want {
		log.Info(fmt.Sprintf("Increased maximum number of open files to %d (it was originally set to %d).", want, cur))
		return maxclients, nil
	}
	if best <= uint64(reserve) {
		return 0, fmt.Errorf("your current 'ulimit -n' of %d is not enough for the server to start; please increase your open file limit to at least %d", cur, want)
	}
	got := int(best) - reserve
	log.Warn(fmt.Sprintf("You requested maxclients of %d requiring at least %d max file descriptors.", maxclients, want))
	log.Warn(fmt.Sprintf("Server can't set maximum open files to %d because of OS error: %v.", want, serr))
	log.Warn(fmt.Sprintf("Current maximum open files is %d. maxclients has been reduced to %d to compensate for low ulimit. If you need higher maxclients increase 'ulimit -n'.", best, got))
	return got, nil
}

// raiseLimit tries want, then 16 fewer at a time, down to cur; it returns
// the limit now in force and the last refusal.
func raiseLimit(lim FDLimit, cur, want uint64) (uint64, error) {
	var serr error
	for best := want; best > cur; best -= min(16, best-cur) {
		if serr = lim.Set(best, best); serr == nil {
			return best, nil
		}
	}
	return cur, serr
}
