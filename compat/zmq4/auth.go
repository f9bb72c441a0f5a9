package zmq4

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"

	"github.com/purezmq/purezmq/zmtp"
)

// The authenticator of AuthStart: a ZAP handler (RFC 27) served in this
// process at inproc://zeromq.zap.01, with per-domain address lists, PLAIN
// users and CURVE keys. Domain "*" applies to every domain.
//
// A request without an IP address (ipc, inproc) is refused by a domain with
// an allow or deny list (fail closed) rather than let past the check.

type authState struct {
	mu      sync.Mutex
	ctx     *Context
	sock    *Socket
	done    chan struct{}
	verbose bool
	allow   map[string][]*net.IPNet
	deny    map[string][]*net.IPNet
	users   map[string]map[string]string // domain -> user -> password
	keys    map[string]map[string]bool   // domain -> Z85 key (or CURVE_ALLOW_ANY)
	meta    func(version, requestID, domain, address, identity, mechanism string, credentials ...string) map[string]string
}

var auth = authState{
	allow: map[string][]*net.IPNet{}, deny: map[string][]*net.IPNet{},
	users: map[string]map[string]string{}, keys: map[string]map[string]bool{},
}

// AuthStart starts the authenticator. Until policies are added, NULL
// clients are admitted and PLAIN and CURVE clients refused.
func AuthStart() (err error) {
	auth.mu.Lock()
	defer auth.mu.Unlock()
	if auth.sock != nil {
		return errors.New("zmq4: authenticator already running")
	}
	ctx, _ := NewContext()
	sock, err := ctx.NewSocket(REP)
	if err == nil {
		sock.SetLinger(0)
		err = sock.Bind(zapEndpoint)
	}
	if err != nil {
		if sock != nil {
			sock.Close()
		}
		ctx.Term()
		return err
	}
	auth.ctx, auth.sock, auth.done = ctx, sock, make(chan struct{})
	go auth.serve(sock, auth.done)
	return nil
}

// AuthStop stops the authenticator.
func AuthStop() {
	auth.mu.Lock()
	sock, done, ctx := auth.sock, auth.done, auth.ctx
	auth.sock, auth.done, auth.ctx = nil, nil, nil
	auth.mu.Unlock()
	if sock == nil {
		return
	}
	sock.Close()
	<-done
	ctx.Term()
}

func (a *authState) serve(sock *Socket, done chan struct{}) {
	defer close(done)
	for {
		req, err := sock.RecvMessage(0)
		if err != nil {
			return
		}
		if _, err := sock.SendMessage(a.answer(req)); err != nil {
			return
		}
	}
}

// answer returns the ZAP reply to req.
func (a *authState) answer(req []string) []string {
	if len(req) < 6 {
		return []string{"1.0", "", "500", "malformed request", "", ""}
	}
	version, seq, domain, address, identity, mech := req[0], req[1], req[2], req[3], req[4], req[5]
	creds := req[6:]
	reply := func(status, text, user string, meta []byte) []string {
		if a.verbose {
			fmt.Printf("AUTH %s %s %s: %s %s\n", domain, mech, address, status, text)
		}
		return []string{version, seq, status, text, user, string(meta)}
	}
	if version != "1.0" {
		return reply("500", "version not supported", "", nil)
	}
	a.mu.Lock()
	status, text, user := a.decide(domain, address, mech, creds)
	handler := a.meta
	a.mu.Unlock()
	if status != "200" {
		return reply(status, text, "", nil)
	}
	var blob []byte
	if handler != nil {
		md := handler(version, seq, domain, address, identity, mech, creds...)
		if u, ok := md["User-Id"]; ok {
			user = u
			delete(md, "User-Id")
		}
		for k, v := range md {
			b, err := AuthMetaBlob(k, v)
			if err != nil {
				return reply("500", "bad metadata", "", nil)
			}
			blob = append(blob, b...)
		}
	}
	return reply(status, text, user, blob)
}

// decide applies the policies. a.mu is held.
func (a *authState) decide(domain, address, mech string, creds []string) (status, text, user string) {
	allow := append(append([]*net.IPNet(nil), a.allow[domain]...), a.allow["*"]...)
	deny := append(append([]*net.IPNet(nil), a.deny[domain]...), a.deny["*"]...)
	if len(allow) > 0 || len(deny) > 0 {
		ip := net.ParseIP(address)
		if ip == nil {
			return "400", "client address unknown", ""
		}
		if len(allow) > 0 && !matchIP(allow, ip) {
			return "400", "address not allowed", ""
		}
		if len(allow) == 0 && matchIP(deny, ip) {
			return "400", "address denied", ""
		}
	}
	switch mech {
	case "NULL":
		return "200", "OK", ""
	case "PLAIN":
		if len(creds) == 2 {
			for _, d := range []string{domain, "*"} {
				if p, ok := a.users[d][creds[0]]; ok && p == creds[1] {
					return "200", "OK", creds[0]
				}
			}
		}
		return "400", "invalid user name or password", ""
	case "CURVE":
		if len(creds) == 1 {
			key := Z85encode(creds[0])
			for _, d := range []string{domain, "*"} {
				if a.keys[d][key] || a.keys[d][CURVE_ALLOW_ANY] {
					return "200", "OK", key
				}
			}
		}
		return "400", "unknown client key", ""
	}
	return "400", "mechanism not supported", ""
}

