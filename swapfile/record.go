package swapfile

import (
	"encoding/binary"
	"hash/crc32"
)

// recordHeaderSize is the length/CRC/sequence prefix of every record.
const recordHeaderSize = 16

// putRecordHeader fills the 16-byte prefix of a record whose payload CRC
// (crc32.Update over the payload, seeded by recordCRCStart) is payloadCRC.
func putRecordHeader(b []byte, n uint32, seq uint64, crc uint32) {
	_ = b[recordHeaderSize-1]
	binary.LittleEndian.PutUint32(b[0:], n)
	binary.LittleEndian.PutUint32(b[4:], crc)
	binary.LittleEndian.PutUint64(b[8:], seq)
}

// recordCRCStart is the checksum of a record's length and sequence fields;
// the payload is folded in afterwards with crc32.Update. Covering the
// length means a torn length field cannot pass, and covering the sequence
// number means a stale record cannot be renumbered by damage.
func recordCRCStart(n uint32, seq uint64) uint32 {
	var b [12]byte
	binary.LittleEndian.PutUint32(b[0:], n)
	binary.LittleEndian.PutUint64(b[4:], seq)
	return crc32.Update(0, castagnoli, b[:])
}

// parseRecordHeader splits a record prefix into its fields.
func parseRecordHeader(b []byte) (n uint32, crc uint32, seq uint64) {
	_ = b[recordHeaderSize-1]
	return binary.LittleEndian.Uint32(b[0:]), binary.LittleEndian.Uint32(b[4:]), binary.LittleEndian.Uint64(b[8:])
}
