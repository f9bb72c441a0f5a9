package main

import (
	"crypto/subtle"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/purezmq/purezmq/socket"
)

// socketVerbs are the socket types the CLI offers, in the order usage shows them.
var socketVerbs = []string{"pub", "sub", "xpub", "xsub", "push", "pull", "req", "rep", "dealer", "router", "pair", "stream"}

func isSocketVerb(v string) bool {
	for _, s := range socketVerbs {
		if s == v {
			return true
		}
	}
	return false
}

// errHelp reports that --help was asked for and answered: exit 0.
var errHelp = errors.New("purezmq: help requested")

// errUsage reports bad flags, already explained on stderr: exit 2.
var errUsage = errors.New("purezmq: bad usage")

// defaultLinger bounds how long the CLI waits on exit to deliver what it
// queued: long enough for a pipe into a live peer to drain, short enough that
// a dead peer does not hang a script.
const defaultLinger = 5 * time.Second

// sockConfig is everything the flags of a socket verb say.
type sockConfig struct {
	verb string
	typ  socket.Type

	binds, connects stringList
	subscribes      stringList
	subscribeSet    bool
	identity        string

	hwm, sndHWM, rcvHWM optInt

	swap         byteSize
	swapDir      string
	retain       bool
	ack          bool
	retainTTL    time.Duration
	retainMax    int
	retainBy     string
	writeThrough bool

	count   int
	echo    bool
	linger  time.Duration
	timeout time.Duration
	delay   time.Duration
	verbose bool

	plainUser, plainPass string
	plainServer          stringList

	routerMandatory bool
	immediate       bool
	reconnectIvl    time.Duration
	reconnectIvlMax time.Duration
	heartbeat       time.Duration
	maxMsgSize      byteSize

	curveServer    bool
	curveSecret    string
	curveServerKey string
	curveAllow     stringList

	hex, base64 bool

	tcp    tcpFlags    // flags_tcp.go
	req    reqFlags    // flags_req.go
	auth   authFlags   // flags_auth.go
	zmtp   zmtpVersion // flags_legacy.go
	ext    extFlags    // flags_ext.go
	stream streamFlags // flags_stream.go
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(s string) error {
	*l = append(*l, s)
	return nil
}

// optInt is a non-negative int flag that remembers whether it was given, so
// an absent flag leaves the library default alone (and help shows none).
type optInt struct {
	n   int
	set bool
}

var errNegative = errors.New("purezmq: must be 0 or more")

func (o *optInt) String() string {
	if !o.set {
		return ""
	}
	return strconv.Itoa(o.n)
}

func (o *optInt) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		return err
	}
	if n < 0 {
		return errNegative
	}
	o.n, o.set = n, true
	return nil
}

// byteSize is a byte count with an optional k, M or G suffix (powers of 1024).
type byteSize int64

func (b *byteSize) String() string { return strconv.FormatInt(int64(*b), 10) }

func (b *byteSize) Set(s string) error {
	n, err := parseByteSize(s)
	if err != nil {
		return err
	}
	*b = byteSize(n)
	return nil
}

var errByteSize = errors.New("purezmq: want a byte count such as 4096, 64k, 25M or 2G")

