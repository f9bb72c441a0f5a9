package main

import (
	"bytes"
	"net"
	"regexp"
	"strconv"
	"sync"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func freeEP(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return "tcp://127.0.0.1:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// pair runs a local and a remote verb at once and returns both outputs.
func pair(t *testing.T, local, remote []string) (string, string) {
	t.Helper()
	var lout, lerr, rout, rerr bytes.Buffer
	var lcode int
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		lcode = run(local, &lout, &lerr)
	}()
	rcode := run(remote, &rout, &rerr)
	wg.Wait()
	if lcode != 0 || rcode != 0 {
		t.Fatalf("local %d %s; remote %d %s", lcode, lerr.String(), rcode, rerr.String())
	}
	return lout.String(), rout.String()
}

func TestThroughputAndLatency(t *testing.T) {
	for _, mode := range [][]string{nil, {"--unbuffered"}} {
		ep := freeEP(t)
		lout, _ := pair(t, append(append([]string{}, mode...), "local_thr", ep, "100", "5000"),
			append(append([]string{}, mode...), "remote_thr", ep, "100", "5000"))
		if !regexp.MustCompile(`^message size: 100 \[B\]\nmessage count: 5000\nmean throughput: \d+ \[msg/s\]\nmean throughput: \d+\.\d{3} \[Mb/s\]\n$`).MatchString(lout) {
			t.Errorf("%v local_thr:\n%s", mode, lout)
		}
	}
	// Payloads larger than the read buffer.
	ep := freeEP(t)
	if lout, _ := pair(t, []string{"local_thr", ep, "1048576", "3"}, []string{"remote_thr", ep, "1048576", "3"}); lout == "" {
		t.Error("no output for 1 MiB payloads")
	}
	ep = freeEP(t)
	_, rout := pair(t, []string{"local_lat", ep, "32", "200"}, []string{"remote_lat", ep, "32", "200"})
	if !regexp.MustCompile(`^message size: 32 \[B\]\nroundtrip count: 200\naverage latency: \d+\.\d{3} \[us\]\n$`).MatchString(rout) {
		t.Errorf("remote_lat:\n%s", rout)
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"local_thr", "udp://x:1", "1", "1"}, {"nosuch", "tcp://x:1", "1", "1"}, {"local_thr", "tcp://x:1", "0", "1"}} {
		if code := run(args, &bytes.Buffer{}, &bytes.Buffer{}); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
}
