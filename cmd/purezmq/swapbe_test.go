package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/purezmq/purezmq/internal/ringsample"
	"github.com/purezmq/purezmq/swapfile"
)

// bigEndianRing is the sample ring (internal/ringsample) as the linux/s390x
// build writes it, made under qemu-s390x with
//
//	GOARCH=s390x CGO_ENABLED=0 go build -o /tmp/writering ./internal/ringsample/writering
//	qemu-s390x-static /tmp/writering cmd/purezmq/testdata/sample-s390x.ring
//
// TestSwapInspectBigEndianRing writes it again that way whenever the
// emulator is installed.
const bigEndianRing = "testdata/sample-s390x.ring"

// TestSwapInspectBigEndianRing: `purezmq swap inspect` on this machine
// reads a ring written by a big-endian build, and that ring is byte for
// byte the one this build writes: the format is little-endian on disk
// whatever the CPU.
func TestSwapInspectBigEndianRing(t *testing.T) {
	be, err := os.ReadFile(bigEndianRing)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	native := filepath.Join(dir, "native.ring")
	if err := ringsample.Write(native); err != nil {
		t.Fatal(err)
	}
	mine, err := os.ReadFile(native)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(be, mine) {
		t.Fatalf("the big-endian ring (%d bytes) differs from this build's (%d bytes) at byte %d", len(be), len(mine), diffAt(be, mine))
	}

	inspect := func(path string) string {
		t.Helper()
		var out, errb bytes.Buffer
		if code := run(context.Background(), []string{"swap", "inspect", path}, strings.NewReader(""), &out, &errb); code != exitOK {
			t.Fatalf("swap inspect %s: exit %d: %s", path, code, errb.String())
		}
		return strings.ReplaceAll(out.String(), path, "RING")
	}
	got := inspect(bigEndianRing)
	for _, want := range []string{"records:        13\n", "beyond header:  0 records\n", "discarded:      0 bytes\n"} {
		if !strings.Contains(got, want) {
			t.Fatalf("inspect of the big-endian ring lacks %q:\n%s", want, got)
		}
	}
	if n := ringsample.Appended - ringsample.Popped; n != 13 {
		t.Fatalf("the sample holds %d records; update the expected inspect output", n)
	}
	if mineOut := inspect(native); got != mineOut {
		t.Fatalf("inspect differs:\nbig-endian:\n%s\nthis build:\n%s", got, mineOut)
	}

	// The records themselves, through the library on a copy.
	cp := filepath.Join(dir, "copy.ring")
	if err := os.WriteFile(cp, be, 0o600); err != nil {
		t.Fatal(err)
	}
	r, rec, err := swapfile.Open(cp, swapfile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if rec.DiscardedBytes != 0 {
		t.Fatalf("recovery discarded %d bytes", rec.DiscardedBytes)
	}
	for i := ringsample.Popped; i < ringsample.Appended; i++ {
		b, err := r.Pop()
		if err != nil || !bytes.Equal(b, ringsample.Record(i)) {
			t.Fatalf("record %d: %d bytes, %v", i, len(b), err)
		}
	}

	regenerateBigEndian(t, dir, be)
}

// regenerateBigEndian builds the ring writer for s390x and runs it under
// qemu-s390x-static when both the emulator and the go command are here
// (CI installs qemu-user-static), and requires the committed file to be
// what it writes. Without them the committed file stands alone, which the
// log says.
func regenerateBigEndian(t *testing.T, dir string, committed []byte) {
	emu, err := exec.LookPath("qemu-s390x-static")
	if err != nil {
		t.Logf("qemu-s390x-static not installed: checked the committed big-endian ring only")
		return
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Logf("go command not found: checked the committed big-endian ring only")
		return
	}
	bin := filepath.Join(dir, "writering.s390x")
	build := exec.Command(goCmd, "build", "-o", bin, "./internal/ringsample/writering")
	build.Dir = filepath.Join("..", "..")
	build.Env = append(os.Environ(), "GOOS=linux", "GOARCH=s390x", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the s390x ring writer: %v\n%s", err, out)
	}
	fresh := filepath.Join(dir, "fresh-s390x.ring")
	if out, err := exec.Command(emu, bin, fresh).CombinedOutput(); err != nil {
		t.Fatalf("running the s390x ring writer under %s: %v\n%s", emu, err, out)
	}
	got, err := os.ReadFile(fresh)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, committed) {
		t.Fatalf("the s390x build now writes a different ring than %s (at byte %d); regenerate it as its comment says", bigEndianRing, diffAt(got, committed))
	}
}

func diffAt(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
