package emulation

import (
	"os"
	"os/exec"
)

// EnvVar names the variable `make test-arm` sets to the emulator command.
const EnvVar = "PUREZMQ_EMULATED"

// Emulator returns the emulator command the tests run under, or "" when
// they run natively.
func Emulator() string { return os.Getenv(EnvVar) }

// Active reports whether the tests run under an emulator.
func Active() bool { return Emulator() != "" }

// Scale returns n natively and n/div (at least 1) under emulation: for
// loop counts of tests whose work is the same either way but whose time
// under emulation is tens of times the native time.
func Scale(n, div int) int {
	if !Active() || div <= 1 {
		return n
	}
	return max(1, n/div)
}

// Self returns a command that runs this process's own binary (os.Args[0])
// with args. Under emulation the binary is foreign to the kernel unless
// binfmt_misc is registered, so the command goes through the emulator.
func Self(args ...string) *exec.Cmd {
	if emu := Emulator(); emu != "" {
		return exec.Command(emu, append([]string{os.Args[0]}, args...)...)
	}
	return exec.Command(os.Args[0], args...)
}
