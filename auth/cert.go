package auth

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/purezmq/purezmq/zmtp"
)

// SecretSuffix is appended to a certificate's file name for the file that
// also holds the secret key (CZMQ's zcert_save and pyzmq's
// create_certificates: "name.key" and "name.key_secret").
const SecretSuffix = "_secret"

// Certificate is a CURVE key pair, or only its public key, with the metadata
// a certificate file carries (CZMQ zcert format).
type Certificate struct {
	Public [32]byte
	// Secret is the secret key; all zero when only the public part is known.
	Secret [32]byte
	// Metadata are the certificate's "metadata" entries, in file order. An
	// Authenticator returns them in its ZAP reply for this key.
	Metadata zmtp.Metadata
}

// NewCertificate returns a certificate with a new key pair.
func NewCertificate() (*Certificate, error) {
	pub, sec, err := zmtp.GenerateCurveKeypair()
	if err != nil {
		return nil, err
	}
	return &Certificate{Public: pub, Secret: sec}, nil
}

// HasSecret reports whether the certificate holds a secret key.
func (c *Certificate) HasSecret() bool { return c.Secret != [32]byte{} }

// PublicZ85 is the public key as 40 characters of Z85.
func (c *Certificate) PublicZ85() string { return zmtp.CurveKeyZ85(c.Public) }

// SecretZ85 is the secret key as Z85, or "" when there is none.
func (c *Certificate) SecretZ85() string {
	if !c.HasSecret() {
		return ""
	}
	return zmtp.CurveKeyZ85(c.Secret)
}

// ParseKey reads a CURVE key given as 40 characters of Z85 (libzmq's option
// text, also with the trailing NUL of zmq_curve_keypair's 41-byte buffer) or
// as the raw 32 bytes.
func ParseKey(b []byte) ([32]byte, error) {
	var key [32]byte
	switch {
	case len(b) == 32:
		copy(key[:], b)
		return key, nil
	case len(b) == 41 && b[40] == 0:
		b = b[:40]
	}
	if len(b) != 40 {
		return key, fmt.Errorf("%w: %d bytes is neither 32 raw bytes nor 40 characters of Z85", ErrKey, len(b))
	}
	key, err := zmtp.ParseCurveKeyZ85(string(b))
	if err != nil {
		return key, fmt.Errorf("%w: %w", ErrKey, err)
	}
	return key, nil
}

// ParseCertificate reads a certificate file's content; file names it in
// errors. Syntax errors are *SyntaxError (ErrCertSyntax) with the line; a
// missing or undecodable key is ErrCert. A secret key must match the public
// key.
func ParseCertificate(file string, data []byte) (*Certificate, error) {
	root, err := parseZPL(file, data, ErrCertSyntax)
	if err != nil {
		return nil, err
	}
	c := &Certificate{}
	curve := root.child("curve")
	if curve == nil {
		return nil, fmt.Errorf("%w: %s has no curve section", ErrCert, file)
	}
	pub := curve.child("public-key")
	if pub == nil {
		return nil, fmt.Errorf("%w: %s has no curve/public-key", ErrCert, file)
	}
	if c.Public, err = ParseKey([]byte(pub.value)); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", file, pub.line, err)
	}
	if sec := curve.child("secret-key"); sec != nil {
		if c.Secret, err = ParseKey([]byte(sec.value)); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", file, sec.line, err)
		}
		derived, err := zmtp.CurvePublicKey(c.Secret)
		if err != nil || derived != c.Public {
			return nil, fmt.Errorf("%w: %s:%d: secret key does not belong to the public key", ErrCert, file, sec.line)
		}
	}
	if md := root.child("metadata"); md != nil {
		for _, e := range md.children {
			c.Metadata = append(c.Metadata, zmtp.Property{Name: e.name, Value: []byte(e.value)})
		}
	}
	return c, nil
}

// LoadCertificate reads a certificate file (public, or the "_secret" one).
func LoadCertificate(path string) (*Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseCertificate(path, data)
}

// MarshalPublic returns the public certificate file's content: metadata and
// public key, no secret.
func (c *Certificate) MarshalPublic() ([]byte, error) { return c.marshal(false) }

// MarshalSecret returns the secret certificate file's content: metadata and
// both keys. It fails for a certificate without a secret.
func (c *Certificate) MarshalSecret() ([]byte, error) {
	if !c.HasSecret() {
		return nil, fmt.Errorf("%w: no secret key", ErrCert)
	}
	return c.marshal(true)
}

func (c *Certificate) marshal(secret bool) ([]byte, error) {
	var b bytes.Buffer
	if secret {
		b.WriteString("#   ZeroMQ CURVE **Secret** Certificate, written by purezmq\n" +
			"#   Keep this file private: whoever reads it can act as its owner.\n\n")
	} else {
		b.WriteString("#   ZeroMQ CURVE Public Certificate, written by purezmq\n" +
			"#   Give it to peers over a channel you trust, or check its key after copying.\n\n")
	}
	b.WriteString("metadata\n")
	for _, p := range c.Metadata {
		q, ok := zplQuote(string(p.Value))
		if p.Name == "" || strings.IndexFunc(p.Name, func(r rune) bool { return r > 0x7f || !zplNameChar(byte(r)) }) >= 0 || !ok {
			return nil, fmt.Errorf("%w: metadata %q cannot be written in a certificate file", ErrCert, p.Name)
		}
		fmt.Fprintf(&b, "    %s = %s\n", p.Name, q)
	}
	b.WriteString("curve\n")
	fmt.Fprintf(&b, "    public-key = \"%s\"\n", c.PublicZ85())
	if secret {
		fmt.Fprintf(&b, "    secret-key = \"%s\"\n", c.SecretZ85())
	}
	return b.Bytes(), nil
}

// Save writes the public certificate to path and, if the certificate has a
// secret key, the secret one to path+"_secret" with mode 0600: the pair CZMQ
// and pyzmq write ("name.key", "name.key_secret"). Each file is written to a
// temporary name and renamed, so a reader never sees half a key and an
// existing secret file's looser mode is not inherited.
func (c *Certificate) Save(path string) error {
	pub, err := c.MarshalPublic()
	if err != nil {
		return err
	}
	if err := writeAtomic(path, pub, 0o644); err != nil {
		return err
	}
	if !c.HasSecret() {
		return nil
	}
	sec, err := c.MarshalSecret()
	if err != nil {
		return err
	}
	return writeAtomic(path+SecretSuffix, sec, 0o600)
}

func writeAtomic(path string, data []byte, mode os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*") // created 0600
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(mode)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// LoadCertificates reads the public certificates of a directory, as CZMQ's
// zcertstore does: every regular file except hidden ones and those whose
// name ends in "_secret". One bad file fails the whole load (its error names
// the file and line), so a directory is never half trusted.
func LoadCertificates(dir string) ([]*Certificate, error) {
	entries, err := os.ReadDir(dir) // sorted by name
	if err != nil {
		return nil, err
	}
	var certs []*Certificate
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || strings.HasPrefix(name, ".") || strings.HasSuffix(name, SecretSuffix) {
			continue
		}
		c, err := LoadCertificate(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		certs = append(certs, c)
	}
	return certs, nil
}
