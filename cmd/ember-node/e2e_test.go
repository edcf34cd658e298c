package main

// End-to-end tests: the real binary as a subprocess, on loopback ports it
// did not choose, with a data dir of its own, killed and restarted the way
// an operator (or the kernel) would. The process harness is package
// harness; the durability properties are in e2e_crash_test.go and
// e2e_corrupt_test.go.

import (
	"os"
	"testing"

	"github.com/ember-node/ember-node/cmd/ember-node/harness"
)

// TestMain builds the node once, with -race when the tests run with it,
// so a data race inside the server shows up in its log and fails the test.
func TestMain(m *testing.M) { os.Exit(harness.Main(m, harness.Race)) }
