package main

import (
	"flag"
	"fmt"

	"github.com/purezmq/purezmq/socket"
)

// streamFlags are the STREAM socket's flags, named after libzmq's options
// (ZMQ_STREAM_NOTIFY, ZMQ_CONNECT_ROUTING_ID).
type streamFlags struct {
	notify     bool
	connectRID string
}

func addStreamFlags(fs *flag.FlagSet, f *streamFlags) {
	f.notify = true
	fs.BoolVar(&f.notify, "stream-notify", true, "stream: print an empty-data line `id<TAB>` when a peer connects and when it leaves (=false: data only)")
	fs.StringVar(&f.connectRID, "connect-rid", "", "stream: routing `ID` of the peer of the first --connect instead of a generated one (text escapes allowed, 1-255 bytes, not starting with \\x00)")
}

// check refuses the stream flags on other types.
func (f *streamFlags) check(fs *flag.FlagSet, t socket.Type) error {
	var err error
	fs.Visit(func(fl *flag.Flag) {
		if (fl.Name == "stream-notify" || fl.Name == "connect-rid") && t != socket.Stream && err == nil {
			err = fmt.Errorf("--%s is only for stream", fl.Name)
		}
	})
	if err != nil {
		return err
	}
	if f.connectRID != "" {
		id := unescapeText([]byte(f.connectRID))
		if len(id) > 255 || id[0] == 0 {
			return fmt.Errorf("--connect-rid must be 1-255 bytes and must not start with \\x00")
		}
	}
	return nil
}

func (f *streamFlags) options() []socket.Option {
	var opts []socket.Option
	if !f.notify {
		opts = append(opts, socket.WithStreamNotify(false))
	}
	if f.connectRID != "" {
		opts = append(opts, socket.WithConnectRoutingID(unescapeText([]byte(f.connectRID))))
	}
	return opts
}
