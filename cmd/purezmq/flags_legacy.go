package main

import (
	"errors"
	"flag"

	"github.com/purezmq/purezmq/socket"
	"github.com/purezmq/purezmq/zmtp"
)

// zmtpVersion is the --zmtp flag: the protocol our socket announces.
type zmtpVersion struct{ v zmtp.LegacyVersion }

var errZMTPVersion = errors.New("purezmq: want 3.1, 2.0 or 1.0")

func (z *zmtpVersion) String() string {
	if z.v == 0 {
		return "3.1"
	}
	return z.v.String()[len("ZMTP/"):]
}

func (z *zmtpVersion) Set(s string) error {
	switch s {
	case "3.1", "3":
		z.v = 0
	case "2.0", "2":
		z.v = zmtp.ZMTP20
	case "1.0", "1":
		z.v = zmtp.ZMTP10
	default:
		return errZMTPVersion
	}
	return nil
}

func addLegacyFlags(fs *flag.FlagSet, z *zmtpVersion) {
	fs.Var(z, "zmtp", "announce protocol `VERSION`: 3.1 (the default, which also answers older peers in their own protocol), or 2.0 / 1.0 to talk as a libzmq 3.x / 2.x socket would (no security, no heartbeats; libzmq 4 downgrades to it)")
}

// options returns the socket option --zmtp asks for, if any.
func (z *zmtpVersion) options() []socket.Option {
	if z.v == 0 {
		return nil
	}
	return []socket.Option{socket.WithZMTPVersion(z.v)}
}
