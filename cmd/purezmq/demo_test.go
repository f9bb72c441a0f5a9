package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/purezmq/purezmq/swapfile"
)

// TestDemoVerb runs the README's main job and checks its table.
func TestDemoVerb(t *testing.T) {
	code, out, errOut := runCLI(t, "", "demo", "--payload", "100")
	if code != exitOK {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	for _, want := range []string{
		"retention, no HWM        0, 1, 2",
		"3, 4, 5, 6, 7",
		"5 (4, 5, 6, 9, END)",
		"retention, HWM 1 + swap",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	if code, _, _ := runCLI(t, "", "demo", "extra"); code != exitUsage {
		t.Errorf("demo extra: exit %d, want %d", code, exitUsage)
	}
}

func TestSwapInspect(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.ring")
	r, err := swapfile.Create(path, 4096, swapfile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range []string{"one", "two", "three"} {
		if err := r.Append([]byte(rec)); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "", "swap", "inspect", path)
	if code != exitOK || !strings.Contains(out, "records:        3") {
		t.Fatalf("exit %d, out %q, err %q", code, out, errOut)
	}
	if code, _, errOut := runCLI(t, "", "swap", "inspect", filepath.Join(t.TempDir(), "missing")); code != exitError || errOut == "" {
		t.Fatalf("missing file: exit %d, stderr %q", code, errOut)
	}
	if code, _, _ := runCLI(t, "", "swap"); code != exitUsage {
		t.Fatalf("swap without verb: exit %d", code)
	}
}
