package swapfile

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// smallDisk stands in for a file system with room for limit bytes of this
// file: a write reaching past it stores what fits and fails with ENOSPC
// (as pwrite on a full sparse file does), and so does an extension past
// it. failHeader makes header writes fail with EIO instead.
type smallDisk struct {
	f          *os.File
	limit      int64
	failHeader bool
}

func (s *smallDisk) WriteAt(b []byte, off int64) (int, error) {
	if s.failHeader && off < headerAreaSize {
		return 0, &os.PathError{Op: "write", Path: s.f.Name(), Err: syscall.EIO}
	}
	if off+int64(len(b)) <= s.limit {
		return s.f.WriteAt(b, off)
	}
	n := 0
	if off < s.limit {
		n, _ = s.f.WriteAt(b[:s.limit-off], off)
	}
	return n, &os.PathError{Op: "write", Path: s.f.Name(), Err: syscall.ENOSPC}
}

func (s *smallDisk) extend(size int64) error {
	if size > s.limit {
		return &os.PathError{Op: "fallocate", Path: s.f.Name(), Err: syscall.ENOSPC}
	}
	return fileStorage{s.f}.extend(size)
}

func (s *smallDisk) truncate(size int64) error { return s.f.Truncate(size) }

func assertDiskFull(t *testing.T, err error) *DiskFullError {
	t.Helper()
	var df *DiskFullError
	if !errors.As(err, &df) || !errors.Is(err, ErrDiskFull) || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("got %v, want a *DiskFullError wrapping ENOSPC", err)
	}
	if errors.Is(err, ErrFull) {
		t.Fatalf("%v: a full disk must not read as a full ring (budget spent)", err)
	}
	return df
}

// TestAppendDiskFullWrite: on a file system that refuses a record's
// blocks, Append fails with a *DiskFullError wrapping ENOSPC, adds nothing
// (all or nothing), keeps every record that fitted, and the file recovers
// without a torn record. Before, the error was an untyped "write" error.
func TestAppendDiskFullWrite(t *testing.T) {
	r, path := tempRing(t, 1<<16, Options{})
	r.st = &smallDisk{f: r.f, limit: headerAreaSize + 3000}
	var want [][]byte
	var err error
	for i := 0; err == nil; i++ {
		p := payload(i, 200)
		if err = r.Append(p); err == nil {
			want = append(want, p)
		}
	}
	assertDiskFull(t, err)
	if len(want) < 10 || r.Len() != len(want) {
		t.Fatalf("kept %d records (ring says %d); want those that fitted", len(want), r.Len())
	}
	if err := equalRecords(r.snapshot(t), want); err != nil {
		t.Fatal(err)
	}
	r.abandon()
	r2, rec := mustOpen(t, path, Options{})
	defer r2.Close()
	if rec.DiscardedBytes != 0 {
		t.Fatalf("recovery %+v: the refused record left a torn prefix", rec)
	}
	if err := equalRecords(drain(t, r2), want); err != nil {
		t.Fatal(err)
	}
}

// TestGrowDiskFull: a growable ring whose file the disk will not extend
// returns a *DiskFullError from Append, keeps what fitted, gives the bytes
// back to the budget and works on once records are popped.
func TestGrowDiskFull(t *testing.T) {
	b := NewBudget(1 << 20)
	r := growRing(t, t.TempDir(), "ring", 4096, b)
	defer r.Close()
	r.st = &smallDisk{f: r.f, limit: headerAreaSize + 20000}
	var want [][]byte
	var err error
	for i := 0; err == nil; i++ {
		p := payload(i, 300)
		if err = r.Append(p); err == nil {
			want = append(want, p)
		}
	}
	df := assertDiskFull(t, err)
	if df.Op != "grow" || r.Cap() > 20000 || b.Used() != r.Cap() {
		t.Fatalf("%v: capacity %d, budget %d", err, r.Cap(), b.Used())
	}
	if got := fileSize(t, r.Path()); got != headerAreaSize+r.Cap() {
		t.Fatalf("file %d bytes after a refused growth, want %d", got, headerAreaSize+r.Cap())
	}
	if err := equalRecords(r.snapshot(t), want); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Pop(); err != nil {
		t.Fatal(err)
	}
	if err := r.Append([]byte("fits again")); err != nil {
		t.Fatalf("after a pop: %v", err)
	}
}

