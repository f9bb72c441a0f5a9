package socket

import (
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/purezmq/purezmq/queue"
)

// Errors of SetOption. Both match ErrBadOption too, as libzmq answers EINVAL
// for all three.
var (
	// ErrOptionTooLate: the option can change only before the socket's
	// first Bind or Connect (the identity, which the first handshake sends).
	ErrOptionTooLate = fmt.Errorf("socket: option can no longer change: %w", ErrBadOption)
	// ErrOptionNotSettable: the option is fixed when New makes the socket
	// (security mechanism, retention, swap, logger).
	ErrOptionNotSettable = fmt.Errorf("socket: option is fixed at New: %w", ErrBadOption)
)

// liveOptions holds the options as they are now. New stores the options it
// was given; SetOption replaces the whole struct (copy on write), so a
// reader gets a consistent, immutable snapshot with one atomic load and no
// lock. Socket.o keeps what New was given, for what cannot change.
type liveOptions struct {
	cur atomic.Pointer[options]
	mu  sync.Mutex // serialises SetOption
	// used is set by the first Bind or Connect: the identity is fixed then.
	used atomic.Bool
}

// opt returns the socket's current options. The result must not be
// modified.
func (s *Socket) opt() *options { return s.lv.cur.Load() }

// markUsed records that the socket bound or connected.
func (s *Socket) markUsed() { s.lv.used.Store(true) }

// settable lists the options fields SetOption may change, with the name
// errors use. Each is read through opt() where it takes effect: linger at
// Close, HWMs and the ROUTER/XPUB flags for pipes and peers made from then
// on (as libzmq), the rest at the next connection or bind.
var settable = map[string]bool{
	"linger": true, "sndHWM": true, "rcvHWM": true,
	"reconnectIvl": true, "reconnectIvlMax": true, "handshakeIvl": true,
	"maxMsgSize": true, "immediate": true,
	"routerMandatory": true, "routerHandover": true,
	"xpubVerbose": true, "xpubNoDrop": true,
	"hbInterval": true, "hbTTL": true, "hbTimeout": true,
	"tcp": true, "monitorMute": true,
	// timeouts and REQ's flags at the next call, as libzmq's RCVTIMEO,
	// SNDTIMEO, REQ_RELAXED and REQ_CORRELATE; ZAP's domain and handler
	// and the announced ZMTP version at the next handshake.
	"timeo": true, "req": true, "zapDomain": true, "zap": true, "zapEnforce": true, "legacy": true,
	// CONFLATE for pipes made afterwards, PROBE_ROUTER and the XPUB flags
	// from the next connection or subscription on (options_ext.go).
	"ext": true,
	// STREAM_NOTIFY for connections made from then on; CONNECT_ROUTING_ID
	// for the next Connect (stream_options.go).
	"stream": true,
}

// fieldNames maps options fields to the names errors show for them.
var fieldNames = map[string]string{
	"identity": "Identity", "sec": "Security", "logger": "Logger",
	"retention": "Retention", "swapBytes": "Swap", "swapDir": "Swap",
	"writeThrough": "WriteThrough",
}

// SetOption changes options of a live socket, taking the same Options New
// takes (WithLinger(0), WithSendHWM(n), WithRouterMandatory(true), ...).
// libzmq's rules apply: linger takes effect at Close; HWMs apply to pipes
// made afterwards (connections and connect endpoints made from then on);
// ROUTER and XPUB flags at once; reconnection, handshake, heartbeat,
// maximum message size and TCP options at the next connection or Bind; the
// identity only before the first Bind or Connect (ErrOptionTooLate after).
// The security mechanism, retention, swap, write-through and the logger are
// fixed at New (ErrOptionNotSettable). The errors are *OptionError; when
// one option of several fails, none is applied.
func (s *Socket) SetOption(opts ...Option) error {
	if s.closing.Load() {
		return ErrClosed
	}
	s.lv.mu.Lock()
	defer s.lv.mu.Unlock()
	old := s.opt()
	next := *old
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&next); err != nil {
			return err
		}
	}
	if err := changeAllowed(old, &next, s.lv.used.Load()); err != nil {
		return err
	}
	// The checks New makes across options hold for changes too: a ZAP
	// handler beside an authentication callback, a ZAP domain with an
	// older ZMTP version announced (which would let peers past ZAP).
	if err := checkZAP(&next); err != nil {
		return err
	}
	if err := checkLegacy(s.typ, &next); err != nil {
		return err
	}
	s.lv.cur.Store(&next)
	if old.routerMandatory != next.routerMandatory && s.typ == Router {
		s.applyMute()
	}
	return nil
}

// changeAllowed compares every field of the options before and after: a
// field not listed as settable that changed makes the call fail. Fields
// added to options later are thus fixed at New until listed.
func changeAllowed(old, next *options, used bool) error {
	ov := reflect.ValueOf(old).Elem()
	nv := reflect.ValueOf(next).Elem()
	t := ov.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if settable[f.Name] || sameValue(ov.Field(i), nv.Field(i)) {
			continue
		}
		name := fieldNames[f.Name]
		if name == "" {
			name = f.Name
		}
		if f.Name == "identity" {
			if !used {
				continue
			}
			return &OptionError{Option: name, Reason: "the identity can change only before the first Bind or Connect", Err: ErrOptionTooLate}
		}
		return &OptionError{Option: name, Reason: "fixed when the socket is made", Err: ErrOptionNotSettable}
	}
	return nil
}

