// Package zmtp implements the ZeroMQ Message Transport Protocol, ZMTP 3.0 and 3.1
// (RFC 23, RFC 37), with the NULL and PLAIN (RFC 24) security mechanisms.
//
// The package has two halves. The codec works on byte slices only: AppendX
// functions append an encoded greeting, frame, command or metadata block to a
// buffer and ParseX functions decode one, checking every length against the input
// (and any configured limit) before allocating. The codec does no I/O.
//
// Conn runs the handshake and frame I/O over any net.Conn. It owns no
// goroutines: the caller reads and writes from its own goroutines.
//
// The transport given to Handshake must buffer writes at least a little (TCP and
// Unix sockets do): both peers send their greeting and READY before reading the
// other's, so a fully synchronous transport such as net.Pipe would deadlock. Pipe
// returns an in-memory pair that works.
package zmtp
