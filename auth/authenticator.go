package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"

	"github.com/purezmq/purezmq/zmtp"
)

// Authenticator is the stock ZAP handler, what pyzmq's ThreadAuthenticator
// and CZMQ's zauth do:
//
//   - IP filtering: if an allow list is set, only its addresses pass; else
//     addresses on the deny list are refused. It applies to every mechanism.
//   - NULL: every client that passes the IP filter is accepted.
//   - PLAIN: the user name and password must be in the domain's table (set
//     directly or loaded from a password file). The user id is the name.
//   - CURVE: the client's key must be allowed one by one, be in the domain's
//     certificate directory, or the domain allows any key. The user id is
//     the key in Z85; a certificate's metadata is returned with it.
//
// Policies belong to a ZAP domain; a request whose domain has no policies
// (or that has no domain) uses those of AnyDomain. When the files behind a
// policy could not be read at the last Reload and the client is not in the
// data kept from before, the answer is 300 (try later) rather than 400.
//
// An Authenticator is safe for concurrent use; it may be reconfigured and
// reloaded while connections authenticate.
type Authenticator struct {
	mu      sync.RWMutex
	allow   []netip.Prefix
	deny    []netip.Prefix
	domains map[string]*policy
}

// policy is what one ZAP domain accepts.
type policy struct {
	passwords     map[string]string // SetPasswords
	passwordFile  string
	filePasswords map[string]string
	passwordStale bool // the last read of passwordFile failed

	curveAny   bool
	curveKeys  map[[32]byte]struct{} // AllowCurveKeys
	certDir    string
	certs      map[[32]byte]zmtp.Metadata
	certsStale bool // the last read of certDir failed
}

// NewAuthenticator returns an Authenticator that accepts NULL clients from
// anywhere and no PLAIN or CURVE client until configured.
func NewAuthenticator() *Authenticator {
	return &Authenticator{domains: make(map[string]*policy)}
}

// ensure returns the policy of domain ("" means AnyDomain), creating it.
// The caller holds a.mu for writing.
func (a *Authenticator) ensure(domain string) *policy {
	if domain == "" {
		domain = AnyDomain
	}
	p := a.domains[domain]
	if p == nil {
		p = &policy{}
		a.domains[domain] = p
	}
	return p
}

// lookup returns the policy for a request's domain, or nil.
func (a *Authenticator) lookup(domain string) *policy {
	if p := a.domains[domain]; p != nil && domain != "" {
		return p
	}
	return a.domains[AnyDomain]
}

// parsePrefixes reads addresses ("192.0.2.1", "::1") and networks
// ("10.0.0.0/8") into prefixes.
func parsePrefixes(addrs []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(addrs))
	for _, s := range addrs {
		if strings.Contains(s, "/") {
			p, err := netip.ParsePrefix(s)
			if err != nil {
				return nil, fmt.Errorf("%w: %q: %w", ErrAddress, s, err)
			}
			out = append(out, p.Masked())
			continue
		}
		ip, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("%w: %q: %w", ErrAddress, s, err)
		}
		ip = ip.Unmap()
		out = append(out, netip.PrefixFrom(ip, ip.BitLen()))
	}
	return out, nil
}

// Allow adds addresses or CIDR networks to the allow list. While the list is
// not empty, only clients from it get in and the deny list is not used.
func (a *Authenticator) Allow(addrs ...string) error {
	ps, err := parsePrefixes(addrs)
	if err != nil {
		return err
	}
	a.mu.Lock()
	a.allow = append(a.allow, ps...)
	a.mu.Unlock()
	return nil
}

// Deny adds addresses or CIDR networks to the deny list.
func (a *Authenticator) Deny(addrs ...string) error {
	ps, err := parsePrefixes(addrs)
	if err != nil {
		return err
	}
	a.mu.Lock()
	a.deny = append(a.deny, ps...)
	a.mu.Unlock()
	return nil
}

// SetPasswords sets the PLAIN users of domain ("" or AnyDomain for the
// default), replacing any set before. The map is copied.
func (a *Authenticator) SetPasswords(domain string, users map[string]string) {
	c := make(map[string]string, len(users))
	for u, p := range users {
		c[u] = p
	}
	a.mu.Lock()
	a.ensure(domain).passwords = c
	a.mu.Unlock()
}

// SetPasswordFile reads PLAIN users of domain from a password file (see
// ParsePasswords) now and again at each Reload.
func (a *Authenticator) SetPasswordFile(domain, path string) error {
	users, err := LoadPasswords(path)
	if err != nil {
		return err
	}
	a.mu.Lock()
	p := a.ensure(domain)
	p.passwordFile, p.filePasswords, p.passwordStale = path, users, false
	a.mu.Unlock()
	return nil
}

// AllowCurveKeys allows CURVE clients with these public keys in domain.
func (a *Authenticator) AllowCurveKeys(domain string, keys ...[32]byte) {
	a.mu.Lock()
	p := a.ensure(domain)
	if p.curveKeys == nil {
		p.curveKeys = make(map[[32]byte]struct{})
	}
	for _, k := range keys {
		p.curveKeys[k] = struct{}{}
	}
	a.mu.Unlock()
}

// AllowAnyCurve lets every CURVE client into domain (libzmq's
// CURVE_ALLOW_ANY): the handshake still proves the client holds its key.
func (a *Authenticator) AllowAnyCurve(domain string) {
	a.mu.Lock()
	a.ensure(domain).curveAny = true
	a.mu.Unlock()
}

