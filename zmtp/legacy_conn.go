package zmtp

import (
	"errors"
	"fmt"
	"strings"
)

// A Conn speaks ZMTP 1.0 or 2.0 once the handshake found (or was told to
// announce) an older version: FrameReader and FrameWriter switch framing
// through their legacy field, so the ZMTP 3 paths pay one predictable
// branch per frame and nothing else. A legacy connection has no commands:
// subscriptions travel as messages (\x01topic, \x00topic), there is no
// PING, and no security mechanism but NULL (RFC 23: a peer that requires
// one MUST close the connection on meeting an older peer).

// ErrLegacyNoCommand is returned when a command (PING, SUBSCRIBE sent as a
// command, ...) is written on a ZMTP 1.0 or 2.0 connection, which has none.
// The connection stays usable.
var ErrLegacyNoCommand = errors.New("zmtp: ZMTP 1.0/2.0 connections carry no commands")

// Legacy returns the older framing the connection runs in (ZMTP10 or ZMTP20),
// or 0 for ZMTP 3.x.
func (c *Conn) Legacy() LegacyVersion { return c.legacy }

// readLegacyHeader is ReadHeader for ZMTP 1.0/2.0 framing. The header is
// peeked a byte at a time until it parses, so a huge length is refused as
// soon as its octets are in, before the flags or body arrive.
func (fr *FrameReader) readLegacyHeader() (FrameHeader, error) {
	for want := 1; ; want++ {
		b, err := fr.br.Peek(want)
		if err != nil {
			return FrameHeader{}, eofErr(err, len(b))
		}
		h, n, err := ParseLegacyFrameHeader(b, fr.legacy, fr.MaxFrameSize)
		if err == nil {
			_, _ = fr.br.Discard(n) // cannot fail: n bytes are buffered
			return h, nil
		}
		if !errors.Is(err, ErrShort) || want >= legacyMaxHeader {
			return h, err
		}
	}
}

// writeLegacyFrame is WriteFrame in ZMTP 1.0/2.0 framing; only the MORE flag
// exists there.
func (fw *FrameWriter) writeLegacyFrame(flags byte, body []byte) error {
	more := flags&FlagMore != 0
	if len(body) >= directThreshold {
		fw.buf = AppendLegacyFrameHeader(fw.buf, fw.legacy, more, len(body))
		return fw.writeVec(body)
	}
	if len(fw.buf)+legacyMaxHeader+len(body) > fw.size && len(fw.buf) > 0 {
		if err := fw.Flush(); err != nil {
			return err
		}
	}
	fw.buf = AppendLegacyFrame(fw.buf, fw.legacy, more, body)
	return nil
}

// detectsLegacy reports whether the handshake opens with RFC 23's staged
// greeting, which lets a ZMTP 1.0 or 2.0 peer be recognised and answered in
// its own protocol. Only NULL can talk to such peers; a socket that requires
// PLAIN or CURVE (or ZAP, through RefuseLegacy) sends its whole greeting at
// once and refuses them.
func (c *Conn) detectsLegacy() bool {
	return c.cfg.Announce != 0 || (!c.cfg.RefuseLegacy && c.mech.Name() == "NULL")
}

