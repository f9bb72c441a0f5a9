#!/usr/bin/env python3
"""pyzmq side of purezmq's auth interop tests (run with Debian's /usr/bin/python3).

  zappeer.py create DIR NAME            zmq.auth.create_certificates(DIR, NAME, metadata={"name": NAME});
                                        prints {"public":..., "secret":...} as zmq.auth.load_certificate reads them
  zappeer.py load FILE... [--dir DIR]   prints {"certs":[[public, secret|null],...], "dir":[public,...]}
  zappeer.py serve MECH [opts]          a libzmq PULL server and PUSH client in this process, with the ZAP
                                        handler at inproc://zeromq.zap.01 driven over stdin/stdout:
                                        each request is printed as {"zap":[hex frames]}, and the next stdin
                                        line {"reply":[hex frames]} is sent back; then the outcome
                                        {"received":bool,"user_id":...,"props":{...}} is printed.
"""
import json
import sys

import zmq
import zmq.auth


def create(d, name):
    pub, sec = zmq.auth.create_certificates(d, name, metadata={"name": name})
    p, s = zmq.auth.load_certificate(sec)
    print(json.dumps({"public": p.decode(), "secret": s.decode()}))


def load(args):
    certs, d = [], None
    if "--dir" in args:
        i = args.index("--dir")
        d = args[i + 1]
        args = args[:i] + args[i + 2:]
    for f in args:
        p, s = zmq.auth.load_certificate(f)
        certs.append([p.decode(), s.decode() if s else None])
    out = {"certs": certs}
    if d:
        out["dir"] = sorted(k.decode() for k in zmq.auth.load_certificates(d))
    print(json.dumps(out))


def serve(mech, opts):
    ctx = zmq.Context()
    zap = ctx.socket(zmq.REP)
    zap.linger = 0
    zap.bind("inproc://zeromq.zap.01")
    srv = ctx.socket(zmq.PULL)
    cli = ctx.socket(zmq.PUSH)
    for s in (srv, cli):
        s.linger = 0
    if opts.get("domain"):
        srv.zap_domain = opts["domain"].encode()
    if mech == "PLAIN":
        srv.plain_server = True
        cli.plain_username = opts["user"].encode()
        cli.plain_password = opts["pass"].encode()
    elif mech == "CURVE":
        spub, ssec = zmq.curve_keypair()
        srv.curve_server = True
        srv.curve_secretkey = ssec
        cpub, csec = zmq.auth.load_certificate(opts["cert"])
        cli.curve_serverkey = spub
        cli.curve_publickey = cpub
        cli.curve_secretkey = csec
    port = srv.bind_to_random_port("tcp://127.0.0.1")
    cli.connect("tcp://127.0.0.1:%d" % port)
    poller = zmq.Poller()
    poller.register(zap, zmq.POLLIN)
    if poller.poll(5000):
        req = zap.recv_multipart()
        print(json.dumps({"zap": [f.hex() for f in req]}), flush=True)
        line = sys.stdin.readline()
        zap.send_multipart([bytes.fromhex(h) for h in json.loads(line)["reply"]])
    else:
        print(json.dumps({"zap": None}), flush=True)
    cli.sndtimeo = 1000
    try:
        cli.send(b"hello")
    except zmq.Again:
        pass
    out = {"received": False}
    if srv.poll(int(opts.get("wait_ms", "1500"))):
        frame = srv.recv(copy=False)
        out = {"received": True, "body": frame.bytes.decode(), "user_id": frame.get("User-Id"), "props": {}}
        for k in opts.get("props", "").split(","):
            if k:
                try:
                    out["props"][k] = frame.get(k)
                except zmq.ZMQError:
                    out["props"][k] = None
    print(json.dumps(out), flush=True)
    for s in (cli, srv, zap):
        s.close()
    ctx.term()


def main():
    cmd = sys.argv[1]
    if cmd == "create":
        create(sys.argv[2], sys.argv[3])
    elif cmd == "load":
        load(sys.argv[2:])
    elif cmd == "serve":
        opts = dict(a.split("=", 1) for a in sys.argv[3:])
        serve(sys.argv[2], opts)


if __name__ == "__main__":
    main()
