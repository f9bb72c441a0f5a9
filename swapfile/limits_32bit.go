//go:build 386 || arm || mips || mipsle

package swapfile

// On 32-bit platforms the process has 2-3 GiB of address space in all, so a
// ring file larger than maxMapBytes is read through a sliding window of
// mapWindowBytes, and a record must be small enough to be allocated as one
// slice. Offsets stay int64 everywhere, so capacity is not limited by the
// address space.
const (
	wordBits = 32

	// MaxCapacity is the largest data area Create accepts (1 TiB).
	MaxCapacity = 1 << 40
	// MaxRecordSize is the largest payload Append accepts.
	MaxRecordSize = 1<<30 - recordHeaderSize

	maxMapBytes    = 256 << 20
	mapWindowBytes = 64 << 20

	// maxMappedTotal bounds the bytes mapped by all rings of the process
	// together: beyond it a ring reads through pread.
	maxMappedTotal = 512 << 20
)
