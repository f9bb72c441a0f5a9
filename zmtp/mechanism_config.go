package zmtp

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// metadataFor builds the metadata we announce. Socket-Type and Identity come
// first and spelled as libzmq expects.
func metadataFor(cfg Config) (Metadata, error) {
	if !ValidSocketType(cfg.SocketType) {
		return nil, fmt.Errorf("%w: %w %q", ErrBadConfig, ErrBadSocketType, cfg.SocketType)
	}
	md := Metadata{{Name: PropSocketType, Value: []byte(strings.ToUpper(cfg.SocketType))}}
	if len(cfg.Identity) > math.MaxUint8 {
		return nil, fmt.Errorf("%w: identity longer than 255 bytes", ErrBadConfig)
	}
	if len(cfg.Identity) > 0 {
		md = append(md, Property{Name: PropIdentity, Value: cfg.Identity})
	}
	names := make([]string, 0, len(cfg.Properties))
	for k := range cfg.Properties {
		names = append(names, k)
	}
	sort.Strings(names) // deterministic bytes on the wire
	for _, k := range names {
		if !ValidPropertyName(k) || strings.EqualFold(k, PropSocketType) || strings.EqualFold(k, PropIdentity) {
			return nil, fmt.Errorf("%w: property name %q", ErrBadConfig, k)
		}
		md = append(md, Property{Name: k, Value: []byte(cfg.Properties[k])})
	}
	return md, nil
}

// NewMechanism builds the mechanism selected by cfg.Security, announcing cfg's
// metadata and checking the peer's socket type.
func NewMechanism(cfg Config) (Mechanism, error) {
	md, err := metadataFor(cfg)
	if err != nil {
		return nil, err
	}
	local := strings.ToUpper(cfg.SocketType)
	check := func(peer Metadata) error {
		t, ok := peer.Lookup(PropSocketType)
		if !ok || !SocketTypesCompatible(local, string(t)) {
			return &IncompatibleSocketTypeError{Local: local, Peer: string(t)}
		}
		if id, ok := peer.Lookup(PropIdentity); ok && len(id) > math.MaxUint8 {
			return fmt.Errorf("%w: identity longer than 255 bytes", ErrMalformedMetadata)
		}
		return nil
	}
	s := cfg.Security
	switch strings.ToUpper(s.Mechanism) {
	case "", "NULL":
		m, err := NewNull(md, check)
		if err != nil {
			return nil, err
		}
		m.(*nullMechanism).zap = newZAPCaller(s)
		return m, nil
	case "PLAIN":
		if s.Server {
			return newPlainServer(s.Authenticate, newZAPCaller(s), md, check)
		}
		return NewPlainClient(s.Username, s.Password, md, check)
	case "CURVE":
		if s.Server {
			m, err := NewCurveServer(s.CurvePublicKey, s.CurveSecretKey, s.Authenticate, md, check)
			if err != nil {
				return nil, err
			}
			m.(*curveMechanism).zap = newZAPCaller(s)
			return m, nil
		}
		return NewCurveClient(s.CurveServerKey, s.CurvePublicKey, s.CurveSecretKey, md, check)
	}
	return nil, fmt.Errorf("%w: %q", ErrUnsupportedMechanism, s.Mechanism)
}
