#!/usr/bin/env python3
"""A one-shot libzmq (pyzmq) client for purezmq's ZAP interop tests.

  pyzapclient.py create DIR NAME
      zmq.auth.create_certificates(DIR, NAME); prints {"public": Z85, "secret": Z85}
  pyzapclient.py connect ENDPOINT [--plain USER PASS] [--curve SERVER_PUBLIC CERT_SECRET_FILE]
                 [--send TEXT] [--wait SECONDS]
      a PUSH socket (NULL unless --plain or --curve) connects, queues TEXT,
      and watches its monitor until the handshake succeeds or fails (or
      --wait passes); prints {"events": [[NAME, VALUE], ...], "outcome": NAME}
      where outcome is HANDSHAKE_SUCCEEDED, HANDSHAKE_FAILED_AUTH (value:
      the ZAP status code the server sent), another failure, or "timeout".
"""
import json
import sys
import time

import zmq
import zmq.auth
from zmq.utils.monitor import recv_monitor_message


def event_names():
    names = {}
    for k in dir(zmq):
        if k.startswith("EVENT_") and k not in ("EVENT_ALL", "EVENT_ALL_V1", "EVENT_ALL_V2"):
            names.setdefault(getattr(zmq, k), k[len("EVENT_"):])
    return names


FINAL = ("HANDSHAKE_SUCCEEDED", "HANDSHAKE_FAILED_AUTH", "HANDSHAKE_FAILED_PROTOCOL",
         "HANDSHAKE_FAILED_NO_DETAIL")


def connect(args):
    ep = args[0]
    opts = {"--send": "hello", "--wait": "10"}
    plain = curve = None
    i = 1
    while i < len(args):
        if args[i] == "--plain":
            plain = args[i + 1:i + 3]
            i += 3
        elif args[i] == "--curve":
            curve = args[i + 1:i + 3]
            i += 3
        else:
            opts[args[i]] = args[i + 1]
            i += 2
    ctx = zmq.Context()
    s = ctx.socket(zmq.PUSH)
    s.linger = 2000
    if plain:
        s.plain_username, s.plain_password = plain[0].encode(), plain[1].encode()
    if curve:
        pub, sec = zmq.auth.load_certificate(curve[1])
        s.curve_serverkey = curve[0].encode()
        s.curve_publickey, s.curve_secretkey = pub, sec
    mon = s.get_monitor_socket()
    s.connect(ep)
    s.send(opts["--send"].encode())
    names = event_names()
    events, outcome = [], "timeout"
    deadline = time.time() + float(opts["--wait"])
    while time.time() < deadline and outcome == "timeout":
        if not mon.poll(50):
            continue
        ev = recv_monitor_message(mon)
        name = names.get(ev["event"], str(ev["event"]))
        events.append([name, ev["value"]])
        if name in FINAL:
            outcome = name
    print(json.dumps({"events": events, "outcome": outcome}), flush=True)
    if outcome != "HANDSHAKE_SUCCEEDED":
        s.linger = 0  # nothing will be delivered; do not wait for it
    s.disable_monitor()
    mon.close(0)
    s.close()
    ctx.term()


def main():
    if sys.argv[1] == "create":
        _, sec = zmq.auth.create_certificates(sys.argv[2], sys.argv[3])
        p, s = zmq.auth.load_certificate(sec)
        print(json.dumps({"public": p.decode(), "secret": s.decode()}))
    elif sys.argv[1] == "connect":
        connect(sys.argv[2:])
    else:
        print("unknown command", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
