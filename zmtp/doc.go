// Package zmtp implements the ZeroMQ Message Transport Protocol, ZMTP 3.0 and 3.1
// (RFC 23, RFC 37), with the NULL, PLAIN (RFC 24) and CURVE (RFC 26) security
// mechanisms, and Z85 (RFC 32) for CURVE keys. Without security, a Conn also
// speaks ZMTP 2.0 (RFC 15) and 1.0 (RFC 13) with peers that do, or announces
// one of them (Config.Announce).
//
// The package has two halves. The codec works on byte slices only: AppendX
// functions append an encoded greeting, frame, command or metadata block to a
// buffer and ParseX functions decode one, checking every length against the input
// (and any configured limit) before allocating. The codec does no I/O.
//
// Conn runs the handshake and reads and writes messages over any net.Conn. It
// owns no goroutines: the caller reads and writes from its own goroutines.
// The one exception lives only inside Handshake: both peers write before they
// read, so the handshake's writes run on a goroutine joined before Handshake
// returns, which keeps transports whose writes wait for a reader (net.Pipe)
// working. After the handshake, such a transport needs the reader and the
// writer on different goroutines, as usual.
//
// Files: greeting.go, frame.go, command.go, metadata.go (codec); null.go,
// plain.go, curve*.go, mechanism*.go (mechanisms); handshake.go, conn.go,
// conn_read.go, conn_write.go (Conn); legacy_frame.go, legacy_greeting.go,
// legacy_reader.go (ZMTP 1.0/2.0 codec), legacy_conn.go (version detection
// and a Conn running in the older framing). Buffer pooling lives in internal/buf;
// what only the socket layer needs of a Conn is reached through
// internal/zmtphook.
package zmtp