func parseByteSize(s string) (int64, error) {
	mult := int64(1)
	if s != "" {
		switch s[len(s)-1] {
		case 'k', 'K':
			mult = 1 << 10
		case 'm', 'M':
			mult = 1 << 20
		case 'g', 'G':
			mult = 1 << 30
		}
		if mult != 1 {
			s = s[:len(s)-1]
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, errByteSize
	}
	return n * mult, nil
}

func newSocketFlagSet(verb string) (*flag.FlagSet, *sockConfig) {
	c := &sockConfig{verb: verb, linger: defaultLinger}
	fs := flag.NewFlagSet(verb, flag.ContinueOnError)
	fs.Var(&c.binds, "bind", "bind to `EP` (repeatable): tcp://host:port (port * or 0 picks one), ipc:///path, ipc://@name, inproc://name")
	fs.Var(&c.connects, "connect", "connect to `EP` (repeatable); connecting and reconnecting happen in the background")
	fs.StringVar(&c.identity, "identity", "", "routing identity `ID` sent to peers (1-255 bytes, text escapes allowed, must not start with \\x00)")
	fs.Var(&c.subscribes, "subscribe", "sub, xsub: subscribe to topic `PREFIX` (repeatable, text escapes allowed; \"\" is everything, the default when none is given)")
	fs.Var(&c.hwm, "hwm", "high-water mark `N` in messages for both directions (0 = unlimited; the library's default is 1000)")
	fs.Var(&c.sndHWM, "sndhwm", "send high-water mark `N` (overrides --hwm)")
	fs.Var(&c.rcvHWM, "rcvhwm", "receive high-water mark `N` (overrides --hwm)")
	fs.Var(&c.swap, "swap", "spill messages beyond the high-water mark to disk, up to `BYTES` for the socket (k, M, G suffixes)")
	fs.StringVar(&c.swapDir, "swap-dir", "", "`DIR` for swap ring files, created (mode 0700) if missing (needs --swap); with --retain, backlogs survive a restart")
	fs.BoolVar(&c.retain, "retain", false, "keep the queue of a departed peer under its identity and deliver it when the peer returns")
	fs.DurationVar(&c.retainTTL, "retain-ttl", 0, "forget a departed peer's queue after `DURATION` (implies --retain; 0 = the library default)")
	fs.IntVar(&c.retainMax, "retain-max", 0, "retain at most `N` departed peers (implies --retain; 0 = the library default)")
	fs.StringVar(&c.retainBy, "retain-by", "identity", "key retained queues by `KEY`: identity (the peer's Identity) or user (the authenticated user)")
	fs.BoolVar(&c.ack, "ack", false, "push, pull, dealer, router, pair, pub, sub: acknowledged delivery with purezmq peers that ask for it too: with --retain (or a connecting peer) a connection cut loses and repeats nothing; off with libzmq peers")
	fs.BoolVar(&c.writeThrough, "write-through", false, "write every message for retained peers through the swap ring, so a crash loses nothing sent (needs --swap-dir)")
	fs.IntVar(&c.count, "count", 0, "exit 0 after `N` messages received (sent, for pub and push; for dealer, router, pair, xpub and xsub once stdin has also been sent to its end); 0 = no limit")
	fs.BoolVar(&c.echo, "echo", false, "rep, router, stream: send each received message back instead of reading replies from stdin (stream: the raw bytes to their sender)")
	fs.DurationVar(&c.linger, "linger", defaultLinger, "on exit, wait up to `DURATION` to deliver queued messages")
	fs.DurationVar(&c.timeout, "timeout", 0, "give up with exit status 1 after `DURATION` (0 = never)")
	fs.DurationVar(&c.delay, "delay", 0, "wait `DURATION` after binding/connecting before the first send (PUB drops messages for subscribers that have not joined yet)")
	fs.BoolVar(&c.verbose, "verbose", false, "report connection events and final statistics on stderr")
	fs.StringVar(&c.plainUser, "plain-user", "", "PLAIN client: user `NAME`")
	fs.StringVar(&c.plainPass, "plain-pass", "", "PLAIN client: `PASSWORD`")
	fs.Var(&c.plainServer, "plain-server", "PLAIN server: accept `USER:PASS` (repeatable)")
	fs.BoolVar(&c.routerMandatory, "router-mandatory", false, "router: fail (exit 1) on a line addressed to an identity that is not connected, instead of dropping it")
	fs.BoolVar(&c.immediate, "immediate", false, "queue messages only for completed connections, not for connects still in progress")
	fs.DurationVar(&c.reconnectIvl, "reconnect-ivl", 0, "wait `DURATION` before reconnecting (0 = the library default, 100ms)")
	fs.DurationVar(&c.reconnectIvlMax, "reconnect-ivl-max", 0, "double the reconnect wait after each failure up to `DURATION` (0 = no backoff)")
	fs.DurationVar(&c.heartbeat, "heartbeat", 0, "send a ZMTP PING every `DURATION` and drop a peer silent for three of them (0 = off)")
	fs.Var(&c.maxMsgSize, "max-msg-size", "drop peers that send a message over `BYTES` (k, M, G suffixes; 0 = no limit)")
	fs.BoolVar(&c.curveServer, "curve-server", false, "CURVE server (encrypted, RFC 26) with the key pair of --curve-secret")
	fs.StringVar(&c.curveSecret, "curve-secret", "", "CURVE: our secret `KEY` in Z85, or @FILE to read it from a file holding the key or a NAME.key_secret certificate (see purezmq keygen)")
	fs.StringVar(&c.curveServerKey, "curve-serverkey", "", "CURVE client: the server's public `KEY` (Z85, or @FILE: the key or a certificate); without --curve-secret a fresh key pair is used")
	fs.Var(&c.curveAllow, "curve-allow", "CURVE server: admit only the client public `KEY` (Z85 or @FILE; repeatable; default: any client)")
	fs.BoolVar(&c.hex, "hex", false, "frames are hexadecimal on stdin and stdout")
	fs.BoolVar(&c.base64, "base64", false, "frames are standard base64 on stdin and stdout")
	addTCPFlags(fs, &c.tcp)
	addReqFlags(fs, &c.req)
	addAuthFlags(fs, &c.auth)
	addLegacyFlags(fs, &c.zmtp)
	addExtFlags(fs, &c.ext)
	addStreamFlags(fs, &c.stream)
	fs.Usage = func() { writeSocketUsage(fs) }
	return fs, c
}

func writeSocketUsage(fs *flag.FlagSet) {
	w := fs.Output()
	verb := fs.Name()
	fmt.Fprintf(w, "usage: purezmq %s [flags]\n\n%s\n\n", verb, verbSummary(verb))
	fmt.Fprint(w, `Text mode (the default): each stdin line is one message, TAB separating its
frames; each received message is one stdout line, frames joined by TAB.
Bytes a line cannot carry are escaped on output and unescaped on input:
  \\  backslash    \t  TAB    \n  newline    \r  carriage return
  \xNN  any other control byte or a byte that is not valid UTF-8
A backslash before any other character is taken literally on input. With
--hex or --base64 every frame is encoded instead, in both directions.

Flags:
`)
	fs.PrintDefaults()
}

func verbSummary(verb string) string {
	switch verb {
	case "pub":
		return "PUB: sends each stdin line to every matching subscriber; drops when none is there."
	case "sub":
		return "SUB: prints every message whose first frame starts with a subscribed prefix\n(everything when no --subscribe is given)."
	case "xpub":
		return "XPUB: sends stdin lines like pub and prints the subscription messages it\nreceives (\\x01topic subscribes, \\x00topic cancels)."
	case "xsub":
		return "XSUB: prints received messages; stdin lines are sent upstream (\\x01topic to\nsubscribe); subscribes to every --subscribe prefix (everything when none is given)."
	case "push":
		return "PUSH: sends each stdin line to one peer, round robin; waits while no peer can take it."
	case "pull":
		return "PULL: prints every message received from any peer."
	case "req":
		return "REQ: sends each stdin line as a request and prints the reply."
	case "rep":
		return "REP: prints each request and answers it with the next stdin line (or, with\n--echo, with the request itself)."
	case "dealer":
		return "DEALER: sends stdin lines round robin and prints whatever arrives. To talk to a\nREP peer, start a line with TAB (an empty delimiter frame)."
	case "router":
		return "ROUTER: prints each message with the sender's identity as the first field; a\nstdin line's first field is the destination identity. --echo sends each\nmessage back to its sender."
	case "pair":
		return "PAIR: sends stdin lines to its one peer and prints what it receives."
	}
	return ""
}

// parseSocketFlags parses a socket verb's flags. --help prints the verb's
// usage on stdout and returns errHelp; problems are explained briefly on
// stderr and return errUsage.
func parseSocketFlags(verb string, args []string, stdout, stderr io.Writer) (*sockConfig, error) {
	fs, c := newSocketFlagSet(verb)
	fs.SetOutput(stderr)
	full := fs.Usage
	// A mistyped flag gets one line and a pointer, not the whole manual.
	fs.Usage = func() {}
	hint := func() { fmt.Fprintf(stderr, "run 'purezmq help %s' for usage\n", verb) }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stdout)
			full()
			return nil, errHelp
		}
		hint()
		return nil, errUsage
	}
	bad := func(format string, a ...any) (*sockConfig, error) {
		fmt.Fprintf(stderr, "purezmq %s: "+format+"\n", append([]any{verb}, a...)...)
		hint()
		return nil, errUsage
	}
	if fs.NArg() > 0 {
		return bad("unexpected argument %q", fs.Arg(0))
	}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "subscribe":
			c.subscribeSet = true
		case "retain-ttl", "retain-max", "retain-by":
			c.retain = true
		}
	})
	t, err := socket.ParseType(verb)
	if err != nil {
		return bad("%v", err)
	}
	c.typ = t
	if err := c.check(fs, t); err != nil {
		return bad("%v", err)
	}
	return c, nil
}

