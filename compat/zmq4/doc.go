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

libzmq takes every option after zmq_socket; package socket fixes the
security mechanism and its keys at New. A Socket therefore records its
options and makes the socket.Socket when first needed: the first Bind,
Connect, Send, Recv, GetEvents or poll. From then on an option is applied to
the socket with socket.SetOption, taking effect as libzmq's does (HWMs for
connections made afterwards, timeouts at the next call, the ZAP domain at
the next handshake, ...); the security options (PLAIN_*, CURVE_*) and, after
the first Bind or Connect, IDENTITY fail with ENOTSUP instead of being
ignored. RCVTIMEO and SNDTIMEO are package socket's own timeouts (no
context or timer per call). Sends copy the caller's bytes, as libzmq's do. Every failure is an
Errno (EAGAIN, EFSM, ETERM, ENOTSUP, ...; AsErrno also maps package socket's
sentinels), or one of the Error... variables for a closed socket or a bad
poller id.

Poller, Reactor and GetEvents use package socket's readiness
(socket.Poller, Socket.Events): a poll takes no message off a socket and
starts no goroutine, POLLOUT is what the next send would find, and Term ends
a poll with ETERM. The rest of a multipart message already taken off frame
by frame counts as POLLIN.

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
	Monitor, RecvEvent                    done: LISTENING, BIND_FAILED, ACCEPTED, ACCEPT_FAILED, CONNECTED, CONNECT_DELAYED, CONNECT_RETRIED, HANDSHAKE_SUCCEEDED, HANDSHAKE_FAILED_AUTH (value: the ZAP status code, on the server and on the refused client), HANDSHAKE_FAILED_PROTOCOL (a peer of an incompatible socket type, or one refused after its handshake, e.g. a ROUTER identity in use), HANDSHAKE_FAILED_NO_DETAIL (any other handshake failure), DISCONNECTED, CLOSED, MONITOR_STOPPED; the value field is otherwise 0 (no fds, no errno detail)
	NewPoller, Poller methods, Polled     done (package socket's Poller, above)
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
	GetEvents                             done (package socket's Socket.Events: nothing taken off)
	GetLastEndpoint, GetRcvmore, GetMechanism, GetThreadSafe (false)  done

Socket options, Set and Get unless marked:

	Sndhwm, Rcvhwm, Linger, ReconnectIvl, ReconnectIvlMax, HandshakeIvl,
	Maxmsgsize, Immediate, RouterMandatory (set), RouterHandover (set),
	XpubVerbose (set), XpubNodrop (set), HeartbeatIvl/Ttl/Timeout (set),
	Rcvtimeo, Sndtimeo, ReqRelaxed (set), ReqCorrelate (set), ZapDomain,
	Ipv6 (tcp://* binds dual-stack), TcpKeepalive/Cnt/Idle/Intvl, Tos,
	Sndbuf, Rcvbuf, Conflate, ProbeRouter (set), XpubManual (set),
	XpubWelcomeMsg (set)                  done at any time, as libzmq (above); Conflate on PUSH, PULL,
	                                      PUB, SUB, DEALER, ProbeRouter on ROUTER, DEALER, REQ, the XPUB
	                                      ones on XPUB; on other types accepted without effect
	StreamNotify (set)                    done at any time (STREAM; for connections made afterwards)
	ConnectRid (set)                      done: routes the peer of the next Connect of a ROUTER or STREAM by it, that Connect only
	Identity                              done before the first Bind or Connect; afterwards ENOTSUP
	PlainServer, PlainUsername, PlainPassword, CurveServer (set),
	CurvePublickey, CurveSecretkey, CurveServerkey (Z85 or 32 bytes)
	                                      done before the socket is made; afterwards ENOTSUP (package socket fixes the mechanism at New)
	Subscribe, Unsubscribe (set)          done at any time (SUB, XSUB, an XPUB with XpubManual; others EINVAL)
	Affinity, Rate, RecoveryIvl, MulticastHops, MulticastMaxtpdu   recorded: I/O thread affinity and pgm options, no meaning here
	XpubVerboser, InvertMatching, RouterRaw, TcpMaxrt, TcpAcceptFilter, ConnectTimeout, Backlog, SocksProxy, UseFd
	                                      libzmq's default value accepted (and reported by the getter); any other: ENOTSUP (needs the feature in package socket)
	Gssapi... (all), Vmci... (all)        ENOTSUP: GSSAPI needs a Kerberos library, vmci a VMware transport
*/
package zmq4
