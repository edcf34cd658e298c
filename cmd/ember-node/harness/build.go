package harness

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// pkg is the binary under test.
const pkg = "github.com/ember-node/ember-node/cmd/ember-node"

// build is the one ember-node binary of this test binary: built on first
// use, so tests that start no process (difftest's unit tests) pay nothing.
var build struct {
	once sync.Once
	race bool   // set by Main
	dir  string // temp dir holding the binary; "" until Main ran
	bin  string
	err  error
}

// Main runs the tests of a package that starts ember-node processes and
// removes the binary afterwards; call it from TestMain. With race, the
// node is built with -race (pass Race to follow the test binary; false
// where timings assume production speed, as in the cluster failover tests).
func Main(m *testing.M, race bool) int {
	dir, err := os.MkdirTemp("", "ember-harness-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "harness:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	build.dir, build.race = dir, race
	return m.Run()
}

// Binary returns the path of the ember-node binary, building it on the
// first call; it fails the test if the build fails or Main was not used.
func Binary(t testing.TB) string {
	t.Helper()
	if build.dir == "" {
		t.Fatal("harness: call harness.Main from TestMain")
	}
	build.once.Do(func() { build.bin, build.err = goBuild(build.dir, build.race) })
	if build.err != nil {
		t.Fatal(build.err)
	}
	return build.bin
}

// goBuild compiles the binary into dir; go test puts its own go first on
// PATH, so the toolchain is the one running the tests.
func goBuild(dir string, race bool) (string, error) {
	bin := filepath.Join(dir, "ember-node")
	args := []string{"build", "-o", bin}
	if race {
		args = append(args, "-race")
	}
	out, err := exec.Command("go", append(args, pkg)...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("harness: go build %s: %v\n%s", pkg, err, out)
	}
	return bin, nil
}