// TestCreateDiskFull: Create on a disk without room for the first
// capacity fails with a *DiskFullError, leaves no file and no charge.
func TestCreateDiskFull(t *testing.T) {
	defer func(old func(*os.File) storage) { newStorage = old }(newStorage)
	newStorage = func(f *os.File) storage { return &smallDisk{f: f, limit: 1 << 20} }
	b := NewBudget(100 << 20)
	path := filepath.Join(t.TempDir(), "ring")
	_, err := Create(path, 25_000_000, Options{Budget: b})
	assertDiskFull(t, err)
	if _, serr := os.Stat(path); !errors.Is(serr, os.ErrNotExist) || b.Used() != 0 {
		t.Fatalf("after a refused Create: stat %v, budget %d", serr, b.Used())
	}
}

// TestGrowInterrupted: a growth whose header write fails leaves the ring
// as it was, in memory and on disk (a crash right after recovers every
// record), and a later growth succeeds.
func TestGrowInterrupted(t *testing.T) {
	b := NewBudget(1 << 20)
	r := growRing(t, t.TempDir(), "ring", 4096, b)
	var want [][]byte
	for i := range 9 {
		want = append(want, payload(i, 400))
		if err := r.Append(want[i]); err != nil {
			t.Fatal(err)
		}
	}
	for range 8 {
		r.Pop()
		want = want[1:]
	}
	for i := range 7 {
		want = append(want, payload(100+i, 300))
		if err := r.Append(want[len(want)-1]); err != nil {
			t.Fatal(err)
		}
	}
	disk := &smallDisk{f: r.f, limit: 1 << 30, failHeader: true}
	r.st = disk
	if err := r.Append(payload(200, 2000)); err == nil || !errors.Is(err, syscall.EIO) {
		t.Fatalf("growth with a failing header write: %v", err)
	}
	if r.Cap() != 4096 || b.Used() != 4096 {
		t.Fatalf("failed growth left capacity %d, budget %d", r.Cap(), b.Used())
	}
	if err := equalRecords(r.snapshot(t), want); err != nil {
		t.Fatal(err)
	}
	disk.failHeader = false
	want = append(want, payload(200, 2000))
	if err := r.Append(want[len(want)-1]); err != nil {
		t.Fatal(err)
	}
	path := r.Path()
	r.abandon()
	r2, _ := mustOpen(t, path, Options{Budget: b})
	defer r2.Close()
	got := r2.snapshot(t)
	if err := equalRecords(got[len(got)-len(want):], want); err != nil {
		t.Fatal(err)
	}
}

// TestDiskFullTmpfs: the same on a real 2 MiB tmpfs, where the machine
// lets the test mount one (root, mount permitted): a growable ring with a
// 25 MB budget keeps what the file system holds and reports ENOSPC. A
// ring preallocated at the whole budget, as the queue made them, could
// not even be created there.
func TestDiskFullTmpfs(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a 2 MiB tmpfs here (%v: %s); TestAppendDiskFullWrite and TestGrowDiskFull cover the stand-in", err, out)
	}
	defer func() {
		if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
			t.Errorf("umount: %v: %s", err, out)
		}
	}()
	b := NewBudget(25_000_000)
	_, err := Create(filepath.Join(dir, "whole"), 25_000_000, Options{})
	assertDiskFull(t, err)
	r, err := Create(filepath.Join(dir, "ring"), 64<<10, Options{Budget: b})
	if err != nil {
		t.Fatal(err)
	}
	var want [][]byte
	for i := 0; ; i++ {
		p := []byte(fmt.Sprintf("update %d %s", i, payload(i, 100)))
		if err = r.Append(p); err != nil {
			break
		}
		want = append(want, p)
	}
	assertDiskFull(t, err)
	if len(want) < 1000 {
		t.Fatalf("kept %d small records on a 2 MiB file system, want at least 1000", len(want))
	}
	t.Logf("kept %d records (%d bytes, capacity %d) before: %v", len(want), r.Used(), r.Cap(), err)
	path := r.Path()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	r2, _ := mustOpen(t, path, Options{Budget: b})
	defer r2.Close()
	if err := equalRecords(drain(t, r2), want); err != nil {
		t.Fatal(err)
	}
}