// negotiateVersion runs the version detection of RFC 23 ("Detecting ZMTP 1.0
// and 2.0 Peers"), as libzmq does it: send the 10-octet signature whose
// padding is our identity length + 1 (so a 1.0 peer reads it as the header
// of our identity frame), read the peer's first octets, and only then say
// more. It returns legacy=true when the connection was set up in ZMTP 1.0
// or 2.0, or the number of greeting octets already sent (11) when the peer
// speaks ZMTP 3.x and the normal handshake goes on.
func (c *Conn) negotiateVersion() (sent int, legacy bool, err error) {
	if c.cfg.Announce != 0 && c.mech.Name() != "NULL" {
		return 0, false, fmt.Errorf("%w: %v cannot carry %s security", ErrBadConfig, c.cfg.Announce, c.mech.Name())
	}
	if _, ok := LegacySocketType(c.cfg.SocketType); !ok && c.cfg.Announce != 0 {
		return 0, false, fmt.Errorf("%w: socket type %s did not exist in %v", ErrBadConfig, c.cfg.SocketType, c.cfg.Announce)
	}
	if c.cfg.Announce == ZMTP10 {
		return 0, true, c.greetV1()
	}
	c.queue(AppendLegacySignature(nil, len(c.cfg.Identity)))
	class, err := c.classify(LegacySignatureSize)
	if err != nil {
		return 0, false, err
	}
	if class.Major == 1 && class.Revision < 0 {
		if err := c.legacyTypeOK(); err != nil {
			return 0, false, err
		}
		return 0, true, c.acceptV1Unversioned()
	}
	// A versioned peer: our revision octet (3, or 1 when announcing 2.0),
	// then theirs.
	rev := byte(VersionMajor)
	if c.cfg.Announce == ZMTP20 {
		rev = V2Revision
	}
	c.queue([]byte{rev})
	if class, err = c.classify(LegacySignatureSize + 1); err != nil {
		return 0, false, err
	}
	if class.Major >= VersionMajor && c.cfg.Announce == 0 {
		return LegacySignatureSize + 1, false, nil
	}
	// A 2.0 peer, a 1.0 peer with a signature (revision 0), or a 3.x peer
	// while we announce 2.0 (it downgrades, RFC 23): socket type and
	// identity in ZMTP 2.0 form, then frames in 2.0 framing (1.0 for
	// revision 0, as libzmq does).
	v := ZMTP20
	if class.Major == 1 {
		v = ZMTP10
	}
	return 0, true, c.acceptV2(v)
}

// legacyTypeOK refuses an older peer when our socket type did not exist in
// its protocol (CLIENT, RADIO, ...).
func (c *Conn) legacyTypeOK() error {
	if _, ok := LegacySocketType(c.cfg.SocketType); !ok {
		return &IncompatibleSocketTypeError{Local: strings.ToUpper(c.cfg.SocketType), Peer: "a ZMTP 1.0/2.0 peer"}
	}
	return nil
}

// classify peeks at the peer's first octets until ClassifyPeer decides, or
// until upTo octets were examined (the caller sends more before asking for
// the revision octet, which a peer sends only after our signature).
func (c *Conn) classify(upTo int) (PeerClass, error) {
	for _, k := range [...]int{1, LegacySignatureSize, LegacySignatureSize + 1} {
		if k > upTo {
			break
		}
		b, err := c.fr.br.Peek(k)
		if err != nil {
			return PeerClass{}, eofErr(err, len(b))
		}
		class, err := ClassifyPeer(b)
		if errors.Is(err, ErrShort) {
			continue
		}
		return class, err
	}
	// Signature seen, revision octet not asked for yet.
	return PeerClass{Major: VersionMajor, Revision: -1}, nil
}

// greetV1 announces ZMTP 1.0 as a libzmq 2.x peer does: our identity frame,
// then the peer's, whatever it opened with (a later peer's signature reads
// as the long header of its identity frame, RFC 23).
func (c *Conn) greetV1() error {
	out, err := AppendV1Greeting(nil, c.cfg.Identity)
	if err != nil {
		return err
	}
	c.queue(out)
	if err := c.readLegacyIdentity(ZMTP10); err != nil {
		return err
	}
	// A 2.x publisher sends everything and its subscribers filter; as one,
	// we do the same (subscription messages from the peer add to it).
	c.finishLegacy(ZMTP10, "", true)
	return nil
}

