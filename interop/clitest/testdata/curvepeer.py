#!/usr/bin/env python3
"""A one-shot pyzmq (libzmq) CURVE peer for purezmq's CLI tests.

  curvepeer.py server SECRET                 REP binds tcp://127.0.0.1:*, prints
                                             its endpoint, echoes one request
  curvepeer.py authserver SECRET CERTDIR     as server, with pyzmq's ThreadAuthenticator
                                             allowing the client keys of CERTDIR's certificates
  curvepeer.py client ENDPOINT SERVERPUBLIC  REQ connects with a fresh key pair,
                                             sends "from libzmq", prints the reply
Keys are Z85. Exits 1 after 10 s without traffic.
"""
import sys

import zmq


def main():
    ctx = zmq.Context()
    role = sys.argv[1]
    auth = None
    if role == "authserver":
        from zmq.auth.thread import ThreadAuthenticator
        auth = ThreadAuthenticator(ctx)
        auth.start()
        auth.configure_curve(domain="*", location=sys.argv[3])
        role = "server"
    if role == "server":
        s = ctx.socket(zmq.REP)
        s.curve_server = True
        s.curve_secretkey = sys.argv[2].encode()
        s.bind("tcp://127.0.0.1:*")
        print(s.getsockopt(zmq.LAST_ENDPOINT).decode(), flush=True)
    else:
        s = ctx.socket(zmq.REQ)
        public, secret = zmq.curve_keypair()
        s.curve_publickey, s.curve_secretkey = public, secret
        s.curve_serverkey = sys.argv[3].encode()
        s.connect(sys.argv[2])
        s.send(b"from libzmq")
    s.setsockopt(zmq.LINGER, 1000)
    s.setsockopt(zmq.RCVTIMEO, 10000)
    try:
        m = s.recv()
    except zmq.Again:
        print("timeout", file=sys.stderr)
        return 1
    if role == "server":
        s.send(m)
    else:
        print(m.decode(), flush=True)
    s.close()
    if auth:
        auth.stop()
    ctx.term()
    return 0


if __name__ == "__main__":
    sys.exit(main())
