//go:build !(386 || arm || mips || mipsle)

package swapfile

// On 64-bit platforms the address space is large enough to map any ring
// we accept as a whole; a window is only used beyond maxMapBytes.
const (
	wordBits = 64

	// MaxCapacity is the largest data area Create accepts (64 TiB).
	MaxCapacity = 1 << 46
	// MaxRecordSize is the largest payload Append accepts; the length
	// field is 32 bits.
	MaxRecordSize = 1<<32 - 1 - recordHeaderSize

	maxMapBytes    = 1 << 42 // map the whole file up to 4 TiB
	mapWindowBytes = 1 << 30 // window size beyond that

	// maxMappedTotal bounds the bytes mapped by all rings of the process
	// together (no practical bound on 64-bit).
	maxMappedTotal = 1 << 46
)
