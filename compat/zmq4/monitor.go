package zmq4

import (
	"encoding/binary"
	"errors"
	"strconv"
	"strings"
	"sync"

	"github.com/purezmq/purezmq/socket"
	"github.com/purezmq/purezmq/zmtp"
)

// monitor publishes a socket's events on a PAIR socket bound at an inproc
// endpoint, as zmq_socket_monitor does: each event is two frames, six bytes
// (the event number as uint16, a value as uint32, host byte order) and the
// endpoint.
type monitor struct {
	pair *socket.Socket
	mask Event
	once sync.Once
	done chan struct{} // closed when the forwarder ends
	run  bool
}

// Monitor publishes the socket's events selected by events on a PAIR
// socket bound at addr (inproc:// only, as in libzmq); read them with a
// PAIR connected there and RecvEvent. addr "" stops monitoring.
func (soc *Socket) Monitor(addr string, events Event) error {
	soc.mu.Lock()
	defer soc.mu.Unlock()
	if err := soc.check(); err != nil {
		return err
	}
	if addr == "" {
		if soc.monitor != nil {
			m := soc.monitor
			soc.monitor = nil
			go m.stop() // the forwarder ends with the socket; do not wait under soc.mu
		}
		return nil
	}
	if !strings.HasPrefix(addr, "inproc://") {
		return EPROTONOSUPPORT
	}
	if soc.monitor != nil {
		return EADDRINUSE // libzmq allows one monitor per socket
	}
	pair, err := socket.New(socket.Pair)
	if err != nil {
		return toErrno(err)
	}
	if err := pair.Bind(addr); err != nil {
		pair.Close()
		return toErrno(err)
	}
	soc.monitor = &monitor{pair: pair, mask: events, done: make(chan struct{})}
	if soc.s != nil {
		soc.monitor.start(soc.s, soc)
	}
	return nil
}

var eventCodes = map[socket.EventKind]Event{
	socket.EventListening:          EVENT_LISTENING,
	socket.EventBindFailed:         EVENT_BIND_FAILED,
	socket.EventAccepted:           EVENT_ACCEPTED,
	socket.EventAcceptFailed:       EVENT_ACCEPT_FAILED,
	socket.EventConnected:          EVENT_CONNECTED,
	socket.EventConnectDelayed:     EVENT_CONNECT_DELAYED,
	socket.EventConnectRetried:     EVENT_CONNECT_RETRIED,
	socket.EventHandshakeSucceeded: EVENT_HANDSHAKE_SUCCEEDED,
	socket.EventHandshakeFailed:    EVENT_HANDSHAKE_FAILED_NO_DETAIL,
	socket.EventPeerRefused:        EVENT_HANDSHAKE_FAILED_PROTOCOL,
	socket.EventDisconnected:       EVENT_DISCONNECTED,
	socket.EventClosed:             EVENT_CLOSED,
}

// start forwards the events of s. soc.mu is held.
func (m *monitor) start(s *socket.Socket, soc *Socket) {
	m.run = true
	events := s.Monitor()
	go func() {
		defer close(m.done)
		for ev := range events {
			code, ok := eventCodes[ev.Kind]
			value := 0
			if ev.Kind == socket.EventHandshakeFailed || ev.Kind == socket.EventPeerRefused {
				var ist *zmtp.IncompatibleSocketTypeError
				if status, isAuth := authStatus(ev.Err); isAuth {
					code, value = EVENT_HANDSHAKE_FAILED_AUTH, status
				} else if errors.As(ev.Err, &ist) {
					code = EVENT_HANDSHAKE_FAILED_PROTOCOL
				}
			}
			if !ok || code&m.mask == 0 {
				continue
			}
			if ev.Kind == socket.EventClosed && ev.Endpoint == "" {
				// package socket reports the socket's close once; libzmq
				// reports each listener it closes.
				soc.mu.Lock()
				binds := append([]string(nil), soc.binds...)
				soc.mu.Unlock()
				for _, b := range binds {
					m.send(EVENT_CLOSED, b, 0)
				}
				continue
			}
			m.send(code, libzmqEndpoint(ev.Endpoint), value)
		}
		if m.mask&EVENT_MONITOR_STOPPED != 0 {
			m.send(EVENT_MONITOR_STOPPED, "", 0)
		}
	}()
}

func (m *monitor) send(code Event, endpoint string, value int) {
	head := make([]byte, 6)
	binary.NativeEndian.PutUint16(head, uint16(code))
	binary.NativeEndian.PutUint32(head[2:], uint32(value))
	m.pair.TrySend(socket.NewMsg(head, []byte(endpoint)))
}

// stop waits for the forwarder (which ends when the monitored socket is
// closed) and closes the PAIR, flushing what it queued.
func (m *monitor) stop() {
	m.once.Do(func() {
		if m.run {
			<-m.done
		}
		m.pair.Close()
	})
}

// RecvEvent receives one event from a PAIR connected to a Monitor endpoint.
func (soc *Socket) RecvEvent(flags Flag) (event_type Event, addr string, value int, err error) {
	msg, err := soc.RecvMessageBytes(flags)
	if err != nil {
		return 0, "", 0, err
	}
	if len(msg) != 2 || len(msg[0]) != 6 {
		return 0, "", 0, einval
	}
	event_type = Event(binary.NativeEndian.Uint16(msg[0]))
	value = int(int32(binary.NativeEndian.Uint32(msg[0][2:])))
	return event_type, string(msg[1]), value, nil
}

// authStatus tells a handshake that failed on authentication and its ZAP
// status code, which libzmq reports as HANDSHAKE_FAILED_AUTH with the code
// as the value: a server's handler that refused the client, or a client
// whose server answered ERROR with a status code as the reason.
func authStatus(err error) (int, bool) {
	var st zmtp.ZAPStatusError
	if errors.As(err, &st) {
		return st.ZAPStatus(), true
	}
	var pe *zmtp.PeerError
	if errors.As(err, &pe) && len(pe.Reason) == 3 && pe.Reason[0] >= '3' && pe.Reason[0] <= '5' {
		if code, err := strconv.Atoi(pe.Reason); err == nil {
			return code, true
		}
	}
	if errors.Is(err, zmtp.ErrAuthFailed) {
		return 400, true
	}
	return 0, false
}
