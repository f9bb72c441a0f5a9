package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	"github.com/purezmq/purezmq/auth"
	"github.com/purezmq/purezmq/socket"
)

// authFlags are the stock ZAP authenticator's settings (auth.Authenticator,
// what pyzmq's ThreadAuthenticator and CZMQ's zauth are configured with).
type authFlags struct {
	allow, deny   stringList
	passwords     string
	curveCerts    string
	curveAllowAny bool
	zapDomain     string

	built *auth.Authenticator // made by options, reloaded on SIGHUP
}

// defaultZAPDomain is the domain a NULL socket filtering addresses uses when
// --zap-domain is not given: libzmq asks ZAP about NULL peers only when a
// domain is set, and pyzmq's examples call theirs "global".
const defaultZAPDomain = "global"

func addAuthFlags(fs *flag.FlagSet, f *authFlags) {
	fs.Var(&f.allow, "allow", "ZAP: admit only clients from `ADDR`, an IP address or CIDR network (repeatable; any mechanism)")
	fs.Var(&f.deny, "deny", "ZAP: refuse clients from `ADDR`, an IP address or CIDR network (repeatable; ignored when --allow is given)")
	fs.StringVar(&f.passwords, "passwords", "", "PLAIN server: accept the users of password `FILE` (name=password lines, as pyzmq and CZMQ read them; reread on SIGHUP)")
	fs.StringVar(&f.curveCerts, "curve-certs", "", "CURVE server: admit clients whose public certificate is in `DIR` (files of purezmq keygen --cert, zmq.auth, zcert; reread on SIGHUP)")
	fs.BoolVar(&f.curveAllowAny, "curve-allow-any", false, "CURVE server: admit any client key (the default unless --curve-allow or --curve-certs is given)")
	fs.StringVar(&f.zapDomain, "zap-domain", "", "ZAP `DOMAIN` sent with each authentication request; a NULL socket consults ZAP only with one (--allow/--deny set \""+defaultZAPDomain+"\")")
}

// used reports whether any flag asks for the authenticator.
func (f *authFlags) used() bool {
	return len(f.allow)+len(f.deny) > 0 || f.passwords != "" || f.curveCerts != "" || f.curveAllowAny || f.zapDomain != ""
}

// check validates the flags against the socket's security role.
func (f *authFlags) check(c *sockConfig) error {
	if len(f.zapDomain) > 255 {
		return errors.New("--zap-domain is at most 255 bytes")
	}
	for _, list := range []stringList{f.allow, f.deny} {
		for _, a := range list {
			if _, err := parsePrefix(a); err != nil {
				return fmt.Errorf("--allow/--deny %q: want an IP address or a CIDR network", a)
			}
		}
	}
	client := c.plainUser != "" || c.curveServerKey != ""
	switch {
	case f.passwords != "" && c.plainUser != "":
		return errors.New("--passwords is for PLAIN servers, not with --plain-user")
	case f.passwords != "" && c.curveSecret != "":
		return errors.New("--passwords (PLAIN) and CURVE flags exclude each other")
	case (f.curveCerts != "" || f.curveAllowAny) && !c.curveServer:
		return errors.New("--curve-certs and --curve-allow-any are for --curve-server")
	case f.curveAllowAny && (f.curveCerts != "" || len(c.curveAllow) > 0):
		return errors.New("--curve-allow-any admits every key: drop --curve-certs and --curve-allow")
	case client && (len(f.allow)+len(f.deny) > 0 || f.zapDomain != ""):
		return errors.New("--allow, --deny and --zap-domain are for servers, not PLAIN or CURVE clients")
	}
	return nil
}

func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		return netip.ParsePrefix(s)
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// authenticator builds the stock ZAP handler the flags describe, with the
// --plain-server users and --curve-allow keys in it, so that every check
// (address, password, key) is one handler's. It fails on a password file or
// certificate directory that cannot be read.
func (f *authFlags) authenticator(c *sockConfig) (*auth.Authenticator, error) {
	a := auth.NewAuthenticator()
	if err := a.Allow(f.allow...); err != nil {
		return nil, err
	}
	if err := a.Deny(f.deny...); err != nil {
		return nil, err
	}
	if len(c.plainServer) > 0 {
		users := make(map[string]string, len(c.plainServer))
		for _, up := range c.plainServer {
			u, p, _ := strings.Cut(up, ":")
			users[u] = p
		}
		a.SetPasswords(auth.AnyDomain, users)
	}
	if f.passwords != "" {
		if err := a.SetPasswordFile(auth.AnyDomain, f.passwords); err != nil {
			return nil, fmt.Errorf("--passwords: %w", err)
		}
	}
	if c.curveServer {
		for _, k := range c.curveAllow {
			key, err := readKey(k)
			if err != nil {
				return nil, fmt.Errorf("--curve-allow: %w", err)
			}
			a.AllowCurveKeys(auth.AnyDomain, key)
		}
		if f.curveCerts != "" {
			if err := a.SetCertificateDir(auth.AnyDomain, f.curveCerts); err != nil {
				return nil, fmt.Errorf("--curve-certs: %w", err)
			}
		}
		if f.curveAllowAny || (f.curveCerts == "" && len(c.curveAllow) == 0) {
			a.AllowAnyCurve(auth.AnyDomain)
		}
	}
	return a, nil
}

// options returns the socket options that put the authenticator in charge,
// or nil when no flag asks for it (the --plain-server and --curve-allow
// callbacks then decide alone).
func (f *authFlags) options(c *sockConfig) ([]socket.Option, error) {
	if !f.used() {
		return nil, nil
	}
	a, err := f.authenticator(c)
	if err != nil {
		return nil, err
	}
	f.built = a
	opts := []socket.Option{socket.WithZAP(a)}
	domain := f.zapDomain
	if domain == "" && len(f.allow)+len(f.deny) > 0 {
		domain = defaultZAPDomain
	}
	if domain != "" {
		opts = append(opts, socket.WithZAPDomain(domain))
	}
	if f.passwords != "" || len(c.plainServer) > 0 {
		opts = append(opts, socket.WithPlainServer(nil))
	}
	return opts, nil
}

// reloadOnHangup reads the password file and the certificate directory
// again on each SIGHUP, as daemons reread their configuration, until the
// returned function is called. A reload that fails keeps what was read
// before and says why on stderr; with verbose, a good one says so too.
func (f *authFlags) reloadOnHangup(verb string, verbose bool, stderr io.Writer) (stop func()) {
	if f.built == nil || (f.passwords == "" && f.curveCerts == "") {
		return func() {}
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			case <-hup:
				if err := f.built.Reload(); err != nil {
					fmt.Fprintf(stderr, "purezmq %s: reload: %v (keeping what was read before)\n", verb, err)
				} else if verbose {
					fmt.Fprintf(stderr, "purezmq %s: reloaded passwords and certificates\n", verb)
				}
			}
		}
	}()
	return func() {
		signal.Stop(hup)
		close(done)
		wg.Wait()
	}
}
