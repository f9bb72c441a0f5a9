#!/usr/bin/python3
"""Memory per idle connection of a libzmq ROUTER (through pyzmq), for
comparison with socket.TestIdleConnMemory (issue 14, finding 5).

N raw TCP clients do a ZMTP 3.1 NULL handshake as DEALERs by hand and stay
idle; the script prints the process's RSS growth per connection. The
clients live in this process too, as in the Go test.

    /usr/bin/python3 scripts/idleconn_pyzmq.py [N]

With --serve N the clients are another process's (10,000 connections with
both ends in one process need more than 20,000 descriptors): the script
prints the ROUTER's port, waits for a line on stdin once the clients are
connected, and prints the RSS growth per connection of the ROUTER alone
(make soak: socket.TestSoakIdleConn10k drives it).
"""
import socket
import struct
import sys
import time

import zmq


def rss():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def greeting():
    # signature, version 3.1, mechanism NULL, as-server 0, filler
    return (b"\xff" + b"\x00" * 8 + b"\x7f" + bytes([3, 1]) +
            b"NULL".ljust(20, b"\x00") + b"\x00" + b"\x00" * 31)


def ready(socket_type):
    name = b"Socket-Type"
    body = b"\x05READY" + bytes([len(name)]) + name + struct.pack(">I", len(socket_type)) + socket_type
    return bytes([0x04, len(body)]) + body


def serve(n):
    ctx = zmq.Context()
    router = ctx.socket(zmq.ROUTER)
    port = router.bind_to_random_port("tcp://127.0.0.1")
    time.sleep(0.2)
    rss0 = rss()
    print(port, flush=True)
    sys.stdin.readline()  # the clients are connected
    time.sleep(1.0)  # let libzmq finish the handshakes
    grew = rss() - rss0
    print(f"pyzmq {zmq.pyzmq_version()} libzmq {zmq.zmq_version()}: {n} idle connections: "
          f"{grew / n / 1024:.1f} KiB RSS per connection", flush=True)
    sys.stdin.readline()
    router.close(linger=0)
    ctx.term()


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--serve":
        serve(int(sys.argv[2]))
        return
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    ctx = zmq.Context()
    router = ctx.socket(zmq.ROUTER)
    port = router.bind_to_random_port("tcp://127.0.0.1")
    time.sleep(0.2)
    rss0 = rss()
    clients = []
    hello = greeting() + ready(b"DEALER")
    for _ in range(n):
        c = socket.create_connection(("127.0.0.1", port))
        c.sendall(hello)
        got = b""
        while len(got) < 64:
            got += c.recv(64 - len(got))
        clients.append(c)
    time.sleep(1.0)  # let libzmq finish the handshakes
    grew = rss() - rss0
    print(f"pyzmq {zmq.pyzmq_version()} libzmq {zmq.zmq_version()}: {n} idle connections: "
          f"{grew / n / 1024:.1f} KiB RSS per connection")
    for c in clients:
        c.close()
    router.close(linger=0)
    ctx.term()


if __name__ == "__main__":
    main()
