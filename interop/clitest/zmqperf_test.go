package clitest

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
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

var fanoutLines = regexp.MustCompile(`^message size: 128 \[B\]\nmessage count: 3000\nmean throughput: \d+ \[msg/s\]\nmean throughput: \d+\.\d{3} \[Mb/s\]\n$`)

// The fan-out and ROUTER/DEALER verbs are interchangeable too: a publisher
// of either kind feeds subscribers of both kinds at once, and either kind of
// ROUTER receives from either kind of DEALER.
func TestBenchFanoutInterchangeableWithZmqperf(t *testing.T) {
	c := zmqperf(t)
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	pz := []string{cliPath, "bench", "--timeout", "10s"}
	zp := []string{c, "--timeout", "10000"}
	for _, pub := range [][]string{pz, zp} {
		t.Run(filepath.Base(pub[0])+" pub_thr", func(t *testing.T) {
			ep := freeTCP(t)
			// Two subscribers of each kind, started before the publisher
			// binds: they reconnect until it listens, and it waits for all
			// four subscriptions before sending.
			var subs []*exec.Cmd
			var outs []*strings.Builder
			for _, base := range [][]string{pz, pz, zp, zp} {
				args := append(append([]string{}, base...), "sub_thr", ep, "128", "3000")
				cmd := exec.Command(args[0], args[1:]...)
				out := &strings.Builder{}
				cmd.Stdout, cmd.Stderr = out, &lockedBuffer{}
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				subs, outs = append(subs, cmd), append(outs, out)
			}
			args := append(append([]string{}, pub...), "pub_thr", ep, "128", "3000", "4")
			pout, perr := exec.Command(args[0], args[1:]...).CombinedOutput()
			for i, cmd := range subs {
				if err := cmd.Wait(); err != nil {
					t.Errorf("%v: %v %s", cmd.Args, err, cmd.Stderr.(*lockedBuffer).String())
					continue
				}
				if !fanoutLines.MatchString(outs[i].String()) {
					t.Errorf("%v output:\n%s", cmd.Args, outs[i])
				}
			}
			if perr != nil || len(pout) != 0 {
				t.Errorf("%v: %v, output %q (want none)", args, perr, pout)
			}
		})
	}
	with := func(base []string, args ...string) []string { return append(append([]string{}, base...), args...) }
	for _, pair := range [][2][]string{{pz, zp}, {zp, pz}} {
		router, dealer := pair[0], pair[1]
		t.Run(filepath.Base(router[0])+" router_thr <- "+filepath.Base(dealer[0])+" dealer_thr", func(t *testing.T) {
			ep := freeTCP(t)
			lout, rout := perfRun(t, with(router, "router_thr", ep, "256", "5000"), with(dealer, "dealer_thr", ep, "256", "5000"))
			if !thrLines.MatchString(lout) {
				t.Errorf("router_thr output:\n%s", lout)
			}
			if rout != "" {
				t.Errorf("dealer_thr printed %q", rout)
			}
		})
	}
}

var latDistLines = regexp.MustCompile(`^message size: 64 \[B\]\nroundtrip count: 300\noffered rate: 3000 \[msg/s\]\n` +
	`roundtrip p50: (\d+\.\d{3}) \[us\]\nroundtrip p90: (\d+\.\d{3}) \[us\]\nroundtrip p99: (\d+\.\d{3}) \[us\]\n` +
	`roundtrip p99\.9: (\d+\.\d{3}) \[us\]\nroundtrip max: (\d+\.\d{3}) \[us\]\n` +
	`send lag p99: \d+\.\d{3} \[us\]\nsend lag max: \d+\.\d{3} \[us\]\n$`)

// The latency-distribution verbs are interchangeable: either ROUTER echo
// serves either open-loop DEALER client, and both clients print the same
// lines, with percentiles that are positive and ascending.
func TestBenchLatDistInterchangeableWithZmqperf(t *testing.T) {
	c := zmqperf(t)
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	pz := []string{cliPath, "bench", "--timeout", "10s"}
	zp := []string{c, "--timeout", "10000"}
	with := func(base []string, args ...string) []string { return append(append([]string{}, base...), args...) }
	for _, pair := range [][2][]string{{pz, zp}, {zp, pz}, {zp, zp}, {pz, pz}} {
		server, client := pair[0], pair[1]
		t.Run(filepath.Base(server[0])+" local_latdist <- "+filepath.Base(client[0])+" remote_latdist", func(t *testing.T) {
			ep := freeTCP(t)
			lout, rout := perfRun(t, with(server, "local_latdist", ep, "64", "300"), with(client, "remote_latdist", ep, "64", "3000", "300"))
			if lout != "" {
				t.Errorf("local_latdist printed %q", lout)
			}
			m := latDistLines.FindStringSubmatch(rout)
			if m == nil {
				t.Fatalf("remote_latdist output:\n%s", rout)
			}
			prev := 0.0
			for _, s := range m[1:] {
				v, err := strconv.ParseFloat(s, 64)
				if err != nil || v <= 0 || v < prev {
					t.Fatalf("percentiles not positive and ascending:\n%s", rout)
				}
				prev = v
			}
		})
	}
}
