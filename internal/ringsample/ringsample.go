// Package ringsample writes one fixed swap ring file: the same sequence of
// appends and pops every time, so the file is the same byte for byte on
// every architecture whose swapfile package is correct. A test reads the
// one written by a big-endian build (cmd/purezmq's testdata, regenerated
// under qemu-s390x when it is installed) with the host's `purezmq swap
// inspect`, and compares it with the one the host writes.
package ringsample

import (
	"fmt"

	"github.com/purezmq/purezmq/swapfile"
)

// Capacity is the sample ring's data area: small enough to commit, small
// enough that the appends below wrap it.
const Capacity = 8 << 10

// Record returns record i's payload: i in its first bytes (a byte order
// mistake shows in the inspected sequence numbers and the CRCs) and a
// length that walks across the ring so records wrap its end.
func Record(i int) []byte {
	n := 1 + (i*389)%1500
	b := make([]byte, n)
	for j := range b {
		b[j] = byte(i*31 + j*7)
	}
	b[0] = byte(i)
	return b
}

// Appended and Popped are how many records Write appends and pops: Len of
// the written ring is their difference.
const (
	Appended = 40
	Popped   = 27
)

// Write creates the sample ring at path (which must not exist): Appended
// records, the oldest Popped of them taken out as space runs short, so the
// head has moved, the data wraps the end of the ring and the header's
// generation has advanced.
func Write(path string) error {
	r, err := swapfile.Create(path, Capacity, swapfile.Options{})
	if err != nil {
		return err
	}
	popped := 0
	for i := range Appended {
		for 16+len(Record(i)) > int(r.Free()) {
			got, err := r.Pop()
			if err != nil {
				r.Close()
				return fmt.Errorf("pop %d: %w", popped, err)
			}
			if string(got) != string(Record(popped)) {
				r.Close()
				return fmt.Errorf("pop %d: wrong record", popped)
			}
			popped++
		}
		if err := r.Append(Record(i)); err != nil {
			r.Close()
			return fmt.Errorf("append %d: %w", i, err)
		}
	}
	if popped != Popped {
		r.Close()
		return fmt.Errorf("popped %d records, the sample expects %d", popped, Popped)
	}
	return r.Close()
}
