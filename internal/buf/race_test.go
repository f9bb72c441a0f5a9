//go:build race

package buf

// sync.Pool drops entries at random under the race detector.
const raceEnabled = true
