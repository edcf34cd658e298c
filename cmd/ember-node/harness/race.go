//go:build race

package harness

// Race reports whether this test binary runs with -race; passed to Main,
// the node is built with it too, so a data race inside the server shows
// up in its log (and fails the test, see Node).
const Race = true
