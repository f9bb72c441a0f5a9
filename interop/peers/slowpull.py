#!/usr/bin/env python3
"""A slow pyzmq PULL for linger tests.

Binds a PULL socket on tcp://127.0.0.1:*, prints {"endpoint": ...}, then
receives one message every --delay seconds until nothing arrives for --idle
seconds, and prints {"received": N}.
"""
import argparse
import json
import sys
import time

import zmq


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--delay", type=float, default=0.0001)
    ap.add_argument("--idle", type=float, default=2.0)
    ap.add_argument("--rcvhwm", type=int, default=1000)
    a = ap.parse_args()
    ctx = zmq.Context()
    s = ctx.socket(zmq.PULL)
    s.setsockopt(zmq.LINGER, 0)
    s.setsockopt(zmq.RCVHWM, a.rcvhwm)
    s.bind("tcp://127.0.0.1:*")
    print(json.dumps({"endpoint": s.getsockopt(zmq.LAST_ENDPOINT).decode()}), flush=True)
    n = 0
    started = False
    while True:
        # Wait for the first message without limit (the test sends as soon
        # as it read the endpoint), then until the stream stays idle.
        if s.poll(int(a.idle * 1000) if started else 30000) == 0:
            break
        s.recv()
        started = True
        n += 1
        if a.delay > 0:
            time.sleep(a.delay)
    print(json.dumps({"received": n}), flush=True)
    s.close()
    ctx.term()


if __name__ == "__main__":
    sys.exit(main())
