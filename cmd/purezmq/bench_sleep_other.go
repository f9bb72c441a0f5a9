//go:build !linux

package main

import "time"

// sleepPrecise is the runtime's sleep where there is no nanosleep with
// per-thread timer slack to call: remote_latdist still runs, with a
// schedule as coarse as the runtime's timers (see bench_sleep_linux.go).
func sleepPrecise() func(time.Duration) { return time.Sleep }
