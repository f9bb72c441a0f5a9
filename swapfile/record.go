package swapfile

import (
	"encoding/binary"
	"hash/crc32"
)

// recordHeaderSize is the length/CRC/sequence prefix of every record.
const recordHeaderSize = 16

// putRecordHeader fills the length and sequence fields of a record
// prefix; the checksum goes in with putRecordCRC once the payload is known.
func putRecordHeader(b []byte, n uint32, seq uint64) {
	_ = b[recordHeaderSize-1]
	binary.LittleEndian.PutUint32(b[0:], n)
	binary.LittleEndian.PutUint64(b[8:], seq)
}

func putRecordCRC(b []byte, crc uint32) { binary.LittleEndian.PutUint32(b[4:], crc) }

// recordCRCStart is the checksum of a record prefix's length and sequence
// fields; the payload is folded in afterwards with crc32.Update. Covering
// the length means a torn length field cannot pass, and covering the
// sequence number means a stale record cannot be renumbered by damage.
// It reads the fields in place: copying them to a local array would cost
// an allocation per record, as crc32.Update's argument escapes.
func recordCRCStart(b []byte) uint32 {
	return crc32.Update(crc32.Update(0, castagnoli, b[0:4]), castagnoli, b[8:16])
}

// parseRecordHeader splits a record prefix into its fields.
func parseRecordHeader(b []byte) (n uint32, crc uint32, seq uint64) {
	_ = b[recordHeaderSize-1]
	return binary.LittleEndian.Uint32(b[0:]), binary.LittleEndian.Uint32(b[4:]), binary.LittleEndian.Uint64(b[8:])
}
