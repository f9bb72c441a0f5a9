//go:build unix

// Disk use is measured in allocated blocks (syscall.Stat_t).

package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/purezmq/purezmq/socket"
	"github.com/purezmq/purezmq/swapfile"
)

// syncBuffer is a bytes.Buffer safe for a running verb to write while the
// test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestPubRetainSwapDiskUse is finding 1 of issue 14 end to end:
// `purezmq pub --retain --hwm 1 --swap 25000000` with 8 subscriber
// identities used 191 MB of disk for 50 short lines. The publisher's
// backlogs, left in the swap directory when it exits, now take a few
// hundred KiB, and --verbose reports the swap's disk use.
func TestPubRetainSwapDiskUse(t *testing.T) {
	const keys, lines = 8, 50
	dir := t.TempDir()
	ep := ipcEP(t)
	stdin, feed := io.Pipe()
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(context.Background(), []string{"pub", "--bind", ep, "--retain", "--hwm", "1",
			"--swap", "25000000", "--swap-dir", dir, "--verbose"}, stdin, io.Discard, &stderr)
	}()
	defer feed.Close()
	for i := range keys {
		sub, err := socket.New(socket.Sub, socket.WithIdentity([]byte(fmt.Sprint("id", i))), socket.WithLinger(0))
		if err != nil {
			t.Fatal(err)
		}
		if err := sub.Subscribe(nil); err != nil {
			t.Fatal(err)
		}
		if err := sub.Connect(ep); err != nil {
			t.Fatal(err)
		}
		// Publish until this subscriber hears: its subscription is in.
		for tries := 0; ; tries++ {
			if tries == 500 {
				t.Fatalf("subscriber %d never heard the publisher:\n%s", i, stderr.String())
			}
			fmt.Fprintf(feed, "sync %d\n", i)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			_, err := sub.Recv(ctx)
			cancel()
			if err == nil {
				break
			}
		}
		sub.Close()
	}
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(stderr.String(), "event RETAINED") < keys {
		if time.Now().After(deadline) {
			t.Fatalf("subscribers not retained:\n%s", stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	for i := range lines {
		fmt.Fprintf(feed, "line %d\n", i)
	}
	feed.Close()
	select {
	case code := <-done:
		if code != exitOK {
			t.Fatalf("pub: exit %d: %s", code, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("pub still running")
	}
	var alloc, apparent int64
	rings := 0
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, de := range ents {
		fi, err := os.Stat(filepath.Join(dir, de.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(de.Name(), ".ring") {
			rings++
		}
		apparent += fi.Size()
		alloc += fi.Sys().(*syscall.Stat_t).Blocks * 512
	}
	t.Logf("%d subscriber identities, %d lines: %d ring files, %d bytes on disk (%d apparent)", keys, lines, rings, alloc, apparent)
	if rings != keys || alloc > 1<<20 || apparent > 1<<20 {
		t.Fatalf("%d rings take %d bytes on disk (%d apparent), want %d rings within 1 MiB", rings, alloc, apparent, keys)
	}
	if !strings.Contains(stderr.String(), "bytes on disk, 0 messages refused") {
		t.Errorf("--verbose does not report the swap:\n%s", stderr.String())
	}
}

// TestReportSwapDiskFull: a publisher whose disk refused messages says so
// at exit, with the system's error, even without --verbose (finding 2 of
// issue 14: the CLI said only "dropped").
func TestReportSwapDiskFull(t *testing.T) {
	cfg := &sockConfig{verb: "pub", swap: 25_000_000}
	full := &swapfile.DiskFullError{Path: "/spool/k-x.ring", Op: "grow", Want: 4096, Err: syscall.ENOSPC}
	var w bytes.Buffer
	reportSwap(&w, cfg, socket.Stats{SwapDiskBytes: 2 << 20, SpillRefused: 4209, SwapDiskFull: 4209, SwapLastError: full})
	for _, want := range []string{"4209 messages refused (4209 for a full disk", "no space left on device", "/spool/k-x.ring"} {
		if !strings.Contains(w.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, w.String())
		}
	}
	w.Reset()
	reportSwap(&w, cfg, socket.Stats{SwapDiskBytes: 65536})
	if w.Len() != 0 {
		t.Errorf("quiet run reported %q", w.String())
	}
}
