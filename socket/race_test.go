//go:build race

package socket

// sync.Pool drops entries at random under the race detector.
const raceEnabled = true