// acceptV1Unversioned continues with a ZMTP 1.0 peer after our signature:
// those 10 octets were the header of our identity frame, whose body follows.
func (c *Conn) acceptV1Unversioned() error {
	if len(c.cfg.Identity) > 0 {
		c.queue(c.cfg.Identity)
	}
	if err := c.readLegacyIdentity(ZMTP10); err != nil {
		return err
	}
	// A ZMTP 1.0 subscriber (libzmq 2.x) filters on its side and never
	// sends subscriptions: a publisher sends it everything (libzmq injects
	// the same implicit subscription).
	c.finishLegacy(ZMTP10, "", true)
	return nil
}

// acceptV2 finishes a ZMTP 2.0 greeting once both revision octets are out:
// our socket type and identity, then the peer's.
func (c *Conn) acceptV2(v LegacyVersion) error {
	if err := c.legacyTypeOK(); err != nil {
		return err
	}
	st, _ := LegacySocketType(c.cfg.SocketType)
	out := AppendLegacyFrame([]byte{st}, v, false, c.cfg.Identity)
	c.queue(out)
	b, err := c.fr.br.Peek(v2GreetingFixed)
	if err != nil {
		return eofErr(err, len(b))
	}
	code := b[v2GreetingFixed-1]
	if int(code) >= len(legacySocketTypes) {
		return fmt.Errorf("%w: ZMTP 2.0 code %d", ErrBadSocketType, code)
	}
	peerType := legacySocketTypes[code]
	_, _ = c.fr.br.Discard(v2GreetingFixed)
	if !SocketTypesCompatible(c.cfg.SocketType, peerType) {
		return &IncompatibleSocketTypeError{Local: strings.ToUpper(c.cfg.SocketType), Peer: peerType}
	}
	if v == ZMTP20 {
		// RFC 15: the identity is a final short frame.
		if b, err = c.fr.br.Peek(1); err != nil {
			return eofErr(err, len(b))
		}
		if b[0] != 0 {
			return fmt.Errorf("%w: ZMTP 2.0 identity frame flags %#x", ErrBadFlags, b[0])
		}
	}
	if err := c.readLegacyIdentity(v); err != nil {
		return err
	}
	c.finishLegacy(v, peerType, false)
	return nil
}

// readLegacyIdentity reads the peer's identity frame in framing v; it is at
// most 255 octets, refused from its length otherwise.
func (c *Conn) readLegacyIdentity(v LegacyVersion) error {
	c.fr.legacy = v
	c.fr.MaxFrameSize = MaxLegacyIdentity
	h, err := c.fr.ReadHeader()
	if err != nil {
		return eofErr(err, 1)
	}
	if h.More() && v == ZMTP20 {
		return fmt.Errorf("%w: multipart ZMTP 2.0 identity", ErrBadFlags)
	}
	id := make([]byte, h.Size)
	if err := c.fr.ReadBody(id); err != nil {
		return err
	}
	if len(id) > 0 {
		c.peerIdentity = id
	}
	return nil
}

// finishLegacy switches the connection to framing v for traffic.
// peerType is the peer's ZMTP 2.0 socket type ("" for ZMTP 1.0);
// sendAll makes a PUB or XPUB treat the peer as subscribed to everything.
func (c *Conn) finishLegacy(v LegacyVersion, peerType string, sendAll bool) {
	c.legacy = v
	c.fr.legacy = v
	c.fr.MaxFrameSize = c.cfg.MaxMessageSize
	c.wmu.Lock()
	c.fw.legacy = v
	c.wmu.Unlock()
	c.peer = Greeting{Major: int(v), Mechanism: "NULL"}
	c.peerType = peerType
	if peerType != "" {
		c.peerMD = Metadata{{Name: PropSocketType, Value: []byte(peerType)}}
	}
	if c.peerIdentity != nil {
		c.peerMD = append(c.peerMD, Property{Name: PropIdentity, Value: c.peerIdentity})
	}
	c.subsAsMsgs = true
	local := strings.ToUpper(c.cfg.SocketType)
	c.convertSubs = local == "PUB" || local == "XPUB"
	c.subscribeAll = sendAll && c.convertSubs
}
