package swapfile

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

const (
	headerAreaSize = 4096 // data area starts here, page aligned
	slotStride     = 2048 // slot 1 lives in a different sector than slot 0
	slotSize       = 80   // encoded bytes of one slot
	formatVersion  = 1

	// MinCapacity is the smallest data area Create accepts: room for at
	// least one empty record.
	MinCapacity = 2 * recordHeaderSize
)

var (
	magic      = [8]byte{'P', 'Z', 'M', 'Q', 'S', 'W', 'A', 'P'}
	castagnoli = crc32.MakeTable(crc32.Castagnoli)
)

// header is the decoded content of one header slot.
type header struct {
	capacity int64
	head     int64  // data-area offset of the front record
	tail     int64  // data-area offset where the next record goes
	used     int64  // bytes of records between head and tail
	count    int64  // records between head and tail
	headSeq  uint64 // sequence number of the front record
	gen      uint64 // incremented on every header write
}

// nextSeq is the sequence number of the record that follows the header's
// tail, if any was written after the header.
func (h *header) nextSeq() uint64 { return h.headSeq + uint64(h.count) }

// slotOffset is where the header with generation gen is written: writes
// alternate so the previous header stays intact while this one is written.
func slotOffset(gen uint64) int64 { return int64(gen%2) * slotStride }

func (h *header) encode(b []byte) {
	_ = b[slotSize-1]
	copy(b[0:8], magic[:])
	binary.LittleEndian.PutUint32(b[8:], formatVersion)
	binary.LittleEndian.PutUint32(b[12:], 0) // flags, reserved
	binary.LittleEndian.PutUint64(b[16:], uint64(h.capacity))
	binary.LittleEndian.PutUint64(b[24:], uint64(h.head))
	binary.LittleEndian.PutUint64(b[32:], uint64(h.tail))
	binary.LittleEndian.PutUint64(b[40:], uint64(h.used))
	binary.LittleEndian.PutUint64(b[48:], uint64(h.count))
	binary.LittleEndian.PutUint64(b[56:], h.headSeq)
	binary.LittleEndian.PutUint64(b[64:], h.gen)
	binary.LittleEndian.PutUint32(b[72:], crc32.Checksum(b[:72], castagnoli))
	binary.LittleEndian.PutUint32(b[76:], 0)
}

// decodeHeader parses and validates one slot. Every field is checked
// against the others so that a slot that passes can be used without
// further bounds checks (the fuzz target holds us to that).
func decodeHeader(b []byte) (header, error) {
	var h header
	if len(b) < slotSize {
		return h, fmt.Errorf("short slot")
	}
	if [8]byte(b[0:8]) != magic {
		return h, fmt.Errorf("bad magic %q", b[0:8])
	}
	if got, want := binary.LittleEndian.Uint32(b[72:]), crc32.Checksum(b[:72], castagnoli); got != want {
		return h, fmt.Errorf("checksum %#08x, want %#08x", got, want)
	}
	if v := binary.LittleEndian.Uint32(b[8:]); v != formatVersion {
		return h, fmt.Errorf("unsupported version %d", v)
	}
	capacity := binary.LittleEndian.Uint64(b[16:])
	head := binary.LittleEndian.Uint64(b[24:])
	tail := binary.LittleEndian.Uint64(b[32:])
	used := binary.LittleEndian.Uint64(b[40:])
	count := binary.LittleEndian.Uint64(b[48:])
	h.headSeq = binary.LittleEndian.Uint64(b[56:])
	h.gen = binary.LittleEndian.Uint64(b[64:])
	switch {
	case capacity < MinCapacity || capacity > maxCapacityAnyArch:
		return h, fmt.Errorf("capacity %d out of range", capacity)
	case head >= capacity || tail >= capacity:
		return h, fmt.Errorf("head %d or tail %d beyond capacity %d", head, tail, capacity)
	case used > capacity:
		return h, fmt.Errorf("used %d beyond capacity %d", used, capacity)
	case (head+used)%capacity != tail:
		return h, fmt.Errorf("head %d + used %d does not reach tail %d", head, used, tail)
	case count > used/recordHeaderSize || (count == 0) != (used == 0):
		return h, fmt.Errorf("%d records cannot take %d bytes", count, used)
	}
	if capacity > MaxCapacity {
		// A sound header from a build with a larger address space.
		return h, &ArchLimitError{What: "capacity", Size: capacity, Limit: MaxCapacity}
	}
	h.capacity, h.head, h.tail = int64(capacity), int64(head), int64(tail)
	h.used, h.count = int64(used), int64(count)
	return h, nil
}

// maxCapacityAnyArch is the largest capacity any build writes (64-bit's
// MaxCapacity): a header beyond it is damaged, one below it but beyond
// this build's MaxCapacity is refused as an *ArchLimitError.
const maxCapacityAnyArch = 1 << 46

// pickHeader chooses between the two slots of a header area: the valid one
// with the higher generation. It returns which slot won.
func pickHeader(area []byte) (header, int, error) {
	h0, err0 := decodeHeader(area[0:slotSize])
	h1, err1 := decodeHeader(area[slotStride : slotStride+slotSize])
	// A slot refused only for this build's limits still takes part in
	// the choice: if it is the newer one, the ring is refused, not
	// rolled back to the older slot.
	var arch *ArchLimitError
	ok0 := err0 == nil || errors.As(err0, &arch)
	ok1 := err1 == nil || errors.As(err1, &arch)
	switch {
	case ok0 && ok1:
		if h1.gen > h0.gen {
			return h1, 1, err1
		}
		return h0, 0, err0
	case ok0:
		return h0, 0, err0
	case ok1:
		return h1, 1, err1
	}
	return header{}, -1, fmt.Errorf("slot 0: %v; slot 1: %v", err0, err1)
}