// errBadCredentials is what the PLAIN server hook returns for a user/password
// pair that --plain-server did not list.
var errBadCredentials = errors.New("purezmq: PLAIN credentials refused")

// options turns the configuration into socket options; it fails only on
// CURVE keys that do not decode and on password files or certificate
// directories that cannot be read.
func (c *sockConfig) options() ([]socket.Option, error) {
	opts := []socket.Option{socket.WithLinger(c.linger)}
	if c.identity != "" {
		opts = append(opts, socket.WithIdentity(unescapeText([]byte(c.identity))))
	}
	opts = c.queueOptions(opts)
	opts = c.plainOptions(opts)
	opts = c.connOptions(opts)
	opts = append(opts, c.tcp.options()...)
	opts = append(opts, c.req.options()...)
	opts = append(opts, c.zmtp.options()...)
	opts = append(opts, c.ext.options()...)
	opts = append(opts, c.stream.options()...)
	curve, err := c.curveOptions()
	if err != nil {
		return nil, err
	}
	opts = append(opts, curve...)
	zap, err := c.auth.options(c)
	if err != nil {
		return nil, err
	}
	return append(opts, zap...), nil
}

// queueOptions appends the options of the socket's queues: high-water
// marks, retention of a departed peer's queue, and swap.
func (c *sockConfig) queueOptions(opts []socket.Option) []socket.Option {
	snd, rcv := c.hwm, c.hwm
	if c.sndHWM.set {
		snd = c.sndHWM
	}
	if c.rcvHWM.set {
		rcv = c.rcvHWM
	}
	if snd.set {
		opts = append(opts, socket.WithSendHWM(snd.n))
	}
	if rcv.set {
		opts = append(opts, socket.WithRecvHWM(rcv.n))
	}
	if c.retain {
		keyBy := socket.KeyIdentity
		if c.retainBy == "user" {
			keyBy = socket.KeyUser
		}
		opts = append(opts, socket.WithRetention(socket.Retention{TTL: c.retainTTL, MaxKeys: c.retainMax, KeyBy: keyBy}))
	}
	if c.swap > 0 {
		opts = append(opts, socket.WithSwap(int64(c.swap), c.swapDir))
	}
	if c.writeThrough {
		opts = append(opts, socket.WithWriteThrough(true))
	}
	if c.ack {
		opts = append(opts, socket.WithAckedDelivery(true))
	}
	return opts
}