func matchIP(nets []*net.IPNet, ip net.IP) bool {
	for _, n := range nets {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

// parseNets reads addresses and CIDR blocks; unparsable ones are skipped
// (the functions that take them return no error, as in pebbe/zmq4).
func parseNets(addrs []string) []*net.IPNet {
	var out []*net.IPNet
	for _, s := range addrs {
		if !strings.Contains(s, "/") {
			if ip := net.ParseIP(s); ip != nil {
				bits := 32
				if ip.To4() == nil {
					bits = 128
				}
				out = append(out, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
			}
			continue
		}
		if _, n, err := net.ParseCIDR(s); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// addNets adds addresses to a domain; a domain that is itself an address
// adds it and the rest to every domain ("*"), as pebbe/zmq4 does.
func addNets(m map[string][]*net.IPNet, domain string, addrs []string) {
	auth.mu.Lock()
	defer auth.mu.Unlock()
	if net.ParseIP(domain) != nil || strings.Contains(domain, "/") {
		addrs, domain = append([]string{domain}, addrs...), "*"
	}
	m[domain] = append(m[domain], parseNets(addrs)...)
}

// AuthAllow admits only these addresses (IPs or CIDR blocks) to domain.
func AuthAllow(domain string, addresses ...string) { addNets(auth.allow, domain, addresses) }

// AuthDeny refuses these addresses in domain (ignored when it has an allow list).
func AuthDeny(domain string, addresses ...string) { addNets(auth.deny, domain, addresses) }

// AuthPlainAdd adds a PLAIN user to domain.
func AuthPlainAdd(domain, username, password string) {
	auth.mu.Lock()
	defer auth.mu.Unlock()
	if auth.users[domain] == nil {
		auth.users[domain] = map[string]string{}
	}
	auth.users[domain][username] = password
}

// AuthPlainRemove removes PLAIN users from domain.
func AuthPlainRemove(domain string, usernames ...string) {
	auth.mu.Lock()
	defer auth.mu.Unlock()
	for _, u := range usernames {
		delete(auth.users[domain], u)
	}
}

// AuthPlainRemoveAll removes every PLAIN user of domain.
func AuthPlainRemoveAll(domain string) {
	auth.mu.Lock()
	defer auth.mu.Unlock()
	delete(auth.users, domain)
}

// AuthCurveAdd admits CURVE clients with these Z85 public keys to domain
// (CURVE_ALLOW_ANY: every key).
func AuthCurveAdd(domain string, pubkeys ...string) {
	auth.mu.Lock()
	defer auth.mu.Unlock()
	if auth.keys[domain] == nil {
		auth.keys[domain] = map[string]bool{}
	}
	for _, k := range pubkeys {
		auth.keys[domain][k] = true
	}
}

// AuthCurveRemove removes CURVE keys from domain.
func AuthCurveRemove(domain string, pubkeys ...string) {
	auth.mu.Lock()
	defer auth.mu.Unlock()
	for _, k := range pubkeys {
		delete(auth.keys[domain], k)
	}
}

// AuthCurveRemoveAll removes every CURVE key of domain.
func AuthCurveRemoveAll(domain string) {
	auth.mu.Lock()
	defer auth.mu.Unlock()
	delete(auth.keys, domain)
}

// AuthSetVerbose traces each decision on standard output.
func AuthSetVerbose(verbose bool) {
	auth.mu.Lock()
	auth.verbose = verbose
	auth.mu.Unlock()
}

// AuthSetMetadataHandler sets a function whose result is sent as the ZAP
// reply's metadata ("User-Id" becomes the user id). Package socket does not
// yet attach ZAP metadata to received messages (see the package doc).
func AuthSetMetadataHandler(
	handler func(
		version, request_id, domain, address, identity, mechanism string, credentials ...string) (metadata map[string]string)) {
	auth.mu.Lock()
	auth.meta = handler
	auth.mu.Unlock()
}

// AuthMetaBlob encodes one metadata property as ZMTP does (a name of 1 to
// 255 bytes, a 4-byte big-endian length, the value).
func AuthMetaBlob(key, value string) (blob []byte, err error) {
	if len(key) == 0 || len(key) > 255 {
		return nil, errors.New("zmq4: metadata name must be 1 to 255 bytes")
	}
	blob = append(blob, byte(len(key)))
	blob = append(blob, key...)
	blob = binary.BigEndian.AppendUint32(blob, uint32(len(value)))
	return append(blob, value...), nil
}

// ServerAuthNull makes the socket a NULL server in ZAP domain domain.
func (server *Socket) ServerAuthNull(domain string) error {
	return server.SetZapDomain(domain)
}

// ServerAuthPlain makes the socket a PLAIN server in ZAP domain domain.
func (server *Socket) ServerAuthPlain(domain string) error {
	if err := server.SetPlainServer(1); err != nil {
		return err
	}
	return server.SetZapDomain(domain)
}

// ServerAuthCurve makes the socket a CURVE server with secret key
// secret_key (Z85) in ZAP domain domain.
func (server *Socket) ServerAuthCurve(domain, secret_key string) error {
	if err := server.SetCurveServer(1); err != nil {
		return err
	}
	if err := server.SetCurveSecretkey(secret_key); err != nil {
		return err
	}
	return server.SetZapDomain(domain)
}

// ClientAuthPlain makes the socket a PLAIN client.
func (client *Socket) ClientAuthPlain(username, password string) error {
	if err := client.SetPlainUsername(username); err != nil {
		return err
	}
	return client.SetPlainPassword(password)
}

// ClientAuthCurve makes the socket a CURVE client of the server with
// public key server_public_key; all keys in Z85.
func (client *Socket) ClientAuthCurve(server_public_key, client_public_key, client_secret_key string) error {
	if _, err := zmtp.ParseCurveKeyZ85(server_public_key); err != nil {
		return einval
	}
	if err := client.SetCurveServerkey(server_public_key); err != nil {
		return err
	}
	if err := client.SetCurvePublickey(client_public_key); err != nil {
		return err
	}
	return client.SetCurveSecretkey(client_secret_key)
}
