package main

import (
	"context"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/purezmq/socket"
)

var latDistOutput = regexp.MustCompile(`^message size: (\d+) \[B\]\nroundtrip count: (\d+)\noffered rate: (\d+) \[msg/s\]\n` +
	`roundtrip p50: (\d+\.\d{3}) \[us\]\nroundtrip p90: (\d+\.\d{3}) \[us\]\nroundtrip p99: (\d+\.\d{3}) \[us\]\n` +
	`roundtrip p99\.9: (\d+\.\d{3}) \[us\]\nroundtrip max: (\d+\.\d{3}) \[us\]\n` +
	`send lag p99: (\d+\.\d{3}) \[us\]\nsend lag max: (\d+\.\d{3}) \[us\]\n$`)

// parseLatDistOutput checks remote_latdist's lines and returns p50, p90,
// p99, p99.9 and max in microseconds, which must not decrease.
func parseLatDistOutput(t *testing.T, out string, size, rate, count int) []float64 {
	t.Helper()
	m := latDistOutput.FindStringSubmatch(out)
	if m == nil || m[1] != strconv.Itoa(size) || m[2] != strconv.Itoa(count) || m[3] != strconv.Itoa(rate) {
		t.Fatalf("remote_latdist output:\n%s", out)
	}
	var q []float64
	for _, s := range m[4:9] {
		v, _ := strconv.ParseFloat(s, 64)
		if v <= 0 || (len(q) > 0 && v < q[len(q)-1]) {
			t.Fatalf("percentiles not positive and ascending:\n%s", out)
		}
		q = append(q, v)
	}
	return q
}

func TestBenchLatDist(t *testing.T) {
	ep := "ipc://" + filepath.Join(t.TempDir(), "latdist")
	lout, rout := runPair(t, []string{"local_latdist", ep, "32", "400"}, []string{"remote_latdist", ep, "32", "4000", "400"})
	parseLatDistOutput(t, rout, 32, 4000, 400)
	if lout != "" {
		t.Errorf("local_latdist printed %q", lout)
	}
}

// A stall of the echo must count for every message scheduled while it
// lasted, not once: that is what the open loop buys. At 1000 msg/s a 60 ms
// stall holds up some 60 messages, 15% of 400, so p90 cannot stay below
// 10 ms; a closed-loop client, waiting for each reply before it sends the
// next, would see one slow sample, under p99.
func TestBenchLatDistCountsStallForEveryMessage(t *testing.T) {
	ep := "ipc://" + filepath.Join(t.TempDir(), "stall")
	s, err := socket.New(socket.Router, socket.WithLinger(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Bind(ep); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	echoed := make(chan error, 1)
	go func() {
		for i := range 401 {
			m, err := s.Recv(ctx)
			if err != nil {
				echoed <- err
				return
			}
			if i == 100 {
				time.Sleep(60 * time.Millisecond)
			}
			if err := s.Send(ctx, m); err != nil {
				echoed <- err
				return
			}
		}
		echoed <- nil
	}()
	code, out, stderr := runCLI(t, "", "bench", "--timeout", "10s", "remote_latdist", ep, "16", "1000", "400")
	if err := <-echoed; err != nil || code != exitOK {
		t.Fatalf("echo: %v; remote_latdist: exit %d, %s", err, code, stderr)
	}
	if q := parseLatDistOutput(t, out, 16, 1000, 400); q[1] < 10_000 {
		t.Errorf("p90 %.0f us after a 60 ms stall of 15%% of the run, want >= 10000:\n%s", q[1], out)
	}
}

func TestBenchLatDistUsage(t *testing.T) {
	for _, args := range [][]string{
		{"bench", "remote_latdist", "tcp://127.0.0.1:1", "16", "100"},
		{"bench", "remote_latdist", "tcp://127.0.0.1:1", "16", "0", "100"},
		{"bench", "remote_latdist", "tcp://127.0.0.1:1", "16", "x", "100"},
		{"bench", "remote_latdist", "tcp://127.0.0.1:1", "16", "20000000", "100"},
		{"bench", "local_latdist", "tcp://127.0.0.1:1", "16", "1000", "100"},
		{"bench", "local_latdist", "tcp://127.0.0.1:1", "16", "-1"},
	} {
		if code, _, stderr := runCLI(t, "", args...); code != exitUsage || !strings.Contains(stderr, "usage: purezmq bench") {
			t.Errorf("%q: exit %d, stderr %q", args, code, stderr)
		}
	}
}

func TestRankNearest(t *testing.T) {
	var s []time.Duration
	for i := 1; i <= 1000; i++ {
		s = append(s, time.Duration(i))
	}
	for _, c := range []struct {
		pm   int
		want time.Duration
	}{{500, 500}, {990, 990}, {999, 999}, {1000, 1000}, {0, 1}} {
		if got := rank(s, c.pm); got != c.want {
			t.Errorf("rank(1..1000, %d) = %d, want %d", c.pm, got, c.want)
		}
	}
	if got := rank(s[:3], 500); got != 2 {
		t.Errorf("median of 1 2 3 = %d", got)
	}
	if got := rank(s[:10], 999); got != 10 {
		t.Errorf("p99.9 of ten samples = %d, want the largest", got)
	}
	if got := rank(nil, 990); got != 0 {
		t.Errorf("rank of no samples = %d", got)
	}
}
