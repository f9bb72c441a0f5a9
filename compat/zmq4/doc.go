/*
Package zmq4 is a drop-in for programs written against github.com/pebbe/zmq4
(v1.4.0, not its draft subpackage): the same exported API, with libzmq's
semantics as pebbe exposes them, on top of purezmq's package socket. A program
moves by changing its import line

	import zmq "github.com/pebbe/zmq4"                  // before: cgo + libzmq
	import zmq "github.com/purezmq/purezmq/compat/zmq4" // after: pure Go

and then builds with CGO_ENABLED=0 for any GOOS/GOARCH.

pebbe/zmq4's own test files run against this package with `make test-pebbe`
(scripts/pebbe-tests.sh fetches them with the Go tool; they are never copied
into this repository).

# How it maps

libzmq takes options after zmq_socket; package socket takes them at New. A
Socket therefore records its options and makes the socket.Socket when first
needed: the first Bind, Connect, Send, Recv, GetEvents or poll. Options that
package socket only takes at New fail with ENOTSUP after that point instead
of being ignored; RCVTIMEO, SNDTIMEO and subscriptions can change at any
time. Sends copy the caller's bytes, as libzmq's do. Every failure is an
Errno (EAGAIN, EFSM, ETERM, ENOTSUP, ...; AsErrno also maps package socket's
sentinels), or one of the Error... variables for a closed socket or a bad
poller id.

Package socket has no poller yet. POLLIN is found by taking at most one
message off the socket into the Socket, where the next Recv finds it, so the
program reads the same messages in the same order; a poll waiting for
POLLIN runs one goroutine per such socket for the wait. POLLOUT is computed
from the socket type, the REQ/REP turn and the socket's counters (a peer is
attached and its pipes are below SNDHWM), and checked every 2ms while
waiting; it can be optimistic for a peer whose pipe is full on its side.

ZAP is package socket's: a PLAIN or CURVE server, and a NULL server with a
ZAP domain, asks the handler bound at inproc://zeromq.zap.01 (a program's
own REP handler, or AuthStart's) about each client, with its address, as
libzmq 4.3 does: without a handler a PLAIN server refuses every client, a
CURVE or NULL server admits them. The reply's user id and metadata reach
each received message (Recv...WithMetadata: "User-Id" and the metadata's
names).

The default linger is socket.DefaultLinger (1s), not libzmq's infinite wait:
Close of a socket whose peer is gone returns. GetLinger reports it.

# Status of every pebbe/zmq4 entry

"done" means implemented with libzmq's behaviour; "ENOTSUP" means the call
fails with that Errno and says why; "recorded" means accepted and reported
back by the getter because it has no meaning here.

	Version                               done: 4.3.5
	Error, AsErrno, Errno, E... constants done (POSIX numbers of the host; EFSM, ENOCOMPATPROTO, ETERM, EMTHREAD as libzmq)
	Error... variables                    done
	Type, Flag, Event, State, Mechanism   done, with libzmq's values and pebbe's String forms
	MaxSocketsDflt, IoThreadsDflt         done (1023, 1)
	CURVE_ALLOW_ANY                       done
	HasCurve, HasIpc                      done: true
	HasGssapi, HasNorm, HasPgm, HasTipc   done: false (no such mechanism/transport)
	Z85encode, Z85decode                  done
	NewCurveKeypair, AuthCurvePublic      done
	NewContext, (*Context).Term, Term     done: Term ends blocked calls with ETERM and waits for the sockets to close
	(*Context).NewSocket, NewSocket       done for every type, STREAM included (raw tcp and ipc peers)
	Set/GetMaxSockets                     done: NewSocket fails with EMFILE past it
	Set/GetMaxMsgsz                       done: default of SetMaxmsgsize for sockets made afterwards
	Set/GetIpv6                           done: default of the sockets' IPV6 (see SetIpv6)
	Set/GetIoThreads, Set/GetBlocky       recorded: no I/O thread pool; Term always waits (blocky)
	SetThreadPriority, SetThreadSchedPolicy recorded: no I/O threads of our own
	Set/GetRetryAfterEINTR                recorded: calls are never interrupted by signals
	Bind, Unbind, Connect, Disconnect     done: tcp, ipc (incl. abstract @name), inproc; pgm, epgm, norm, tipc, vmci: EPROTONOSUPPORT
	Close, Context, GetType, String       done
	Send, SendBytes, SendMessage, SendMessageDontwait   done (SNDMORE frames are sent with the last one)
	Recv, RecvBytes, RecvMessage, RecvMessageBytes       done
	Recv...WithMetadata                   done: Socket-Type, Identity, Routing-Id, User-Id, Peer-Address and the ZAP reply's metadata; a property the message lacks is left out
	Monitor, RecvEvent                    done: LISTENING, BIND_FAILED, ACCEPTED, ACCEPT_FAILED, CONNECTED, CONNECT_DELAYED, CONNECT_RETRIED, HANDSHAKE_SUCCEEDED, HANDSHAKE_FAILED_NO_DETAIL (no PROTOCOL/AUTH detail), DISCONNECTED, CLOSED, MONITOR_STOPPED; the value field is 0 (no fds, no errno detail)
	NewPoller, Poller methods, Polled     done (emulated readiness, above)
	NewReactor, Reactor methods           done
	Proxy, ProxySteerable                 done, with capture and control (PAUSE, RESUME, TERMINATE, STATISTICS)
	AuthStart, AuthStop, AuthSetVerbose   done (ZAP above)
	AuthAllow, AuthDeny                   done (a client without an IP address, over ipc, is refused by a domain with a list)
	AuthPlainAdd/Remove/RemoveAll         done
	AuthCurveAdd/Remove/RemoveAll         done
	AuthSetMetadataHandler, AuthMetaBlob  done: the metadata reaches each received message
	ServerAuthNull                        done as SetZapDomain (which may change at any time, as in libzmq)
	ServerAuthPlain, ServerAuthCurve, ClientAuthPlain, ClientAuthCurve  done
	GetFd                                 ENOTSUP: there is no descriptor that signals readiness; use a Poller
	GetEvents                             done (as a poll with timeout 0)
	GetLastEndpoint, GetRcvmore, GetMechanism, GetThreadSafe (false)  done

Socket options, Set and Get unless marked:

	Identity, Sndhwm, Rcvhwm, Linger, ReconnectIvl, ReconnectIvlMax, HandshakeIvl,
	Maxmsgsize, Immediate, RouterMandatory (set), RouterHandover (set),
	XpubVerbose (set), XpubNodrop (set), HeartbeatIvl/Ttl/Timeout (set),
	PlainServer, PlainUsername, PlainPassword, CurveServer (set),
	CurvePublickey, CurveSecretkey, CurveServerkey (Z85 or 32 bytes)
	                                      done before the socket is made; afterwards ENOTSUP (needs setters in package socket)
	ZapDomain                             done at any time (the next handshake uses it)
	Conflate, ProbeRouter, XpubManual (set), XpubWelcomeMsg (set)
	                                      done before the socket is made (Conflate on PUSH, PULL, PUB, SUB, DEALER;
	                                      ProbeRouter on ROUTER, DEALER, REQ; the XPUB ones on XPUB; elsewhere no effect, as in libzmq)
	ConnectRid (set)                      ROUTER: used by the next Connect
	Rcvtimeo, Sndtimeo                    done at any time
	StreamNotify (set)                    done before the socket is made
	Subscribe, Unsubscribe (set)          done at any time (SUB, XSUB, a manual XPUB; others EINVAL)
	Ipv6                                  recorded: IPv6 endpoints work either way, tcp://* binds IPv4 only (needs dual-stack bind)
	Affinity, Rate, RecoveryIvl, MulticastHops, MulticastMaxtpdu   recorded: I/O thread affinity and pgm options, no meaning here
	ReqCorrelate, ReqRelaxed, XpubVerboser,
	InvertMatching, RouterRaw,
	TcpKeepalive/Cnt/Idle/Intvl, Tos, Sndbuf, Rcvbuf, TcpMaxrt, TcpAcceptFilter,
	ConnectTimeout, Backlog, SocksProxy, UseFd
	                                      libzmq's default value accepted (and reported by the getter); any other: ENOTSUP (needs the feature in package socket)
	Gssapi... (all), Vmci... (all)        ENOTSUP: GSSAPI needs a Kerberos library, vmci a VMware transport
*/
package zmq4
