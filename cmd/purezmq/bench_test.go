package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/purezmq/purezmq/socket"
)

var (
	thrOutput = regexp.MustCompile(`^message size: (\d+) \[B\]\nmessage count: (\d+)\nmean throughput: \d+ \[msg/s\]\nmean throughput: \d+\.\d{3} \[Mb/s\]\n$`)
	latOutput = regexp.MustCompile(`^message size: (\d+) \[B\]\nroundtrip count: (\d+)\naverage latency: \d+\.\d{3} \[us\]\n$`)
)

func TestBenchInproc(t *testing.T) {
	code, out, stderr := runCLI(t, "", "bench", "inproc_thr", "64", "5000")
	if code != exitOK {
		t.Fatalf("inproc_thr: exit %d: %s", code, stderr)
	}
	if m := thrOutput.FindStringSubmatch(out); m == nil || m[1] != "64" || m[2] != "5000" {
		t.Errorf("inproc_thr output:\n%s", out)
	}
	code, out, stderr = runCLI(t, "", "bench", "inproc_lat", "16", "500")
	if code != exitOK {
		t.Fatalf("inproc_lat: exit %d: %s", code, stderr)
	}
	if m := latOutput.FindStringSubmatch(out); m == nil || m[1] != "16" || m[2] != "500" {
		t.Errorf("inproc_lat output:\n%s", out)
	}
}

// --copy sends with the copying Send: the runs complete and print the same
// lines (inproc, where the receiver gets the copy itself and releases it).
func TestBenchCopy(t *testing.T) {
	code, out, stderr := runCLI(t, "", "bench", "--copy", "inproc_thr", "16", "5000")
	if code != exitOK {
		t.Fatalf("inproc_thr --copy: exit %d: %s", code, stderr)
	}
	if m := thrOutput.FindStringSubmatch(out); m == nil || m[2] != "5000" {
		t.Errorf("inproc_thr --copy output:\n%s", out)
	}
	code, out, stderr = runCLI(t, "", "bench", "--copy", "inproc_lat", "300", "500")
	if code != exitOK {
		t.Fatalf("inproc_lat --copy: exit %d: %s", code, stderr)
	}
	if m := latOutput.FindStringSubmatch(out); m == nil || m[1] != "300" {
		t.Errorf("inproc_lat --copy output:\n%s", out)
	}
}

// runPair runs a local and a remote bench verb at once over ep.
func runPair(t *testing.T, local, remote []string) (localOut, remoteOut string) {
	t.Helper()
	var wg sync.WaitGroup
	var lcode int
	var lerr string
	wg.Add(1)
	go func() {
		defer wg.Done()
		lcode, localOut, lerr = runCLI(t, "", append([]string{"bench", "--timeout", "10s"}, local...)...)
	}()
	rcode, remoteOut, rerr := runCLI(t, "", append([]string{"bench", "--timeout", "10s"}, remote...)...)
	wg.Wait()
	if lcode != exitOK || rcode != exitOK {
		t.Fatalf("%v: exit %d (%s); %v: exit %d (%s)", local, lcode, lerr, remote, rcode, rerr)
	}
	return localOut, remoteOut
}

func TestBenchOverIPC(t *testing.T) {
	ep := "ipc://" + filepath.Join(t.TempDir(), "thr")
	lout, rout := runPair(t, []string{"local_thr", ep, "100", "3000"}, []string{"remote_thr", ep, "100", "3000"})
	if m := thrOutput.FindStringSubmatch(lout); m == nil || m[2] != "3000" {
		t.Errorf("local_thr output:\n%s", lout)
	}
	if rout != "" {
		t.Errorf("remote_thr printed %q; libzmq's prints nothing", rout)
	}
	ep = "ipc://" + filepath.Join(t.TempDir(), "lat")
	lout, rout = runPair(t, []string{"local_lat", ep, "32", "300"}, []string{"remote_lat", ep, "32", "300"})
	if m := latOutput.FindStringSubmatch(rout); m == nil || m[2] != "300" {
		t.Errorf("remote_lat output:\n%s", rout)
	}
	if lout != "" {
		t.Errorf("local_lat printed %q", lout)
	}
}

