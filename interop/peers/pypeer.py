#!/usr/bin/env python3
"""A pyzmq (libzmq) peer driven over stdin/stdout, for purezmq's interop tests.

Startup flags configure one socket; then each stdin line is a JSON request and
each request gets exactly one JSON line back. Frames travel base64-encoded.

Requests:
  {"op":"send","frames":[b64,...],"nowait":false}     -> {"ok":true} | {"ok":false,"error":...}
  {"op":"recv","timeout_ms":5000}                      -> {"ok":true,"frames":[...]} | {"ok":false,"error":"timeout"}
  {"op":"echo","count":N,"timeout_ms":T}               -> receive N messages, send each back; {"ok":true,"n":N}
  {"op":"subscribe","topic":b64} / "unsubscribe"       -> {"ok":true}
  {"op":"bind","ep":...} / "connect" / "disconnect" / "unbind" -> {"ok":true,"endpoint":...}
  {"op":"setsockopt","name":"SNDHWM","value":1}        -> {"ok":true}
  {"op":"recvmeta","names":[...],"timeout_ms":5000}   -> {"ok":true,"frames":[...],"props":{name:value|null}}
                                                          (zmq_msg_gets of each name on the last frame:
                                                          a ROUTER's routing-id frame carries none)
  {"op":"sleep","ms":N}                                -> {"ok":true}
  {"op":"close"}                                       -> {"ok":true}, then exit
After setup the first line printed is {"ready":true,"endpoints":[...],"version":"4.3.4"}.
"""
import argparse
import base64
import json
import sys
import time

import zmq


def b64(b):
    return base64.b64encode(b).decode("ascii")


def unb64(s):
    return base64.b64decode(s)


def out(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--type", required=True)
    ap.add_argument("--bind", action="append", default=[])
    ap.add_argument("--connect", action="append", default=[])
    ap.add_argument("--identity")
    ap.add_argument("--subscribe", action="append", default=[])
    ap.add_argument("--plain-server", action="store_true")
    ap.add_argument("--plain-user")
    ap.add_argument("--plain-pass")
    ap.add_argument("--plain-users", default="", help="user:pass,user:pass for the ZAP handler")
    ap.add_argument("--sndhwm", type=int)
    ap.add_argument("--rcvhwm", type=int)
    ap.add_argument("--linger", type=int, default=0)
    ap.add_argument("--router-mandatory", action="store_true")
    ap.add_argument("--xpub-verbose", action="store_true")
    ap.add_argument("--opt", action="append", default=[], help="NAME=INT socket option")
    ap.add_argument("--bopt", action="append", default=[], help="NAME=STRING socket option (bytes)")
    a = ap.parse_args()

    ctx = zmq.Context()
    auth = None
    if a.plain_server:
        from zmq.auth.thread import ThreadAuthenticator
        auth = ThreadAuthenticator(ctx)
        auth.start()
        users = {}
        for pair in filter(None, a.plain_users.split(",")):
            u, _, p = pair.partition(":")
            users[u] = p
        auth.configure_plain(domain="*", passwords=users)

    s = ctx.socket(getattr(zmq, a.type.upper()))
    s.setsockopt(zmq.LINGER, a.linger)
    if a.identity is not None:
        s.setsockopt(zmq.IDENTITY, a.identity.encode())
    if a.sndhwm is not None:
        s.setsockopt(zmq.SNDHWM, a.sndhwm)
    if a.rcvhwm is not None:
        s.setsockopt(zmq.RCVHWM, a.rcvhwm)
    if a.router_mandatory:
        s.setsockopt(zmq.ROUTER_MANDATORY, 1)
    if a.xpub_verbose:
        s.setsockopt(zmq.XPUB_VERBOSE, 1)
    for o in a.opt:
        k, _, v = o.partition("=")
        s.setsockopt(getattr(zmq, k), int(v))
    for o in a.bopt:
        k, _, v = o.partition("=")
        s.setsockopt(getattr(zmq, k), v.encode())
    if a.plain_server:
        s.setsockopt(zmq.PLAIN_SERVER, 1)
    if a.plain_user is not None:
        s.setsockopt(zmq.PLAIN_USERNAME, a.plain_user.encode())
        s.setsockopt(zmq.PLAIN_PASSWORD, (a.plain_pass or "").encode())
    for t in a.subscribe:
        s.setsockopt(zmq.SUBSCRIBE, t.encode())

    eps = []
    for ep in a.bind:
        s.bind(ep)
        eps.append(s.getsockopt(zmq.LAST_ENDPOINT).decode())
    for ep in a.connect:
        s.connect(ep)
    out({"ready": True, "endpoints": eps, "version": zmq.zmq_version()})

    poller = zmq.Poller()
    poller.register(s, zmq.POLLIN)

    def recv(timeout_ms):
        if not poller.poll(timeout_ms):
            return None
        return s.recv_multipart()

    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = json.loads(line)
        op = req.get("op")
        try:
            if op == "send":
                frames = [unb64(f) for f in req.get("frames", [])]
                flags = zmq.NOBLOCK if req.get("nowait") else 0
                s.send_multipart(frames, flags=flags)
                out({"ok": True})
            elif op == "recv":
                m = recv(req.get("timeout_ms", 5000))
                if m is None:
                    out({"ok": False, "error": "timeout"})
                else:
                    out({"ok": True, "frames": [b64(f) for f in m]})
            elif op == "recvmeta":
                if not poller.poll(req.get("timeout_ms", 5000)):
                    out({"ok": False, "error": "timeout"})
                    continue
                m = s.recv_multipart(copy=False)
                props = {}
                for name in req.get("names", []):
                    try:
                        props[name] = m[-1].get(name)
                    except zmq.ZMQError:
                        props[name] = None
                out({"ok": True, "frames": [b64(f.bytes) for f in m], "props": props})
            elif op == "echo":
                n = 0
                for _ in range(req.get("count", 1)):
                    m = recv(req.get("timeout_ms", 5000))
                    if m is None:
                        break
                    s.send_multipart(m)
                    n += 1
                if n == req.get("count", 1):
                    out({"ok": True, "n": n})
                else:
                    out({"ok": False, "error": "timeout", "n": n})
            elif op in ("subscribe", "unsubscribe"):
                opt = zmq.SUBSCRIBE if op == "subscribe" else zmq.UNSUBSCRIBE
                s.setsockopt(opt, unb64(req.get("topic", "")))
                out({"ok": True})
            elif op == "bind":
                s.bind(req["ep"])
                out({"ok": True, "endpoint": s.getsockopt(zmq.LAST_ENDPOINT).decode()})
            elif op in ("connect", "disconnect", "unbind"):
                getattr(s, op)(req["ep"])
                out({"ok": True})
            elif op == "setsockopt":
                s.setsockopt(getattr(zmq, req["name"]), req["value"])
                out({"ok": True})
            elif op == "sleep":
                time.sleep(req.get("ms", 0) / 1000.0)
                out({"ok": True})
            elif op == "close":
                out({"ok": True})
                break
            else:
                out({"ok": False, "error": "unknown op %r" % op})
        except zmq.ZMQError as e:
            out({"ok": False, "error": str(e), "errno": e.errno})
    s.close(0)
    if auth is not None:
        auth.stop()
    ctx.term()


if __name__ == "__main__":
    main()
