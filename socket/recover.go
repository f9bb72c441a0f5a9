package socket

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"

	"github.com/purezmq/purezmq/queue"
)

// ErrRecovered is the cause given (in an EventRetained) to a retained peer
// that New brought back from the swap directory.
var ErrRecovered = errors.New("socket: retained backlog recovered from the swap directory")

// ErrSubsCorrupt reports a subscriptions file that failed its checks.
var ErrSubsCorrupt = errors.New("socket: corrupt subscriptions file")

// RecoverError reports a file of the swap directory that New could not
// recover: a damaged or unreadable ring (its backlog stays on disk,
// untouched, and is not delivered) or subscriptions file (the backlog is
// recovered without subscriptions). It is the Err of an
// EventRetentionExpired event and is logged at warning level.
type RecoverError struct {
	Path string
	Key  string // the retention key, when it could be read
	Err  error
}

func (e *RecoverError) Error() string {
	return fmt.Sprintf("socket: recovering %s (key %q): %v", e.Path, e.Key, e.Err)
}

// Unwrap returns the underlying error.
func (e *RecoverError) Unwrap() error { return e.Err }

// recovers reports whether the socket keeps keyed backlogs in its swap
// directory across restarts: swap plus retention by identity.
func (s *Socket) recovers() bool {
	return s.rt != nil && s.budget != nil && s.rt.cfg.KeyBy == KeyIdentity
}

// recoverSwap brings back the keyed backlogs a previous socket left in the
// swap directory, by Close or by dying, as retained peers: attached to the
// socket type (routed to, distributed to with their saved subscriptions)
// but without a connection until their key connects. Only an unreadable
// directory fails New.
func (s *Socket) recoverSwap() error {
	if !s.recovers() {
		return nil
	}
	dir := s.o.swapDir
	cfg := queue.Config{HWM: s.outHWM(), Mute: s.outMute(), Notify: s.sendSig.notify,
		Swap: s.outSwap("recovered")}
	found, err := queue.RecoverDir(dir, cfg)
	if err != nil {
		return fmt.Errorf("socket: recovering swap directory: %w", err)
	}
	rings := make(map[string]bool, len(found))
	for _, rv := range found {
		rings[rv.Path] = true
		if rv.Err != nil {
			s.reportRecovery(&RecoverError{Path: rv.Path, Key: rv.Key, Err: rv.Err})
			continue
		}
		s.adoptRecovered(rv)
	}
	removeOrphanSubs(dir, rings)
	return nil
}

func (s *Socket) reportRecovery(err *RecoverError) {
	s.log.Warn("swap recovery", "path", err.Path, "key", err.Key, "err", err.Err)
	s.emit(Event{Kind: EventRetentionExpired, Peer: err.Key, Err: err})
}

// adoptRecovered makes a parked peer for one recovered backlog.
func (s *Socket) adoptRecovered(rv queue.Recovered) {
	key := rv.Key
	p := &peer{s: s, identity: []byte(key), out: rv.Pipe,
		in: queue.NewInbox(s.o.rcvHWM, s.recvSig.notify)}
	if err := s.attachPeer(p); err != nil {
		// The socket type refused it: leave the backlog on disk.
		_ = p.out.Persist()
		p.in.Close()
		s.reportRecovery(&RecoverError{Path: rv.Path, Key: key, Err: err})
		return
	}
	if sr, ok := s.h.(subReceiver); ok {
		topics, err := loadSubs(subsPath(rv.Path))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			s.reportRecovery(&RecoverError{Path: subsPath(rv.Path), Key: key, Err: err})
		}
		for _, t := range topics {
			sr.onSubscribe(p, t, true)
		}
	}
	rt := s.rt
	rt.mu.Lock()
	rt.parked[p.out] = p
	rt.mu.Unlock()
	if err := rt.r.Park(key, p.out, nil); err == nil {
		s.emit(Event{Kind: EventRetained, Peer: key, Err: ErrRecovered})
	}
}