func TestBenchReversedPlacement(t *testing.T) {
	// --connect on the local side and --bind on the remote side swap who
	// listens, for peers that can only connect.
	ep := "ipc://" + filepath.Join(t.TempDir(), "rev")
	lout, _ := runPair(t, []string{"--connect", "local_thr", ep, "10", "100"}, []string{"--bind", "remote_thr", ep, "10", "100"})
	if !thrOutput.MatchString(lout) {
		t.Errorf("local_thr output:\n%s", lout)
	}
}

func TestBenchCPUProfile(t *testing.T) {
	prof := filepath.Join(t.TempDir(), "cpu.pprof")
	code, out, stderr := runCLI(t, "", "bench", "--cpuprofile", prof, "inproc_thr", "16", "20000")
	if code != exitOK || !thrOutput.MatchString(out) {
		t.Fatalf("exit %d, %q, %s", code, out, stderr)
	}
	b, err := os.ReadFile(prof)
	// A pprof profile is gzip-compressed protobuf.
	if err != nil || len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		t.Errorf("profile %d bytes, err %v: not a gzip'd pprof profile", len(b), err)
	}
	if code, _, _ := runCLI(t, "", "bench", "--cpuprofile", filepath.Join(t.TempDir(), "no", "such", "dir"), "inproc_thr", "1", "1"); code != exitError {
		t.Errorf("unwritable profile: exit %d, want %d", code, exitError)
	}
}

func TestBenchUsage(t *testing.T) {
	for _, args := range [][]string{
		{"bench"},
		{"bench", "nosuch", "1", "2"},
		{"bench", "local_thr", "tcp://127.0.0.1:1", "16"},
		{"bench", "inproc_thr", "16", "x"},
		{"bench", "inproc_thr", "-1", "5"},
		{"bench", "--bind", "--connect", "inproc_thr", "1", "1"},
		{"bench", "--hwm", "-3", "inproc_thr", "1", "1"},
	} {
		if code, _, stderr := runCLI(t, "", args...); code != exitUsage || !strings.Contains(stderr, "usage: purezmq bench") {
			t.Errorf("%q: exit %d, stderr %q", args, code, stderr)
		}
	}
	if code, out, _ := runCLI(t, "", "bench", "--help"); code != exitOK || out != "" {
		t.Errorf("bench --help: exit %d", code)
	}
}

func TestBenchBadEndpointExit1(t *testing.T) {
	code, _, stderr := runCLI(t, "", "bench", "local_thr", "bogus://x", "1", "1")
	if code != exitError || !strings.Contains(stderr, "local_thr") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

func TestBenchTimeout(t *testing.T) {
	ep := "ipc://" + filepath.Join(t.TempDir(), "nobody")
	start := time.Now()
	code, _, stderr := runCLI(t, "", "bench", "--timeout", "200ms", "local_thr", ep, "1", "10")
	if code != exitError || !strings.Contains(stderr, errBenchTimeout.Error()) {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v to time out after 200ms", d)
	}
}

func TestBenchRejectsWrongSize(t *testing.T) {
	// A local_thr expecting 100-byte messages must refuse 99-byte ones
	// rather than report numbers for traffic that did not happen.
	ep := "ipc://" + filepath.Join(t.TempDir(), "size")
	errc := make(chan string, 1)
	go func() {
		code, _, stderr := runCLI(t, "", "bench", "--timeout", "10s", "local_thr", ep, "100", "10")
		errc <- fmt.Sprintf("%d %s", code, stderr)
	}()
	s, err := socket.New(socket.Push)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Connect(ep); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Send(ctx, socket.NewMsg(make([]byte, 99))); err != nil {
		t.Fatal(err)
	}
	got := <-errc
	if !strings.HasPrefix(got, "1 ") || !strings.Contains(got, errBenchSize.Error()) {
		t.Errorf("local_thr on a wrong size: %s", got)
	}
	if !errors.Is(fmt.Errorf("%w: x", errBenchSize), errBenchSize) {
		t.Fatal("errBenchSize does not wrap")
	}
}
