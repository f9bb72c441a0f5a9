package queue

import (
	"encoding/binary"
	"fmt"
)

// A multipart message is stored in the swap as one record:
//
//	uvarint  sequence number (the pipe's count of records written)
//	uvarint  frame count
//	uvarint  length of each frame, in order
//	bytes    the frames' bodies, back to back
//
// Varints keep the per-message overhead at two bytes for a one-frame
// message under 128 bytes. The ring checksums records, so the format
// carries no checksum of its own; decodeRecord still checks every length
// against what is really there before allocating, since a ring written by
// another build or damaged in a way the checksum missed must not make the
// pipe allocate gigabytes or panic.

// The sequence number lets a write-through pipe recognise, after a crash,
// records it had already committed (see ackFile).

// appendRecordHeader appends the sequence number, count and lengths of msg
// to dst.
func appendRecordHeader(dst []byte, seq uint64, msg [][]byte) []byte {
	dst = binary.AppendUvarint(dst, seq)
	dst = binary.AppendUvarint(dst, uint64(len(msg)))
	for _, f := range msg {
		dst = binary.AppendUvarint(dst, uint64(len(f)))
	}
	return dst
}

// RecordError describes a swap record that does not decode. It wraps
// ErrCorruptRecord.
type RecordError struct {
	Reason string
}

func (e *RecordError) Error() string { return "queue: corrupt swap record: " + e.Reason }

func (e *RecordError) Unwrap() error { return ErrCorruptRecord }

func recordErr(format string, args ...any) error {
	return &RecordError{Reason: fmt.Sprintf(format, args...)}
}

// decodeRecord rebuilds a message from a record. The frames share one new
// buffer (rec is copied: it may be a view of a mapping that goes away),
// each capped so that appending to one frame cannot overwrite the next.
func decodeRecord(rec []byte) (seq uint64, msg [][]byte, err error) {
	seq, k := binary.Uvarint(rec)
	if k <= 0 {
		return 0, nil, recordErr("bad sequence number")
	}
	rec = rec[k:]
	count, k := binary.Uvarint(rec)
	if k <= 0 {
		return 0, nil, recordErr("bad frame count")
	}
	rest := rec[k:]
	// Every frame needs at least one length byte: a count larger than
	// what is left is a lie, caught before allocating for it.
	if count > uint64(len(rest)) {
		return 0, nil, recordErr("frame count %d exceeds record", count)
	}
	lens := rest
	var total uint64
	for i := uint64(0); i < count; i++ {
		l, k := binary.Uvarint(lens)
		if k <= 0 {
			return 0, nil, recordErr("bad length of frame %d", i)
		}
		lens = lens[k:]
		total += l
		if l > uint64(len(rest)) || total > uint64(len(rest)) {
			return 0, nil, recordErr("frame %d overruns record", i)
		}
	}
	if total != uint64(len(lens)) {
		return 0, nil, recordErr("frames hold %d bytes, record has %d", total, len(lens))
	}
	body := make([]byte, len(lens))
	copy(body, lens)
	msg = make([][]byte, count)
	for i := range msg {
		l, k := binary.Uvarint(rest)
		rest = rest[k:]
		msg[i] = body[:l:l]
		body = body[l:]
	}
	return seq, msg, nil
}
