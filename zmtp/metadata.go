package zmtp

import (
	"encoding/binary"
	"math"
	"strings"
)

// Property names defined by RFC 37, spelled exactly as libzmq expects them:
// libzmq compares these names case-sensitively, so they must be emitted so.
const (
	PropSocketType = "Socket-Type"
	PropIdentity   = "Identity"
	PropResource   = "Resource"
	PropUserID     = "User-Id"
)

// MaxPropertyValue is the largest property value RFC 37 allows (2^31-1).
const MaxPropertyValue = math.MaxInt32

// Property is one metadata name/value pair.
type Property struct {
	Name  string
	Value []byte
}

// Metadata is an ordered list of properties as sent in READY or INITIATE.
// Names compare case-insensitively, as RFC 37 requires.
type Metadata []Property

// Lookup returns the value of the first property called name (any case).
func (m Metadata) Lookup(name string) ([]byte, bool) {
	for _, p := range m {
		if strings.EqualFold(p.Name, name) {
			return p.Value, true
		}
	}
	return nil, false
}

// Get returns the value of the property called name (any case) as a string,
// or "" if there is none.
func (m Metadata) Get(name string) string {
	v, _ := m.Lookup(name)
	return string(v)
}

// ValidPropertyName reports whether name is 1-255 characters from the RFC 37
// set: letters, digits and "-_.+".
func ValidPropertyName(name string) bool {
	if len(name) == 0 || len(name) > math.MaxUint8 {
		return false
	}
	for i := 0; i < len(name); i++ {
		if !nameChar(name[i]) {
			return false
		}
	}
	return true
}

func nameChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
		c == '-', c == '_', c == '.', c == '+':
		return true
	}
	return false
}

// AppendProperty appends one encoded property.
func AppendProperty(dst []byte, name string, value []byte) ([]byte, error) {
	if !ValidPropertyName(name) || int64(len(value)) > MaxPropertyValue {
		return dst, ErrMalformedMetadata
	}
	dst = append(dst, byte(len(name)))
	dst = append(dst, name...)
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(value)))
	return append(dst, value...), nil
}

// AppendMetadata appends every property of m in order.
func AppendMetadata(dst []byte, m Metadata) ([]byte, error) {
	var err error
	for _, p := range m {
		if dst, err = AppendProperty(dst, p.Name, p.Value); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

// ParseMetadata decodes a metadata block that fills b exactly (the rest of a
// READY or INITIATE body). Values alias b. A length that runs past the end of
// b, an empty or badly spelled name and a value over 2^31-1 bytes are
// ErrMalformedMetadata; nothing is allocated beyond the returned slice.
func ParseMetadata(b []byte) (Metadata, error) {
	var m Metadata
	for len(b) > 0 {
		nlen := int(b[0])
		if nlen == 0 || len(b) < 1+nlen+4 {
			return nil, ErrMalformedMetadata
		}
		name := b[1 : 1+nlen]
		for _, c := range name {
			if !nameChar(c) {
				return nil, ErrMalformedMetadata
			}
		}
		vlen := binary.BigEndian.Uint32(b[1+nlen:])
		rest := b[1+nlen+4:]
		if vlen > MaxPropertyValue || uint64(vlen) > uint64(len(rest)) {
			return nil, ErrMalformedMetadata
		}
		m = append(m, Property{Name: internName(name), Value: rest[:vlen:vlen]})
		b = rest[vlen:]
	}
	return m, nil
}

// internName avoids an allocation for the property names every peer sends.
func internName(b []byte) string {
	switch string(b) {
	case PropSocketType:
		return PropSocketType
	case PropIdentity:
		return PropIdentity
	}
	return string(b)
}
