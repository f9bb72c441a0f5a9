#!/usr/bin/env python3
"""pypeer.py with CURVE (RFC 26) on its socket, for purezmq's interop tests.

It takes pypeer.py's flags and JSON protocol unchanged, plus:
  --curve-server SECRET_Z85     be a CURVE server with this long-term secret key
  --curve-serverkey PUBLIC_Z85  be a CURVE client of the server with this key...
  --curve-public PUBLIC_Z85     ...proving this long-term key pair
  --curve-secret SECRET_Z85
  --curve-allow PUBLIC_Z85      (server, repeatable) run a ZAP handler that
                                admits only these client keys; without it
                                libzmq admits every client
  --events FILE                 append the socket's monitor events to FILE,
                                one "NAME VALUE" line each
The CURVE options are set on the socket pypeer.py creates, before it binds or
connects, by wrapping zmq.Context.socket for that one call.
"""
import argparse
import importlib.util
import os
import sys
import threading

import zmq
from zmq.utils.monitor import recv_monitor_message


def event_names():
    names = {}
    for k in dir(zmq):
        if k.startswith("EVENT_") and k not in ("EVENT_ALL", "EVENT_ALL_V1", "EVENT_ALL_V2"):
            names.setdefault(getattr(zmq, k), k[len("EVENT_"):])
    return names


def main():
    ap = argparse.ArgumentParser(add_help=False)
    ap.add_argument("--curve-server")
    ap.add_argument("--curve-serverkey")
    ap.add_argument("--curve-public")
    ap.add_argument("--curve-secret")
    ap.add_argument("--curve-allow", action="append", default=None)
    ap.add_argument("--events")
    a, rest = ap.parse_known_args()
    sys.argv = [sys.argv[0]] + rest

    state = {"auth": None, "mon": None, "stop": threading.Event(), "thread": None}
    orig_socket = zmq.Context.socket
    orig_term = zmq.Context.term

    def watch(mon, path):
        names = event_names()
        with open(path, "a", buffering=1) as f:
            while not state["stop"].is_set():
                if not mon.poll(50):
                    continue
                ev = recv_monitor_message(mon)
                f.write("%s %d\n" % (names.get(ev["event"], str(ev["event"])), ev["value"]))

    def socket(self, *args, **kw):
        # Only pypeer.py's socket: the monitor and ZAP sockets made below are
        # plain ones.
        zmq.Context.socket = orig_socket
        s = orig_socket(self, *args, **kw)
        if a.curve_server:
            if a.curve_allow is not None:
                from zmq.auth.thread import ThreadAuthenticator
                auth = ThreadAuthenticator(self)
                auth.start()
                auth.configure_curve_callback(domain="*", credentials_provider=Allow(a.curve_allow))
                state["auth"] = auth
            s.curve_secretkey = a.curve_server.encode()
            s.curve_publickey = zmq.curve_public(a.curve_server.encode())
            s.curve_server = True
        if a.curve_serverkey:
            s.curve_serverkey = a.curve_serverkey.encode()
            s.curve_publickey = a.curve_public.encode()
            s.curve_secretkey = a.curve_secret.encode()
        if a.events:
            mon = s.get_monitor_socket()
            state["mon"] = mon
            t = threading.Thread(target=watch, args=(mon, a.events), daemon=True)
            t.start()
            state["thread"] = t
        return s

    def term(self):
        # The monitor socket and the ZAP handler must go before the context.
        state["stop"].set()
        if state["thread"] is not None:
            state["thread"].join()
            state["mon"].close(0)
        if state["auth"] is not None:
            state["auth"].stop()
        return orig_term(self)

    zmq.Context.socket = socket
    zmq.Context.term = term

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pypeer.py")
    spec = importlib.util.spec_from_file_location("pypeer", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.main()


class Allow:
    """A ZAP credentials provider admitting a fixed set of client keys."""

    def __init__(self, keys):
        self.keys = set(k.encode() for k in keys)

    def callback(self, domain, key):
        # pyzmq passes the client key in Z85 already.
        return key in self.keys


if __name__ == "__main__":
    main()