// persistBacklogs leaves the backlog of every keyed outbound pipe in its
// ring file when the socket closes (their writers have ended), for the
// next socket on the same swap directory to recover; without this the
// retention's shutdown would discard them.
func (s *Socket) persistBacklogs(peers []*peer) {
	if !s.recovers() {
		return
	}
	for _, p := range peers {
		if p.remote != nil || p.out.Key() == "" {
			continue
		}
		if err := p.out.Persist(); err != nil {
			s.log.Warn("swap persist", "peer", p.out.Key(), "err", err)
		}
	}
}

// Subscriptions of a retained PUB/XPUB peer live beside its ring in
// "<ring>.subs", rewritten (through a temporary file and a rename) on each
// subscription change of a keyed peer, so that a recovered backlog keeps
// collecting the messages its subscriber asked for until it returns:
//
//	"PZS1" | count uint32 | count × (length uint32 | topic) | CRC-32C uint32
//
// integers little endian, the checksum over everything before it.
const subsSuffix = ".subs"

var subsMagic = []byte("PZS1")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func subsPath(ring string) string { return ring + subsSuffix }

// savesSubs reports whether p's subscriptions are written to disk.
func (s *Socket) savesSubs(p *peer) bool {
	return s.recovers() && (s.typ == Pub || s.typ == XPub) && p.remote == nil && p.out.Key() != ""
}

// saveSubs writes p's current subscriptions beside its ring.
func (s *Socket) saveSubs(p *peer) {
	var d *distributor
	switch h := s.h.(type) {
	case *pubSocket:
		d = &h.d
	case *xpubSocket:
		d = &h.d
	default:
		return
	}
	d.mu.Lock()
	topics := make([]string, 0, len(p.subs))
	for t := range p.subs {
		topics = append(topics, t)
	}
	d.mu.Unlock()
	path := subsPath(queue.RingPath(s.o.swapDir, p.out.Key()))
	if err := writeSubs(path, topics); err != nil {
		s.log.Warn("saving subscriptions", "path", path, "err", err)
	}
}

func encodeSubs(topics []string) []byte {
	b := append([]byte(nil), subsMagic...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(topics)))
	for _, t := range topics {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(t)))
		b = append(b, t...)
	}
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

func decodeSubs(b []byte) ([][]byte, error) {
	if len(b) < len(subsMagic)+8 || !bytes.Equal(b[:len(subsMagic)], subsMagic) {
		return nil, ErrSubsCorrupt
	}
	body, sum := b[:len(b)-4], binary.LittleEndian.Uint32(b[len(b)-4:])
	if crc32.Checksum(body, castagnoli) != sum {
		return nil, ErrSubsCorrupt
	}
	r := body[len(subsMagic):]
	n := binary.LittleEndian.Uint32(r)
	r = r[4:]
	var topics [][]byte
	for i := uint32(0); i < n; i++ {
		if len(r) < 4 {
			return nil, ErrSubsCorrupt
		}
		l := binary.LittleEndian.Uint32(r)
		r = r[4:]
		if uint64(l) > uint64(len(r)) {
			return nil, ErrSubsCorrupt
		}
		topics = append(topics, append([]byte(nil), r[:l]...))
		r = r[l:]
	}
	if len(r) != 0 {
		return nil, ErrSubsCorrupt
	}
	return topics, nil
}

func writeSubs(path string, topics []string) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".subs-*")
	if err != nil {
		return err
	}
	_, werr := f.Write(encodeSubs(topics))
	if err := errors.Join(werr, f.Close()); err != nil {
		_ = os.Remove(f.Name())
		return err
	}
	return os.Rename(f.Name(), path)
}

func loadSubs(path string) ([][]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return decodeSubs(b)
}

// removeOrphanSubs deletes subscriptions files whose ring is gone (drained,
// discarded or never made), and temporary files of interrupted saves.
func removeOrphanSubs(dir string, rings map[string]bool) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, de := range ents {
		name := de.Name()
		path := filepath.Join(dir, name)
		switch {
		case strings.HasPrefix(name, ".subs-"):
			_ = os.Remove(path)
		case strings.HasSuffix(name, subsSuffix):
			if !rings[strings.TrimSuffix(path, subsSuffix)] {
				_ = os.Remove(path)
			}
		}
	}
}
