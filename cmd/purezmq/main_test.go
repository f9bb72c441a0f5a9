package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// runCLI runs the program in-process and returns its exit status and output.
func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestUsage(t *testing.T) {
	code, _, stderr := runCLI(t, "")
	if code != exitUsage || !strings.Contains(stderr, "usage: purezmq TYPE") {
		t.Fatalf("no args: code %d, stderr %q", code, stderr)
	}
	for _, args := range [][]string{{"help"}, {"--help"}, {"-h"}} {
		code, stdout, _ := runCLI(t, "", args...)
		if code != exitOK {
			t.Fatalf("%v: code %d", args, code)
		}
		for _, v := range socketVerbs {
			if !strings.Contains(stdout, v) {
				t.Errorf("%v: usage does not list %q", args, v)
			}
		}
		if !strings.Contains(stdout, "bench") {
			t.Errorf("%v: usage does not mention bench", args)
		}
	}
}

func TestUnknownVerb(t *testing.T) {
	for _, v := range []string{"streamx", "PUBX", "curve"} {
		code, _, stderr := runCLI(t, "", v)
		if code != exitUsage || !strings.Contains(stderr, "unknown command") {
			t.Errorf("%q: code %d, stderr %q", v, code, stderr)
		}
	}
}

func TestVerbHelp(t *testing.T) {
	for _, v := range socketVerbs {
		code, stdout, _ := runCLI(t, "", v, "--help")
		if code != exitOK {
			t.Fatalf("%s --help: code %d", v, code)
		}
		for _, want := range []string{"usage: purezmq " + v, "-bind", "-connect", "-count", "\\xNN"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("%s --help lacks %q on stdout", v, want)
			}
		}
		code, stdout, _ = runCLI(t, "", "help", v)
		if code != exitOK || !strings.Contains(stdout, "usage: purezmq "+v) {
			t.Errorf("help %s: code %d, %q", v, code, stdout)
		}
	}
	code, stdout, _ := runCLI(t, "", "help", "bench")
	if code != exitOK || !strings.Contains(stdout, "remote_lat ENDPOINT SIZE ROUNDTRIPS") {
		t.Errorf("help bench: code %d, %q", code, stdout)
	}
	if code, _, _ := runCLI(t, "", "help", "nosuch"); code != exitUsage {
		t.Errorf("help nosuch: code %d", code)
	}
}
