package queue

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
)

// Ring file names in a swap directory:
//
//	a-<random>.ring   anonymous pipe; meaningless after its process ends
//	k-<base32>.ring   keyed pipe, the key in lower-case unpadded base32hex
//	h-<sha256>.ring   keyed pipe whose key is too long for a file name,
//	h-<sha256>.key    with the key itself beside it
//	<ring name>.ack   a write-through ring's last committed sequence number
//
// base32hex keeps names portable to case-insensitive file systems and any
// key bytes (identities are binary) out of the path syntax.
const (
	anonPrefix   = "a-"
	keyPrefix    = "k-"
	hashPrefix   = "h-"
	ringSuffix   = ".ring"
	keySuffix    = ".key"
	ackSuffix    = ".ack"
	maxNameBytes = 200 // well under the 255 of common file systems
)

var keyEncoding = base32.HexEncoding.WithPadding(base32.NoPadding)

// ringBase returns the file name (without suffix) for key, and whether it
// is the hashed form, which needs a .key file.
func ringBase(key string) (string, bool) {
	enc := keyEncoding.EncodeToString([]byte(key))
	if len(keyPrefix)+len(enc)+len(ringSuffix)+len(ackSuffix) <= maxNameBytes {
		return keyPrefix + strings.ToLower(enc), false
	}
	sum := sha256.Sum256([]byte(key))
	return hashPrefix + hex.EncodeToString(sum[:]), true
}

// RingPath returns the file a keyed pipe's swap lives in under dir.
func RingPath(dir, key string) string {
	base, _ := ringBase(key)
	return filepath.Join(dir, base+ringSuffix)
}

func anonPath(dir string) string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // crypto/rand never fails on supported systems
	return filepath.Join(dir, anonPrefix+hex.EncodeToString(b[:])+ringSuffix)
}

// keyFromName decodes the key of a k- ring file name.
func keyFromName(base string) (string, error) {
	b, err := keyEncoding.DecodeString(strings.ToUpper(strings.TrimPrefix(base, keyPrefix)))
	if err != nil {
		return "", fmt.Errorf("queue: ring name %q: %w", base, err)
	}
	return string(b), nil
}

// DirError reports an unusable swap directory. It matches both ErrSwapDir
// and the underlying error with errors.Is.
type DirError struct {
	Dir string
	Err error
}

func (e *DirError) Error() string { return fmt.Sprintf("queue: swap directory %s: %v", e.Dir, e.Err) }

func (e *DirError) Unwrap() []error { return []error{ErrSwapDir, e.Err} }

// CheckDir verifies that dir exists, is a directory and that files can be
// created, written and removed in it, so a swap option can fail when it
// is set rather than at the first overflow.
func CheckDir(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return &DirError{dir, err}
	}
	if !fi.IsDir() {
		return &DirError{dir, errors.New("not a directory")}
	}
	f, err := os.CreateTemp(dir, ".purezmq-check-*")
	if err != nil {
		return &DirError{dir, err}
	}
	name := f.Name()
	_, werr := f.Write([]byte("purezmq"))
	cerr := f.Close()
	rerr := os.Remove(name)
	if err := errors.Join(werr, cerr, rerr); err != nil {
		return &DirError{dir, err}
	}
	return nil
}

// ackFile holds a write-through ring's last committed sequence number: 8
// bytes little endian and a CRC-32C of them, rewritten in place by each
// Commit. The ring's own head is written lazily, so after a crash it can
// bring back records already popped; the ack file tells which of those
// were committed and must not be delivered again. A write of 12 bytes at
// offset 0 does not straddle a page, and the checksum catches the
// unlikely torn one (the ack then counts as absent: at-least-once).
type ackFile struct {
	f   *os.File
	buf [12]byte
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func createAck(path string) (*ackFile, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	return &ackFile{f: f}, nil
}

func (a *ackFile) write(seq uint64) error {
	binary.LittleEndian.PutUint64(a.buf[:8], seq)
	binary.LittleEndian.PutUint32(a.buf[8:], crc32.Checksum(a.buf[:8], castagnoli))
	_, err := a.f.WriteAt(a.buf[:], 0)
	return err
}

func (a *ackFile) close() { _ = a.f.Close() }

func (a *ackFile) remove() {
	_ = a.f.Close()
	_ = os.Remove(a.f.Name())
}

// readAck returns the sequence number in an ack file, 0 if there is none
// or it is damaged.
func readAck(path string) uint64 {
	b, err := os.ReadFile(path)
	if err != nil || len(b) < 12 {
		return 0
	}
	if crc32.Checksum(b[:8], castagnoli) != binary.LittleEndian.Uint32(b[8:12]) {
		return 0
	}
	return binary.LittleEndian.Uint64(b[:8])
}