// sameValue compares two fields of options. Functions compare by closure
// identity (two closures made by one WithX call site differ), pointers by
// address, the rest by value.
func sameValue(a, b reflect.Value) bool {
	switch a.Kind() {
	case reflect.Func:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		// A func value is a pointer to its closure; reflect's Pointer
		// gives only the code address, shared by every closure of one
		// literal, so read the closure pointer itself.
		return *(*unsafe.Pointer)(unsafe.Pointer(a.UnsafeAddr())) == *(*unsafe.Pointer)(unsafe.Pointer(b.UnsafeAddr()))
	case reflect.Pointer, reflect.Map, reflect.Chan, reflect.UnsafePointer:
		return a.Pointer() == b.Pointer()
	case reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		if a.Elem().Type() != b.Elem().Type() {
			return false
		}
		// Elem of an interface is not addressable: compare what we can.
		ae, be := a.Elem(), b.Elem()
		if ae.Kind() == reflect.Pointer {
			return ae.Pointer() == be.Pointer()
		}
		return ae.Comparable() && ae.Equal(be)
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if !sameValue(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Slice:
		if a.IsNil() != b.IsNil() || a.Len() != b.Len() {
			return false
		}
		for i := 0; i < a.Len(); i++ {
			if !sameValue(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Array:
		for i := 0; i < a.Len(); i++ {
			if !sameValue(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Bool:
		return a.Bool() == b.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return a.Int() == b.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return a.Uint() == b.Uint()
	case reflect.Float32, reflect.Float64:
		return a.Float() == b.Float()
	case reflect.String:
		return a.String() == b.String()
	}
	return false
}

// applyMute gives the ROUTER's existing outbound pipes the mute action of
// the current mandatory flag: libzmq checks the flag at each send.
func (s *Socket) applyMute() {
	m := s.outMute()
	s.mu.Lock()
	pipes := make([]*queue.Pipe, 0, len(s.peers))
	for p := range s.peers {
		pipes = append(pipes, p.out)
	}
	s.mu.Unlock()
	for _, p := range pipes {
		p.SetMute(m)
	}
}

// Settings is a snapshot of a socket's options (Socket.Settings).
type Settings struct {
	Type                 Type
	RoutingID            []byte // the identity announced to peers (WithIdentity); nil: none
	SendHWM, RecvHWM     int
	Linger               time.Duration
	ReconnectInterval    time.Duration
	ReconnectIntervalMax time.Duration
	HandshakeInterval    time.Duration
	MaxMsgSize           int64
	Immediate            bool
	RouterMandatory      bool
	RouterHandover       bool
	XPubVerbose          bool
	XPubNoDrop           bool
	HeartbeatInterval    time.Duration
	HeartbeatTTL         time.Duration
	HeartbeatTimeout     time.Duration
	Mechanism            string // "NULL", "PLAIN" or "CURVE"
	Server               bool   // PLAIN or CURVE server
	MonitorMask          EventMask
	TCP                  TCPSettings
}

// TCPSettings are the TCP options of Settings.
type TCPSettings struct {
	SendBuffer, RecvBuffer int // 0: the OS default
	Keepalive              Keepalive
	KeepaliveIdle          time.Duration
	KeepaliveInterval      time.Duration
	KeepaliveCount         int
	TOS                    int
	BindToDevice           string
	IPv6                   bool
}

// Settings returns the socket's options as they are now.
func (s *Socket) Settings() Settings {
	o := s.opt()
	mech := o.sec.Mechanism
	if mech == "" {
		mech = "NULL"
	}
	ka := KeepaliveDefault
	if o.tcp.keepaliveSet {
		ka = o.tcp.keepalive
	}
	return Settings{
		Type: s.typ, RoutingID: append([]byte(nil), o.identity...),
		SendHWM: o.sndHWM, RecvHWM: o.rcvHWM, Linger: o.linger,
		ReconnectInterval: o.reconnectIvl, ReconnectIntervalMax: o.reconnectIvlMax,
		HandshakeInterval: o.handshakeIvl, MaxMsgSize: o.maxMsgSize, Immediate: o.immediate,
		RouterMandatory: o.routerMandatory, RouterHandover: o.routerHandover,
		XPubVerbose: o.xpubVerbose, XPubNoDrop: o.xpubNoDrop,
		HeartbeatInterval: o.hbInterval, HeartbeatTTL: o.hbTTL, HeartbeatTimeout: o.hbTimeout,
		Mechanism: mech, Server: o.sec.Server, MonitorMask: o.monitorMaskOrAll(),
		TCP: TCPSettings{
			SendBuffer: o.tcp.sndbuf, RecvBuffer: o.tcp.rcvbuf, Keepalive: ka,
			KeepaliveIdle: o.tcp.kaIdle, KeepaliveInterval: o.tcp.kaIntv, KeepaliveCount: o.tcp.kaCount,
			TOS: o.tcp.tos, BindToDevice: o.tcp.device, IPv6: o.tcp.ipv6,
		},
	}
}

// Linger returns the linger time Close will use (WithLinger).
func (s *Socket) Linger() time.Duration { return s.opt().linger }

// SendHWM returns the high-water mark of outbound pipes made from now on.
func (s *Socket) SendHWM() int { return s.opt().sndHWM }

// RecvHWM returns the high-water mark of inbound pipes made from now on.
func (s *Socket) RecvHWM() int { return s.opt().rcvHWM }

// RoutingID returns the identity the socket announces to peers (libzmq's
// ZMQ_ROUTING_ID), or nil when it has none.
func (s *Socket) RoutingID() []byte {
	id := s.opt().identity
	if len(id) == 0 {
		return nil
	}
	return append([]byte(nil), id...)
}
