package main

import (
	"os"
	"strings"
	"unsafe"
)

// Hiding secrets from ps. redis-server rewrites its process title so
// that `ps` and /proc/PID/cmdline no longer show its arguments. On Linux
// the strings of os.Args point into the argv area the kernel reads
// /proc/PID/cmdline from (the Go runtime does not copy them), so the
// same can be done in Go: copy the arguments, then overwrite that area
// in place (the technique of setproctitle, without cgo).

// secretFlags are the flags whose values are hidden.
var secretFlags = []string{"requirepass", "cluster-secret", "password"}

// hideSecrets makes os.Args a copy of the arguments and rewrites the
// original argv area with every secret flag's value replaced by "***".
func hideSecrets() {
	orig := os.Args
	clean := make([]string, len(orig))
	copied := make([]string, len(orig))
	for i, a := range orig {
		copied[i] = strings.Clone(a)
		clean[i] = a
		if i > 0 && isSecretFlag(orig[i-1]) && !strings.Contains(orig[i-1], "=") {
			clean[i] = "***"
		} else if name, _, ok := strings.Cut(a, "="); ok && isSecretFlag(name) {
			clean[i] = name + "=***"
		}
	}
	title := strings.Join(clean, "\x00")
	os.Args = copied
	rewriteArgv(orig, title)
}

// isSecretFlag reports whether arg names a secret flag (-x or --x).
func isSecretFlag(arg string) bool {
	name := strings.TrimLeft(arg, "-")
	if name == arg {
		return false
	}
	for _, s := range secretFlags {
		if name == s {
			return true
		}
	}
	return false
}

// rewriteArgv writes title over the contiguous argv area that orig's
// strings occupy, padding with NULs; it does nothing if the area is not
// one block or the title does not fit.
func rewriteArgv(orig []string, title string) {
	if len(orig) == 0 || len(orig[0]) == 0 {
		return
	}
	start := unsafe.StringData(orig[0])
	size := 0
	for _, a := range orig {
		if len(a) > 0 && unsafe.StringData(a) != (*byte)(unsafe.Add(unsafe.Pointer(start), size)) {
			return // not the kernel's argv block
		}
		size += len(a) + 1
	}
	size-- // the last argument's NUL is not ours to move
	if len(title) > size {
		return
	}
	area := unsafe.Slice(start, size)
	n := copy(area, title)
	clear(area[n:])
}
