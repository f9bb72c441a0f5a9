// Package testpeer starts real ZeroMQ peers (pyzmq over libzmq, and the C
// reference peer) as separate processes for purezmq's interop tests.
//
// Whether a missing peer skips or fails is decided by PUREZMQ_INTEROP: with
// "required" (what CI sets) a missing peer fails the test; otherwise it skips
// with the reason printed.
package testpeer

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

// Required reports whether interop peers are mandatory (PUREZMQ_INTEROP=required).
func Required() bool { return os.Getenv("PUREZMQ_INTEROP") == "required" }

// Unavailable skips t because a peer is missing, or fails it when peers are required.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if Required() {
		t.Fatalf("interop peer required (PUREZMQ_INTEROP=required) but unavailable: "+format, args...)
	}
	t.Skipf("interop peer unavailable (set PUREZMQ_INTEROP=required to fail instead): "+format, args...)
}

// RepoRoot is the module's root directory, found from this source file.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

var (
	pyOnce sync.Once
	pyPath string
	pyWhy  string
)

// findPython returns the first interpreter that imports zmq: $PUREZMQ_PYTHON,
// then /usr/bin/python3 (Debian's, where python3-zmq installs), then python3
// on PATH (on these machines often another interpreter without zmq).
func findPython() (string, string) {
	pyOnce.Do(func() {
		var cands []string
		if p := os.Getenv("PUREZMQ_PYTHON"); p != "" {
			cands = append(cands, p)
		}
		cands = append(cands, "/usr/bin/python3")
		if p, err := exec.LookPath("python3"); err == nil {
			cands = append(cands, p)
		}
		tried := ""
		for _, c := range cands {
			out, err := exec.Command(c, "-c", "import zmq; print(zmq.zmq_version())").CombinedOutput()
			if err == nil {
				pyPath = c
				return
			}
			tried += "\n  " + c + ": " + firstLine(string(out), err)
		}
		pyWhy = "no python that imports zmq (install python3-zmq); tried:" + tried
	})
	return pyPath, pyWhy
}

func firstLine(s string, err error) string {
	for i := range len(s) {
		if s[i] == '\n' {
			s = s[:i]
			break
		}
	}
	if s == "" && err != nil {
		return err.Error()
	}
	return s
}

// Python returns an interpreter that imports zmq, or skips/fails t.
func Python(t testing.TB) string {
	t.Helper()
	p, why := findPython()
	if p == "" {
		Unavailable(t, "%s", why)
	}
	return p
}
