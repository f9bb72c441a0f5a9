package socket

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/purezmq/purezmq/zmtp"
)

// binding is one bound endpoint.
type binding struct {
	given, resolved string
	ln              net.Listener // nil for inproc
	inproc          string       // inproc name
	tmpDir          string       // ipc://*: the generated directory
	done            chan struct{}
	s               *Socket
}

// close stops accepting; connections already made stay.
func (b *binding) close() {
	if b.ln == nil {
		inprocUnbind(b.inproc, b.s)
		return
	}
	b.ln.Close()
	<-b.done
	if b.tmpDir != "" {
		os.RemoveAll(b.tmpDir) // the directory made for ipc://*
	}
}

// Bind listens on endpoint: tcp://host:port (port 0 or * picks a free one;
// host * is every IPv4 interface), tcp://[::1]:port, ipc:///path,
// ipc://@name (Linux abstract namespace), ipc://* or inproc://name.
func (s *Socket) Bind(endpoint string) error {
	ep, err := parseEndpoint(endpoint, true)
	if err != nil {
		s.emit(Event{Kind: EventBindFailed, Endpoint: endpoint, Err: err})
		return err
	}
	if err := s.checkStreamTransport(ep); err != nil {
		s.emit(Event{Kind: EventBindFailed, Endpoint: endpoint, Err: err})
		return err
	}
	if s.closing.Load() {
		return ErrClosed
	}
	s.markUsed()
	if ep.transport == "inproc" {
		return s.bindInproc(ep)
	}
	ln, resolved, err := listen(ep, &s.opt().tcp)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			err = fmt.Errorf("%w: %w", ErrAddrInUse, err)
		}
		err = fmt.Errorf("socket: bind %s: %w", endpoint, err)
		s.emit(Event{Kind: EventBindFailed, Endpoint: endpoint, Err: err})
		return err
	}
	b := &binding{given: endpoint, resolved: resolved, ln: ln, done: make(chan struct{}), s: s}
	if ep.transport == "ipc" && ep.addr == "*" {
		b.tmpDir = filepath.Dir(strings.TrimPrefix(resolved, "ipc://"))
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ln.Close()
		return ErrClosed
	}
	s.binds = append(s.binds, b)
	s.wg.Add(1)
	s.mu.Unlock()
	go s.acceptLoop(b)
	s.emit(Event{Kind: EventListening, Endpoint: resolved})
	return nil
}

// Endpoints returns the bound endpoints, resolved (the real port for port 0
// or *, the generated path for ipc://*).
func (s *Socket) Endpoints() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.binds))
	for _, b := range s.binds {
		out = append(out, b.resolved)
	}
	return out
}

// Unbind stops listening on an endpoint, given as bound or as resolved.
// Connections already accepted through it stay.
func (s *Socket) Unbind(endpoint string) error {
	s.mu.Lock()
	var b *binding
	for i, x := range s.binds {
		if x.given == endpoint || x.resolved == endpoint {
			b = x
			s.binds = append(s.binds[:i:i], s.binds[i+1:]...)
			break
		}
	}
	s.mu.Unlock()
	if b == nil {
		return fmt.Errorf("%w: %s", ErrNotBound, endpoint)
	}
	b.close()
	s.emit(Event{Kind: EventClosed, Endpoint: b.resolved})
	return nil
}

func (s *Socket) acceptLoop(b *binding) {
	defer s.wg.Done()
	defer close(b.done)
	for {
		nc, err := b.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			s.emit(Event{Kind: EventAcceptFailed, Endpoint: b.resolved, Err: err})
			// Out of descriptors and the like: pause rather than spin.
			select {
			case <-time.After(10 * time.Millisecond):
			case <-s.done:
				return
			}
			continue
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			nc.Close()
			return
		}
		s.wg.Add(1)
		s.mu.Unlock()
		go s.serveAccepted(nc, b.resolved)
	}
}

// serveAccepted handshakes an inbound connection and, in the same goroutine,
// becomes its reader.
func (s *Socket) serveAccepted(nc net.Conn, ep string) {
	defer s.wg.Done()
	addr := nc.RemoteAddr().String()
	s.emit(Event{Kind: EventAccepted, Endpoint: ep, Peer: addr})
	if s.typ == Stream {
		s.serveRaw(nc, ep, nil) // raw bytes, no handshake (conn_stream.go)
		return
	}
	zc, err := zmtp.Handshake(s.ctx, nc, s.zmtpConfig())
	if err != nil {
		s.emit(Event{Kind: EventHandshakeFailed, Endpoint: ep, Peer: addr, Err: err})
		return
	}
	// Registered before the peer is attached (see openConn).
	c, err := s.openConn(zc, false)
	if err != nil {
		s.emit(Event{Kind: EventPeerRefused, Endpoint: ep, Peer: addr, Err: err})
		return
	}
	p, err := s.adoptPeer(ep, zc)
	if err != nil {
		c.abandon()
		s.emit(Event{Kind: EventPeerRefused, Endpoint: ep, Peer: addr, Err: err})
		return
	}
	s.emit(Event{Kind: EventHandshakeSucceeded, Endpoint: ep, Peer: addr, Protocol: protocolOf(zc)})
	err = s.runConn(c, p)
	s.releasePeer(p, err)
	s.emit(Event{Kind: EventDisconnected, Endpoint: ep, Peer: addr, Err: err})
}
