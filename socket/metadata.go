package socket

import (
	"iter"
	"net"
	"strings"

	"github.com/purezmq/purezmq/zmtp"
)

// Property names a received message answers (see Msg.Property), as libzmq's
// zmq_msg_gets spells them.
const (
	PropSocketType  = "Socket-Type"  // the peer's socket type, from its READY
	PropIdentity    = "Identity"     // the peer's identity, when it sent one
	PropRoutingID   = "Routing-Id"   // same as Identity (libzmq's newer name)
	PropUserID      = "User-Id"      // the authenticated user, when there is one
	PropPeerAddress = "Peer-Address" // the peer's IP address (tcp)
)

// Metadata is what a connection's handshake established about its peer:
// the properties its READY or INITIATE carried, what authentication added
// and where it connected from. It is made once per connection and never
// changes, so every message received over that connection shares it (no
// allocation per message). Names compare case-insensitively; when a name
// occurs twice, what the socket established (Peer-Address, then User-Id and
// the authenticator's properties) wins over what the peer claimed.
type Metadata struct {
	props []prop
}

type prop struct{ name, value string }

// Get returns the value of the property name (any case).
func (md *Metadata) Get(name string) (string, bool) {
	if md == nil {
		return "", false
	}
	for i := range md.props {
		if strings.EqualFold(md.props[i].name, name) {
			return md.props[i].value, true
		}
	}
	if strings.EqualFold(name, PropRoutingID) {
		// The READY property is called Identity; libzmq answers both.
		return md.Get(PropIdentity)
	}
	return "", false
}

// All yields every property, first occurrence of each name only, in the
// order Get consults them.
func (md *Metadata) All() iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		if md == nil {
			return
		}
		for i, p := range md.props {
			if md.shadowed(i) {
				continue
			}
			if !yield(p.name, p.value) {
				return
			}
		}
	}
}

// shadowed reports whether an earlier property has the name of property i.
func (md *Metadata) shadowed(i int) bool {
	for j := 0; j < i; j++ {
		if strings.EqualFold(md.props[j].name, md.props[i].name) {
			return true
		}
	}
	return false
}

// Len returns the number of distinct properties.
func (md *Metadata) Len() int {
	n := 0
	for range md.All() {
		n++
	}
	return n
}

// connInfo is what a connection's handshake told the socket about the peer,
// gathered once after it succeeded and turned into the Metadata its messages
// carry.
type connInfo struct {
	PeerAddress string        // as libzmq gives Peer-Address (see peerAddress, unixPeerAddress)
	UserID      string        // the authenticated user ("" for none): User-Id
	AuthProps   zmtp.Metadata // properties the authenticator (ZAP) added
	Props       zmtp.Metadata // the peer's READY/INITIATE properties
}

// newConnInfo reads a finished handshake. User-Id comes from the
// mechanism's authentication (zmtp.Conn.UserID: what the ZAP handler or
// authenticate function returned), AuthProps from the ZAP reply's metadata
// (zmtp.Conn.AuthMetadata).
func newConnInfo(zc *zmtp.Conn) connInfo {
	ci := connInfo{UserID: zc.UserID(), AuthProps: zc.AuthMetadata(), Props: zc.PeerMetadata()}
	if _, ok := ci.Props.Lookup(PropSocketType); !ok && zc.PeerSocketType() != "" {
		// A ZMTP 2.0 peer names its type in the greeting, not in metadata.
		ci.Props = append(ci.Props[:len(ci.Props):len(ci.Props)], zmtp.Property{Name: PropSocketType, Value: []byte(zc.PeerSocketType())})
	}
	nc := zc.NetConn()
	ci.PeerAddress = peerAddress(nc.RemoteAddr())
	if uc, ok := nc.(*net.UnixConn); ok {
		ci.PeerAddress = unixPeerAddress(uc)
	}
	return ci
}

// peerAddress is libzmq's Peer-Address: the numeric IP without the port
// (IPv6 without brackets, with its zone if any); "" when there is none.
func peerAddress(a net.Addr) string {
	ta, ok := a.(*net.TCPAddr)
	if !ok || ta == nil || ta.IP == nil {
		return ""
	}
	s := ta.IP.String()
	if ta.Zone != "" {
		s += "%" + ta.Zone
	}
	return s
}

// metadata makes the immutable Metadata the connection's messages share.
func (ci connInfo) metadata() *Metadata {
	md := &Metadata{props: make([]prop, 0, 2+len(ci.AuthProps)+len(ci.Props))}
	if ci.PeerAddress != "" {
		md.props = append(md.props, prop{PropPeerAddress, ci.PeerAddress})
	}
	if ci.UserID != "" {
		md.props = append(md.props, prop{PropUserID, ci.UserID})
	}
	for _, p := range ci.AuthProps {
		md.props = append(md.props, prop{p.Name, string(p.Value)})
	}
	for _, p := range ci.Props {
		md.props = append(md.props, prop{p.Name, string(p.Value)})
	}
	return md
}

// inprocMetadata is what an inproc peer's messages carry: the other
// socket's type and identity, as a handshake would have told them (libzmq
// attaches nothing to inproc messages; answering these is harmless).
func inprocMetadata(peerType string, identity []byte) *Metadata {
	md := &Metadata{props: []prop{{PropSocketType, peerType}}}
	if len(identity) > 0 {
		md.props = append(md.props, prop{PropIdentity, string(identity)})
	}
	return md
}
