// Package auth is ZeroMQ authentication as libzmq programs know it: the ZAP
// protocol (RFC 27) as Go types and a multipart codec, a Go-native Handler
// interface that a server's handshake consults, a stock Authenticator (IP
// allow/deny lists, PLAIN passwords, CURVE keys and certificate directories,
// per ZAP domain, reloadable), and the CURVE certificate files that CZMQ's
// zcert and pyzmq's zmq.auth read and write.
//
// The package imports zmtp for keys and metadata and never socket: the
// socket layer decides when to call a Handler and what to do with its Reply.
package auth