// SetCertificateDir allows the CURVE keys of the public certificates in dir
// (see LoadCertificates) in domain, read now and again at each Reload.
func (a *Authenticator) SetCertificateDir(domain, dir string) error {
	certs, err := loadCertMap(dir)
	if err != nil {
		return err
	}
	a.mu.Lock()
	p := a.ensure(domain)
	p.certDir, p.certs, p.certsStale = dir, certs, false
	a.mu.Unlock()
	return nil
}

func loadCertMap(dir string) (map[[32]byte]zmtp.Metadata, error) {
	certs, err := LoadCertificates(dir)
	if err != nil {
		return nil, err
	}
	m := make(map[[32]byte]zmtp.Metadata, len(certs))
	for _, c := range certs {
		// Only names a ZMTP property can carry go into a reply.
		var md zmtp.Metadata
		for _, p := range c.Metadata {
			if zmtp.ValidPropertyName(p.Name) {
				md = append(md, p)
			}
		}
		m[c.Public] = md
	}
	return m, nil
}

// Reload reads every password file and certificate directory again. A file
// that fails keeps its previous content in force, marks it stale (clients
// not found in it get 300 instead of 400) and is reported in the joined
// error; the others are replaced.
func (a *Authenticator) Reload() error {
	type source struct {
		domain, passwords, certs string
	}
	a.mu.RLock()
	var srcs []source
	for d, p := range a.domains {
		srcs = append(srcs, source{d, p.passwordFile, p.certDir})
	}
	a.mu.RUnlock()

	var errs []error
	for _, s := range srcs {
		var users map[string]string
		var certs map[[32]byte]zmtp.Metadata
		var uerr, cerr error
		if s.passwords != "" {
			users, uerr = LoadPasswords(s.passwords)
		}
		if s.certs != "" {
			certs, cerr = loadCertMap(s.certs)
		}
		errs = append(errs, uerr, cerr)
		a.mu.Lock()
		if p := a.domains[s.domain]; p != nil {
			if s.passwords != "" && p.passwordFile == s.passwords {
				if p.passwordStale = uerr != nil; uerr == nil {
					p.filePasswords = users
				}
			}
			if s.certs != "" && p.certDir == s.certs {
				if p.certsStale = cerr != nil; cerr == nil {
					p.certs = certs
				}
			}
		}
		a.mu.Unlock()
	}
	return errors.Join(errs...)
}

// Authenticate decides req; it never returns an error. It implements Handler.
func (a *Authenticator) Authenticate(ctx context.Context, req *Request) (*Reply, error) {
	if ctx.Err() != nil {
		return NewReply(req, StatusTemporary, "authentication abandoned"), nil
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	if reason := a.addressRefused(req.Address); reason != "" {
		return NewReply(req, StatusDenied, reason), nil
	}
	p := a.lookup(req.Domain)
	switch req.Mechanism {
	case "NULL":
		return ok(req, "", nil), nil
	case "PLAIN":
		return p.plain(req), nil
	case "CURVE":
		return p.curve(req), nil
	}
	return NewReply(req, StatusDenied, "mechanism "+req.Mechanism+" is not supported"), nil
}

func ok(req *Request, user string, md zmtp.Metadata) *Reply {
	r := NewReply(req, StatusOK, "OK")
	r.UserID, r.Metadata = user, md
	return r
}

// addressRefused applies the allow and deny lists (pyzmq's order) and says
// why an address is refused, or "" if it is not. The caller holds a.mu.
func (a *Authenticator) addressRefused(addr string) string {
	if len(a.allow) == 0 && len(a.deny) == 0 {
		return ""
	}
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		// No IP (ipc, inproc): nothing to allow it by, nothing to deny.
		if len(a.allow) > 0 {
			return "address not on the allow list"
		}
		return ""
	}
	ip = ip.Unmap()
	if len(a.allow) > 0 {
		if contains(a.allow, ip) {
			return ""
		}
		return "address not on the allow list"
	}
	if contains(a.deny, ip) {
		return "address on the deny list"
	}
	return ""
}

func contains(ps []netip.Prefix, ip netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

func (p *policy) plain(req *Request) *Reply {
	user, pass, valid := req.PlainCredentials()
	if !valid {
		return NewReply(req, StatusDenied, "malformed PLAIN credentials")
	}
	if p == nil || (p.passwords == nil && p.filePasswords == nil && !p.passwordStale) {
		return NewReply(req, StatusDenied, "no passwords for this domain")
	}
	for _, table := range []map[string]string{p.passwords, p.filePasswords} {
		if want, found := table[user]; found {
			if subtle.ConstantTimeCompare([]byte(want), []byte(pass)) == 1 {
				return ok(req, user, nil)
			}
			return NewReply(req, StatusDenied, "invalid password")
		}
	}
	if p.passwordStale {
		return NewReply(req, StatusTemporary, "password file unavailable")
	}
	return NewReply(req, StatusDenied, "unknown user")
}

func (p *policy) curve(req *Request) *Reply {
	key, valid := req.CurveKey()
	if !valid {
		return NewReply(req, StatusDenied, "malformed CURVE credentials")
	}
	user := zmtp.CurveKeyZ85(key)
	if p == nil {
		return NewReply(req, StatusDenied, "no CURVE keys for this domain")
	}
	if md, found := p.certs[key]; found {
		return ok(req, user, md)
	}
	if _, found := p.curveKeys[key]; found || p.curveAny {
		return ok(req, user, nil)
	}
	if p.certsStale {
		return NewReply(req, StatusTemporary, "certificate directory unavailable")
	}
	return NewReply(req, StatusDenied, "unknown CURVE key")
}
