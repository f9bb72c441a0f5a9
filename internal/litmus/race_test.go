//go:build race

package litmus

// The race detector runs every atomic through its own runtime, which is
// hundreds of times slower when two threads spin on each other.
const raceEnabled = true
