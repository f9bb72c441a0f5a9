// Package emulation tells tests whether they run under a user-mode CPU
// emulator (qemu-user), so the few that are only slow there can scale
// themselves down and the few that start a copy of their own binary can
// start it through the emulator.
//
// Nothing detects emulation by itself: `make test-arm` (scripts/test-arm.sh)
// runs each foreign test binary with `go test -exec <emulator>` and sets
// PUREZMQ_EMULATED to that emulator's command (for example
// qemu-arm-static). Natively the variable is unset and every test runs at
// full size.
package emulation
