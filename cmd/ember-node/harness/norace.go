//go:build !race

package harness

// Race reports whether this test binary runs with -race; passed to Main,
// the node is built with it too.
const Race = false
