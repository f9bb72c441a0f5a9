package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/purezmq/purezmq/auth"
	"github.com/purezmq/purezmq/zmtp"
)

// runKeygen prints a new CURVE key pair in Z85, as zmq_curve_keypair makes,
// and with --cert also writes it as a certificate pair (NAME.key and
// NAME.key_secret) that CZMQ's zcert and pyzmq's zmq.auth load.
func runKeygen(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("keygen", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	name := fs.String("cert", "", "write certificate files NAME.key and NAME.key_secret")
	dir := fs.String("out", ".", "directory for the certificate files")
	var meta metaFlags
	fs.Var(&meta, "meta", "certificate metadata NAME=VALUE (repeatable)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, keygenUsage)
			return exitOK
		}
		fmt.Fprintf(stderr, "purezmq keygen: %v\n%s", err, keygenUsage)
		return exitUsage
	}
	if fs.NArg() > 0 || (*name == "" && (len(meta) > 0 || *dir != ".")) ||
		strings.ContainsAny(*name, `/\`) {
		fmt.Fprint(stderr, keygenUsage)
		return exitUsage
	}
	cert, err := auth.NewCertificate()
	if err != nil {
		fmt.Fprintf(stderr, "purezmq keygen: %v\n", err)
		return exitError
	}
	cert.Metadata = zmtp.Metadata(meta)
	fmt.Fprintf(stdout, "public: %s\nsecret: %s\n", cert.PublicZ85(), cert.SecretZ85())
	if *name == "" {
		return exitOK
	}
	path := filepath.Join(*dir, *name+".key")
	for _, p := range []string{path, path + auth.SecretSuffix} {
		// Never overwrite a key: a lost secret cannot be recovered.
		if _, err := os.Lstat(p); err == nil {
			fmt.Fprintf(stderr, "purezmq keygen: %s exists; not overwriting it\n", p)
			return exitError
		}
	}
	if err := cert.Save(path); err != nil {
		fmt.Fprintf(stderr, "purezmq keygen: %v\n", err)
		return exitError
	}
	fmt.Fprintf(stdout, "public-file: %s\nsecret-file: %s\n", path, path+auth.SecretSuffix)
	return exitOK
}

// metaFlags collects --meta NAME=VALUE in order.
type metaFlags zmtp.Metadata

func (m *metaFlags) String() string { return "" }

func (m *metaFlags) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || !zmtp.ValidPropertyName(k) {
		return fmt.Errorf("--meta %q: want NAME=VALUE with a metadata name", s)
	}
	*m = append(*m, zmtp.Property{Name: k, Value: []byte(v)})
	return nil
}

const keygenUsage = `usage: purezmq keygen [--cert NAME [--out DIR] [--meta NAME=VALUE]...]

Prints a new CURVE key pair (Curve25519) in Z85, the text form libzmq uses:
  public: <40 characters>   give to peers (--curve-serverkey, --curve-allow)
  secret: <40 characters>   keep private (--curve-secret, preferably as @FILE)

With --cert NAME it also writes the pair as certificate files, in the format
CZMQ's zcert and pyzmq's zmq.auth read: DIR/NAME.key (public, for a peer's
certificate directory) and DIR/NAME.key_secret (mode 0600). Existing files
are never overwritten.
`
