package emulation

import (
	"os"
	"strings"
	"testing"
)

func TestScale(t *testing.T) {
	t.Setenv(EnvVar, "")
	if got := Scale(1000, 10); got != 1000 {
		t.Fatalf("native Scale(1000, 10) = %d", got)
	}
	t.Setenv(EnvVar, "qemu-arm-static")
	if got := Scale(1000, 10); got != 100 {
		t.Fatalf("emulated Scale(1000, 10) = %d", got)
	}
	if got := Scale(3, 10); got != 1 {
		t.Fatalf("emulated Scale(3, 10) = %d, want at least 1", got)
	}
}

func TestSelf(t *testing.T) {
	t.Setenv(EnvVar, "")
	if c := Self("-x"); c.Args[0] != os.Args[0] || strings.Join(c.Args[1:], " ") != "-x" {
		t.Fatalf("native Self: %q", c.Args)
	}
	t.Setenv(EnvVar, "qemu-arm-static")
	if c := Self("-x"); len(c.Args) != 3 || c.Args[1] != os.Args[0] || c.Args[2] != "-x" {
		t.Fatalf("emulated Self: %q", c.Args)
	}
}
