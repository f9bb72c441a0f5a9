package testpeer

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var (
	cpeerOnce sync.Once
	cpeerPath string
	cpeerWhy  string
	cpeerDir  string // a temporary build, removed by Cleanup
)

// ZmqPerf returns the C reference peer built against libzmq
// (interop/cpeer/zmqperf.c): <repo>/bin/zmqperf when `make cpeer` built it
// from the current source, else a fresh build with cc and pkg-config into a
// temporary directory. A machine without libzmq3-dev skips, or fails where
// peers are required. Call Cleanup from TestMain to remove the build.
func ZmqPerf(t testing.TB) string {
	t.Helper()
	cpeerOnce.Do(func() {
		root := RepoRoot()
		src := filepath.Join(root, "interop", "cpeer", "zmqperf.c")
		bin := filepath.Join(root, "bin", "zmqperf")
		if newer(bin, src) {
			cpeerPath = bin
			return
		}
		flags, err := exec.Command("pkg-config", "--cflags", "--libs", "libzmq").Output()
		if err != nil {
			cpeerWhy = "pkg-config libzmq: " + err.Error() + " (install libzmq3-dev and pkg-config)"
			return
		}
		dir, err := os.MkdirTemp("", "purezmq-zmqperf-")
		if err != nil {
			cpeerWhy = err.Error()
			return
		}
		cpeerDir = dir
		out := filepath.Join(dir, "zmqperf")
		args := append([]string{"-O2", "-o", out, src}, strings.Fields(string(flags))...)
		if msg, err := exec.Command("cc", args...).CombinedOutput(); err != nil {
			cpeerWhy = "cc zmqperf.c: " + err.Error() + ": " + string(msg)
			return
		}
		cpeerPath = out
	})
	if cpeerPath == "" {
		Unavailable(t, "C peer zmqperf: %s", cpeerWhy)
	}
	return cpeerPath
}

// Cleanup removes what ZmqPerf built, if anything.
func Cleanup() {
	if cpeerDir != "" {
		os.RemoveAll(cpeerDir)
	}
}

// newer reports whether bin exists and is not older than src.
func newer(bin, src string) bool {
	b, err1 := os.Stat(bin)
	s, err2 := os.Stat(src)
	return err1 == nil && err2 == nil && !b.ModTime().Before(s.ModTime())
}
