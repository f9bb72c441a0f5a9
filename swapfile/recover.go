package swapfile

import (
	"errors"
	"fmt"
	"hash/crc32"
)

// Recovery describes what Open found in an existing ring file.
type Recovery struct {
	Records        int    // records kept
	Bytes          int64  // bytes of records kept (headers included)
	DiscardedBytes int64  // bytes cut off as torn or corrupt
	Reason         string // why bytes were discarded or found; "" for a clean file
	// Beyond counts the kept records that lay past the tail recorded in
	// the header: appended after the last header write, found by the scan.
	Beyond int
}

// scanResult is the ring state rebuilt from a header and the records.
type scanResult struct {
	head, tail int64
	used       int64
	count      int64
	headSeq    uint64
	nextSeq    uint64
	rec        Recovery
}

// readData reads len(dst) bytes of the data area starting at pos, wrapping
// at the end of the data area.
func readData(rd reader, capacity, pos int64, dst []byte) error {
	first := min(int64(len(dst)), capacity-pos)
	if err := rd.readAt(dst[:first], headerAreaSize+pos); err != nil {
		return err
	}
	if first < int64(len(dst)) {
		return rd.readAt(dst[first:], headerAreaSize)
	}
	return nil
}

// scanChunk bounds the scratch memory of a scan: payloads are checksummed
// piecewise, so a damaged length field cannot make us allocate gigabytes.
const scanChunk = 64 << 10

// scan walks the chain of records from the header's head and keeps every
// record whose length fits, whose sequence number is the next one and
// whose checksum matches; the first record failing any test ends the ring.
// Past the header's tail the same test tells records appended after the
// header was written (next sequence number) from stale bytes of earlier
// laps (older numbers) and from the blank record header every Append
// leaves after itself (sequence number 0, never used).
func scan(rd reader, h header) (scanResult, error) {
	capacity := h.capacity
	res := scanResult{head: h.head, headSeq: h.headSeq}
	var (
		hb      [recordHeaderSize]byte
		chunk   []byte
		pos     = h.head
		seq     = h.headSeq
		used    int64
		count   int64
		failure string // why the scan stopped, if on a candidate record
		torn    int64  // bytes of a begun but incomplete record past the header's tail
	)
	for capacity-used >= recordHeaderSize {
		if err := readData(rd, capacity, pos, hb[:]); err != nil {
			return res, err
		}
		n, want, rseq := parseRecordHeader(hb[:])
		if rseq != seq {
			if used < h.used {
				failure = fmt.Sprintf("sequence number %d, want %d", rseq, seq)
			}
			break
		}
		room := capacity - used - recordHeaderSize
		if int64(n) > room {
			failure = fmt.Sprintf("length %d exceeds the %d bytes left", n, room)
			torn = min(recordHeaderSize, capacity-used)
			break
		}
		crc, err := payloadCRC(rd, capacity, pos, int64(n), hb[:], &chunk)
		if err != nil {
			return res, err
		}
		if uint64(n) > recordLimit && crc == want {
			// A sound record this build cannot hold in one slice (written
			// by a 64-bit build): the ring is not damaged, so it is
			// refused as a whole rather than cut here and rewritten.
			return res, &ArchLimitError{What: "record", Offset: pos, Seq: seq, Size: uint64(n), Limit: recordLimit}
		}
		if crc != want {
			failure = fmt.Sprintf("checksum %#08x, want %#08x", crc, want)
			torn = recordHeaderSize + int64(n)
			break
		}
		if used >= h.used {
			res.rec.Beyond++
		}
		size := recordHeaderSize + int64(n)
		pos = (pos + size) % capacity
		used += size
		count++
		seq++
	}
	res.tail, res.used, res.count = pos, used, count
	res.headSeq, res.nextSeq = h.headSeq, seq
	res.rec.Records, res.rec.Bytes = int(count), used
	switch {
	case used < h.used:
		res.rec.DiscardedBytes = h.used - used
		res.rec.Reason = fmt.Sprintf("record %d at data offset %d is corrupt (%s): cut %d bytes the header recorded",
			seq, pos, failure, h.used-used)
	case failure != "":
		res.rec.DiscardedBytes = torn
		res.rec.Reason = fmt.Sprintf("torn record %d at data offset %d past the header's tail (%s): cut %d bytes",
			seq, pos, failure, torn)
	case res.rec.Beyond > 0:
		res.rec.Reason = fmt.Sprintf("found %d records written after the last header write", res.rec.Beyond)
	}
	return res, nil
}

// recordLimit is MaxRecordSize as a variable, so that a test can play a
// 32-bit build reading a 64-bit build's ring.
var recordLimit uint64 = MaxRecordSize

// payloadCRC checksums the record at pos whose prefix is hb and whose
// payload takes n bytes, reading the payload piecewise through *chunk so
// that a large length costs no more than scanChunk bytes of memory.
func payloadCRC(rd reader, capacity, pos, n int64, hb []byte, chunk *[]byte) (uint32, error) {
	crc := recordCRCStart(hb)
	p := (pos + recordHeaderSize) % capacity
	for left := n; left > 0; {
		k := min(left, scanChunk)
		if int64(len(*chunk)) < k {
			*chunk = make([]byte, k)
		}
		if err := readData(rd, capacity, p, (*chunk)[:k]); err != nil {
			return 0, err
		}
		crc = crc32.Update(crc, castagnoli, (*chunk)[:k])
		p = (p + k) % capacity
		left -= k
	}
	return crc, nil
}

// scanError names the file in an *ArchLimitError from scan and wraps any
// other (I/O) error.
func scanError(err error, path string) error {
	var arch *ArchLimitError
	if errors.As(err, &arch) {
		arch.Path = path
		return arch
	}
	return fmt.Errorf("swapfile: recover %s: %w", path, err)
}
