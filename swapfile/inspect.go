package swapfile

import (
	"fmt"
	"os"
	"strings"
)

// Info describes a ring file as Open would recover it. Inspect fills it in
// without modifying the file.
type Info struct {
	Path     string
	FileSize int64 // bytes on disk; less than 4096+Capacity if truncated
	Capacity int64 // data area bytes

	// The header as last written.
	Generation    uint64
	Slot          int // header slot (0 or 1) holding it
	HeaderHead    int64
	HeaderTail    int64
	HeaderUsed    int64
	HeaderRecords int

	// The ring as recovered: what Open would present.
	Head    int64
	Tail    int64
	Used    int64
	Records int
	HeadSeq uint64 // sequence number of the front record
	NextSeq uint64 // sequence number of the next record appended

	Recovery Recovery // Beyond, DiscardedBytes and Reason as Open would report
}

// Inspect reads the ring file at path without modifying or locking it and
// reports its header and what recovery would keep. It fails with a
// *HeaderError if neither header slot is valid. On a ring that is open for
// writing it reports a possibly inconsistent snapshot.
func Inspect(path string) (Info, error) {
	f, err := os.Open(path)
	if err != nil {
		return Info{}, fmt.Errorf("swapfile: inspect: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Info{}, fmt.Errorf("swapfile: inspect: %w", err)
	}
	h, slot, err := readHeader(f, path)
	if err != nil {
		return Info{}, err
	}
	// pread, not mmap: the file may be shorter than its header says, and
	// a mapped page past the end of the file faults instead of reading
	// zeros.
	res, err := scan(fileReader{f}, h)
	if err != nil {
		return Info{}, scanError(err, path)
	}
	return Info{
		Path: path, FileSize: fi.Size(), Capacity: h.capacity,
		Generation: h.gen, Slot: slot,
		HeaderHead: h.head, HeaderTail: h.tail, HeaderUsed: h.used, HeaderRecords: int(h.count),
		Head: res.head, Tail: res.tail, Used: res.used, Records: int(res.count),
		HeadSeq: res.headSeq, NextSeq: res.nextSeq,
		Recovery: res.rec,
	}, nil
}

// String renders Info as "key: value" lines for humans (purezmq swap
// inspect).
func (i Info) String() string {
	var b strings.Builder
	line := func(k string, format string, args ...any) {
		fmt.Fprintf(&b, "%-15s "+format+"\n", append([]any{k + ":"}, args...)...)
	}
	line("path", "%s", i.Path)
	line("capacity", "%d bytes (file %d bytes)", i.Capacity, i.FileSize)
	if want := headerAreaSize + i.Capacity; i.FileSize < want {
		line("truncated", "%d bytes missing", want-i.FileSize)
	}
	pct := 0.0
	if i.Capacity > 0 {
		pct = 100 * float64(i.Used) / float64(i.Capacity)
	}
	line("records", "%d", i.Records)
	line("used", "%d bytes (%.1f%%), free %d bytes", i.Used, pct, i.Capacity-i.Used)
	line("head", "offset %d, seq %d", i.Head, i.HeadSeq)
	line("tail", "offset %d, next seq %d", i.Tail, i.NextSeq)
	line("header", "generation %d in slot %d: head %d tail %d used %d records %d",
		i.Generation, i.Slot, i.HeaderHead, i.HeaderTail, i.HeaderUsed, i.HeaderRecords)
	line("beyond header", "%d records", i.Recovery.Beyond)
	line("discarded", "%d bytes", i.Recovery.DiscardedBytes)
	if i.Recovery.Reason != "" {
		line("recovery", "%s", i.Recovery.Reason)
	}
	return b.String()
}
