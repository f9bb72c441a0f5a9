package clitest

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/purezmq/purezmq/internal/testpeer"
)

// zmqperf returns the C reference peer (see testpeer.ZmqPerf).
func zmqperf(t *testing.T) string { return testpeer.ZmqPerf(t) }

var (
	thrLines = regexp.MustCompile(`^message size: 256 \[B\]\nmessage count: 5000\nmean throughput: \d+ \[msg/s\]\nmean throughput: \d+\.\d{3} \[Mb/s\]\n$`)
	latLines = regexp.MustCompile(`^message size: 64 \[B\]\nroundtrip count: 300\naverage latency: \d+\.\d{3} \[us\]\n$`)
)

// perfRun runs a local and a remote perf program at once and returns their
// outputs; the local side starts first because it binds.
func perfRun(t *testing.T, local, remote []string) (string, string) {
	t.Helper()
	lc := exec.Command(local[0], local[1:]...)
	var lout strings.Builder
	lc.Stdout = &lout
	lerr := &lockedBuffer{}
	lc.Stderr = lerr
	if err := lc.Start(); err != nil {
		t.Fatal(err)
	}
	rout, rerr := exec.Command(remote[0], remote[1:]...).CombinedOutput()
	lwait := lc.Wait()
	if rerr != nil || lwait != nil {
		t.Fatalf("%v: %v %s\n%v: %v %s", local, lwait, lerr.String(), remote, rerr, rout)
	}
	return lout.String(), string(rout)
}

// The bench verbs and zmqperf are interchangeable: either can be either
// side, and both print the same lines.
func TestBenchInterchangeableWithZmqperf(t *testing.T) {
	c := zmqperf(t)
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	pz := []string{cliPath, "bench", "--timeout", "10s"}
	zp := []string{c, "--timeout", "10000"}
	with := func(base []string, args ...string) []string { return append(append([]string{}, base...), args...) }
	cases := []struct {
		name                 string
		local, remote        []string
		localOut, remoteLine *regexp.Regexp
	}{
		{"purezmq local_thr <- zmqperf remote_thr", with(pz, "local_thr", "EP", "256", "5000"), with(zp, "remote_thr", "EP", "256", "5000"), thrLines, nil},
		{"zmqperf local_thr <- purezmq remote_thr", with(zp, "local_thr", "EP", "256", "5000"), with(pz, "remote_thr", "EP", "256", "5000"), thrLines, nil},
		{"zmqperf local_lat <- purezmq remote_lat", with(zp, "local_lat", "EP", "64", "300"), with(pz, "remote_lat", "EP", "64", "300"), nil, latLines},
		{"purezmq local_lat <- zmqperf remote_lat", with(pz, "local_lat", "EP", "64", "300"), with(zp, "remote_lat", "EP", "64", "300"), nil, latLines},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ep := freeTCP(t)
			for _, args := range [][]string{tc.local, tc.remote} {
				for i, a := range args {
					if a == "EP" {
						args[i] = ep
					}
				}
			}
			lout, rout := perfRun(t, tc.local, tc.remote)
			if tc.localOut != nil && !tc.localOut.MatchString(lout) {
				t.Errorf("local output:\n%s", lout)
			}
			if tc.remoteLine != nil && !tc.remoteLine.MatchString(rout) {
				t.Errorf("remote output:\n%s", rout)
			}
		})
	}
	code, out, stderr := run(t, "", "bench", "inproc_thr", "256", "5000")
	if code != 0 || !thrLines.MatchString(strings.Join(out, "\n")+"\n") {
		t.Errorf("purezmq inproc_thr: exit %d, %q, %s", code, out, stderr)
	}
	zout, err := exec.Command(c, "inproc_thr", "256", "5000").Output()
	if err != nil || !thrLines.Match(zout) {
		t.Errorf("zmqperf inproc_thr: %v, %q", err, zout)
	}
}
