// Package clitest drives the built purezmq command against pyzmq (libzmq)
// peers, as a user would from a shell.
package clitest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"go.uber.org/goleak"

	"github.com/purezmq/purezmq/internal/testpeer"
)

var (
	cliPath  string // the built command
	buildErr error  // why it could not be built; every test fails with it
)

// buildRun builds the command once for the whole package, and removes it
// after the tests have run.
type buildRun struct{ m *testing.M }

func (b buildRun) Run() int {
	dir, err := os.MkdirTemp("", "purezmq-clitest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	defer testpeer.Cleanup()
	cliPath = filepath.Join(dir, "purezmq")
	cmd := exec.Command("go", "build", "-o", cliPath, "./cmd/purezmq")
	cmd.Dir = testpeer.RepoRoot()
	if out, err := cmd.CombinedOutput(); err != nil {
		buildErr = fmt.Errorf("go build ./cmd/purezmq: %v\n%s", err, out)
	}
	return b.m.Run()
}

func TestMain(m *testing.M) { goleak.VerifyTestMain(buildRun{m}) }