// plainOptions appends the PLAIN client or, unless a ZAP handler
// (flags_auth.go) checks the users, the PLAIN server with --plain-server's
// list.
func (c *sockConfig) plainOptions(opts []socket.Option) []socket.Option {
	if c.plainUser != "" {
		opts = append(opts, socket.WithPlainClient(c.plainUser, c.plainPass))
	}
	if len(c.plainServer) > 0 && !c.auth.used() {
		users := make(map[string]string, len(c.plainServer))
		for _, up := range c.plainServer {
			u, p, _ := strings.Cut(up, ":")
			users[u] = p
		}
		opts = append(opts, socket.WithPlainServer(func(user, pass string) (string, error) {
			// Constant-time, so response timing does not reveal how much of a
			// guessed password was right.
			if want, ok := users[user]; ok && subtle.ConstantTimeCompare([]byte(want), []byte(pass)) == 1 {
				return user, nil
			}
			return "", errBadCredentials
		}))
	}
	return opts
}

// connOptions appends the options of a connection's life: routing,
// reconnection, heartbeats and the message size limit.
func (c *sockConfig) connOptions(opts []socket.Option) []socket.Option {
	if c.routerMandatory {
		opts = append(opts, socket.WithRouterMandatory(true))
	}
	if c.immediate {
		opts = append(opts, socket.WithImmediate(true))
	}
	if c.reconnectIvl > 0 {
		opts = append(opts, socket.WithReconnectInterval(c.reconnectIvl))
	}
	if c.reconnectIvlMax > 0 {
		opts = append(opts, socket.WithReconnectIntervalMax(c.reconnectIvlMax))
	}
	if c.heartbeat > 0 {
		// The peer may drop us after three silent intervals too (TTL).
		opts = append(opts, socket.WithHeartbeat(c.heartbeat, 3*c.heartbeat, 3*c.heartbeat))
	}
	if c.maxMsgSize > 0 {
		opts = append(opts, socket.WithMaxMsgSize(int64(c.maxMsgSize)))
	}
	return opts
}

// codec picks the frame encoding the flags ask for.
func (c *sockConfig) codec() codec {
	switch {
	case c.hex:
		return codecHex
	case c.base64:
		return codecBase64
	}
	return codecText
}
