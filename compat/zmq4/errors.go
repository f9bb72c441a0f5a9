package zmq4

import (
	"context"
	"errors"
	"net"
	"syscall"

	"github.com/purezmq/purezmq/socket"
	"github.com/purezmq/purezmq/zmtp"
)

// Errno is an error number as libzmq reports it: a POSIX errno or one of
// libzmq's own (EFSM, ETERM, ...). Every error a Socket, Context or Poller
// method returns for a failed operation is an Errno, so programs written
// for pebbe/zmq4 can switch on AsErrno(err).
type Errno uintptr

// libzmq's own error numbers start at ZMQ_HAUSNUMERO.
const hausnumero = 156384712

// POSIX errors libzmq reports, with the host's numbers.
const (
	EADDRINUSE      = Errno(syscall.EADDRINUSE)
	EADDRNOTAVAIL   = Errno(syscall.EADDRNOTAVAIL)
	EAFNOSUPPORT    = Errno(syscall.EAFNOSUPPORT)
	ECONNABORTED    = Errno(syscall.ECONNABORTED)
	ECONNREFUSED    = Errno(syscall.ECONNREFUSED)
	ECONNRESET      = Errno(syscall.ECONNRESET)
	EHOSTUNREACH    = Errno(syscall.EHOSTUNREACH)
	EINPROGRESS     = Errno(syscall.EINPROGRESS)
	EMSGSIZE        = Errno(syscall.EMSGSIZE)
	ENETDOWN        = Errno(syscall.ENETDOWN)
	ENETRESET       = Errno(syscall.ENETRESET)
	ENETUNREACH     = Errno(syscall.ENETUNREACH)
	ENOBUFS         = Errno(syscall.ENOBUFS)
	ENOTCONN        = Errno(syscall.ENOTCONN)
	ENOTSOCK        = Errno(syscall.ENOTSOCK)
	ENOTSUP         = Errno(syscall.ENOTSUP)
	EPROTONOSUPPORT = Errno(syscall.EPROTONOSUPPORT)
	ETIMEDOUT       = Errno(syscall.ETIMEDOUT)

	// libzmq's native error numbers.
	EFSM           = Errno(hausnumero + 51)
	ENOCOMPATPROTO = Errno(hausnumero + 52)
	ETERM          = Errno(hausnumero + 53)
	EMTHREAD       = Errno(hausnumero + 54)
)

// Errors that are not errnos, with pebbe/zmq4's names and texts.
var (
	ErrorContextClosed         = errors.New("Context is closed")
	ErrorSocketClosed          = errors.New("Socket is closed")
	ErrorMoreExpected          = errors.New("More expected")
	ErrorNotImplemented405     = errors.New("Not implemented, requires 0MQ version 4.0.5")
	ErrorNotImplemented41      = errors.New("Not implemented, requires 0MQ version 4.1")
	ErrorNotImplemented42      = errors.New("Not implemented, requires 0MQ version 4.2")
	ErrorNotImplementedWindows = errors.New("Not implemented on Windows")
	ErrorNoSocket              = errors.New("No such socket")
)

// errno values used here that have no exported constant.
const (
	eagain = Errno(syscall.EAGAIN)
	einval = Errno(syscall.EINVAL)
	eintr  = Errno(syscall.EINTR)
	emfile = Errno(syscall.EMFILE)
	enoent = Errno(syscall.ENOENT)
)

var nativeText = map[Errno]string{
	EFSM:           "Operation cannot be accomplished in current state",
	ENOCOMPATPROTO: "The protocol is not compatible with the socket type",
	ETERM:          "Context was terminated",
	EMTHREAD:       "No thread available",
}

// Error returns the text libzmq gives the error.
func (errno Errno) Error() string {
	if errno >= hausnumero {
		if s, ok := nativeText[errno]; ok {
			return s
		}
		return "Unknown error"
	}
	return syscall.Errno(errno).Error()
}

// Error returns the text of error number e, as zmq_strerror does.
func Error(e int) string { return Errno(e).Error() }

// AsErrno returns the error number of err: err itself when it is an Errno,
// a syscall.Errno converted, or the errno a purezmq error stands for.
// It returns 0 for nil and for errors with no errno.
func AsErrno(err error) Errno {
	if err == nil {
		return 0
	}
	var e Errno
	if errors.As(err, &e) {
		return e
	}
	var se syscall.Errno
	if errors.As(err, &se) {
		return Errno(se)
	}
	return mapError(err)
}

// mapError translates an error from package socket (or the context that
// bounded a call) to the errno libzmq reports in the same situation.
func mapError(err error) Errno {
	switch {
	case errors.Is(err, socket.ErrWouldBlock),
		errors.Is(err, context.DeadlineExceeded):
		return eagain
	case errors.Is(err, context.Canceled):
		return ETERM
	case errors.Is(err, socket.ErrHostUnreachable):
		return EHOSTUNREACH
	case errors.Is(err, socket.ErrState):
		return EFSM
	case errors.Is(err, socket.ErrNotSupported):
		return ENOTSUP
	case errors.Is(err, socket.ErrBadEndpoint):
		return endpointErrno(err)
	case errors.Is(err, socket.ErrAddrInUse):
		return EADDRINUSE
	case errors.Is(err, socket.ErrNotBound), errors.Is(err, socket.ErrNotConnected):
		return enoent
	case errors.Is(err, socket.ErrBadOption), errors.Is(err, socket.ErrBadType),
		errors.Is(err, socket.ErrBadMessage), errors.Is(err, zmtp.ErrZ85):
		return einval
	case errors.Is(err, net.ErrClosed):
		return ENOTSOCK
	case errors.Is(err, socket.ErrPeerRefused):
		return ECONNREFUSED
	}
	return einval
}

// endpointErrno tells an unknown transport (EPROTONOSUPPORT, as libzmq)
// from an address that does not resolve or parse (EINVAL).
func endpointErrno(err error) Errno {
	var se syscall.Errno
	if errors.As(err, &se) {
		return Errno(se)
	}
	var ee *socket.EndpointError
	if errors.As(err, &ee) && ee.Err != nil {
		var ae *net.OpError
		if errors.As(ee.Err, &ae) {
			return EADDRNOTAVAIL
		}
	}
	return einval
}

// toErrno is AsErrno for returning: nil stays nil.
func toErrno(err error) error {
	if err == nil {
		return nil
	}
	if e := AsErrno(err); e != 0 {
		return e
	}
	return err
}
