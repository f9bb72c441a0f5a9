package auth

import (
	"strconv"

	"github.com/purezmq/purezmq/zmtp"
)

// The codec works on the frames of one ZAP message without the address
// envelope: what a REQ or REP socket sends and receives. A DEALER or ROUTER
// user adds or strips the empty delimiter (and routing ids) itself.

// Frame counts: version, request id, domain, address, identity, mechanism;
// and version, request id, status code, status text, user id, metadata.
const (
	requestFixedFrames = 6
	replyFrames        = 6
)

// credentialFrames is how many credential frames each known mechanism sends.
var credentialFrames = map[string]int{"NULL": 0, "PLAIN": 2, "CURVE": 1, "GSSAPI": 1}

func badRequest(frame int, reason string) error {
	return &MalformedError{Frame: frame, Reason: reason}
}

func badReply(frame int, reason string, err error) error {
	return &MalformedError{Reply: true, Frame: frame, Reason: reason, Err: err}
}

// checkRequest validates r as RFC 27 describes it and reports the first
// violation with the frame it would occupy.
func checkRequest(r *Request) error {
	switch {
	case len(r.Domain) > maxString:
		return badRequest(2, "domain longer than 255 bytes")
	case len(r.Address) > maxString:
		return badRequest(3, "address longer than 255 bytes")
	case len(r.Identity) > maxString:
		return badRequest(4, "identity longer than 255 bytes")
	case r.Mechanism == "" || len(r.Mechanism) > maxString || !ascii(r.Mechanism):
		return badRequest(5, "mechanism must be 1-255 ASCII characters")
	}
	if want, known := credentialFrames[r.Mechanism]; known && len(r.Credentials) != want {
		return badRequest(-1, r.Mechanism+" takes "+strconv.Itoa(want)+" credential frames, got "+strconv.Itoa(len(r.Credentials)))
	}
	switch r.Mechanism {
	case "PLAIN":
		for i, c := range r.Credentials {
			if len(c) > maxString {
				return badRequest(6+i, "PLAIN user name or password longer than 255 bytes")
			}
		}
	case "CURVE":
		if len(r.Credentials[0]) != 32 {
			return badRequest(6, "CURVE key is not 32 bytes")
		}
	}
	return nil
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// AppendRequest appends the frames of r to frames (no envelope) after
// checking it as ParseRequest would. The frames alias r's byte slices.
func AppendRequest(frames [][]byte, r *Request) ([][]byte, error) {
	if err := checkRequest(r); err != nil {
		return frames, err
	}
	frames = append(frames, []byte(Version), r.RequestID, []byte(r.Domain),
		[]byte(r.Address), r.Identity, []byte(r.Mechanism))
	return append(frames, r.Credentials...), nil
}

// ParseRequest decodes a ZAP request from its frames (no envelope). The
// request copies what it keeps, so frames may be reused afterwards. A wrong
// version, a field over RFC 27's bounds, or a credential count or size wrong
// for NULL, PLAIN or CURVE is a *MalformedError.
func ParseRequest(frames [][]byte) (*Request, error) {
	if len(frames) < requestFixedFrames {
		return nil, badRequest(-1, "fewer than 6 frames")
	}
	if string(frames[0]) != Version {
		return nil, badRequest(0, "version is not \"1.0\"")
	}
	r := &Request{
		RequestID: clone(frames[1]),
		Domain:    string(frames[2]),
		Address:   string(frames[3]),
		Identity:  clone(frames[4]),
		Mechanism: string(frames[5]),
	}
	for _, c := range frames[requestFixedFrames:] {
		r.Credentials = append(r.Credentials, clone(c))
	}
	if err := checkRequest(r); err != nil {
		return nil, err
	}
	return r, nil
}

func clone(b []byte) []byte { return append([]byte{}, b...) }

// AppendReply appends the frames of r to frames (no envelope). The status
// must be one of the four codes, the strings at most 255 bytes and the
// metadata valid; a non-200 reply is sent with an empty user id and no
// metadata, as RFC 27 requires.
func AppendReply(frames [][]byte, r *Reply) ([][]byte, error) {
	if !r.Status.Valid() {
		return frames, badReply(2, "status "+strconv.Itoa(int(r.Status))+" is not 200, 300, 400 or 500", nil)
	}
	if len(r.StatusText) > maxString {
		return frames, badReply(3, "status text longer than 255 bytes", nil)
	}
	user, meta := []byte(r.UserID), []byte{}
	if r.Status == StatusOK {
		if len(r.UserID) > maxString {
			return frames, badReply(4, "user id longer than 255 bytes", nil)
		}
		var err error
		if meta, err = zmtp.AppendMetadata(meta, r.Metadata); err != nil {
			return frames, badReply(5, "metadata", err)
		}
	} else {
		user = []byte{}
	}
	return append(frames, []byte(Version), r.RequestID, []byte(strconv.Itoa(int(r.Status))),
		[]byte(r.StatusText), user, meta), nil
}

// ParseReply decodes a ZAP reply from its frames (no envelope): exactly six
// frames, version "1.0", a status code of 200, 300, 400 or 500, strings of
// at most 255 bytes and well-formed metadata; anything else is a
// *MalformedError. The reply copies what it keeps. The user id and metadata
// of a non-200 reply are dropped.
func ParseReply(frames [][]byte) (*Reply, error) {
	if len(frames) != replyFrames {
		return nil, badReply(-1, strconv.Itoa(len(frames))+" frames instead of 6", nil)
	}
	if string(frames[0]) != Version {
		return nil, badReply(0, "version is not \"1.0\"", nil)
	}
	code := frames[2]
	if len(code) != 3 || code[1] != '0' || code[2] != '0' {
		return nil, badReply(2, "status code is not 200, 300, 400 or 500", nil)
	}
	st := Status(int(code[0]-'0') * 100)
	if !st.Valid() {
		return nil, badReply(2, "status code is not 200, 300, 400 or 500", nil)
	}
	if len(frames[3]) > maxString {
		return nil, badReply(3, "status text longer than 255 bytes", nil)
	}
	if len(frames[4]) > maxString {
		return nil, badReply(4, "user id longer than 255 bytes", nil)
	}
	r := &Reply{RequestID: clone(frames[1]), Status: st, StatusText: string(frames[3])}
	// The metadata is checked whatever the status: a handler that sends
	// garbage is broken, not merely refusing.
	md, err := zmtp.ParseMetadata(clone(frames[5]))
	if err != nil {
		return nil, badReply(5, "metadata", err)
	}
	if st == StatusOK {
		r.UserID, r.Metadata = string(frames[4]), md
	}
	return r, nil
}
