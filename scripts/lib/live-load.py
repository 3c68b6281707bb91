#!/usr/bin/env python3
"""Paced WebSocket traffic on loopback for scripts/test-live-drops (standard library only).

  live-load.py flow PORT --conns N --rate R --seconds S [--size BYTES]
      Opens N connections to a server of its own on 127.0.0.1:PORT, upgrades each to
      WebSocket (RFC 6455 handshake), then sends small masked text messages round-robin
      over the connections at R messages/s in all for S seconds, one send() each
      (TCP_NODELAY), and closes them. Every message makes a data segment and, at the
      per-connection pace the test uses (under 20 a second, longer apart than the delayed
      ACK), an ACK of its own: about 2R packets/s on the wire.
  live-load.py burst PORT --count M --conns N
      N connections, upgraded, then M small messages round-robin over them as fast as they
      go (one send() each; on different sockets, so no two share a segment); prints
      "sent M" once the last send() returned, then keeps the connection open until its
      standard input closes (bounded: 30 s).

  live-load.py ping PORT --count M --interval SECONDS
      One connection, upgraded, then M messages "ping NNNNN", one every SECONDS; prints
      {"text": …, "sent": wall-clock seconds} as each send() returned (print latency).

  live-load.py udp PORT --rate R --seconds S
      64-byte UDP datagrams to a socket of its own on 127.0.0.1:PORT (bound, never read),
      R a second in 1 ms batches for S seconds: the capture path alone, at rates one
      process's TCP cannot reach (README: where the defaults start to drop).

The server side (the same process) reads and discards. Prints one JSON line of counters.
Every loop is bounded in count and time.
"""
import argparse
import base64
import hashlib
import json
import os
import selectors
import socket
import sys
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
MAX_HANDSHAKE_SECONDS = 10
MAX_LINGER_SECONDS = 30


def frame(text: bytes) -> bytes:
    """A masked text frame (RFC 6455 §5.2), payload under 64 KiB."""
    mask = os.urandom(4)
    size = len(text)
    key = (mask * (size // 4 + 1))[:size]
    masked = (int.from_bytes(text, "big") ^ int.from_bytes(key, "big")).to_bytes(size, "big")
    length = bytes([0x80 | size]) if size < 126 else bytes([0x80 | 126]) + size.to_bytes(2, "big")
    return bytes([0x81]) + length + mask + masked


class Server:
    """Accepts on 127.0.0.1:port, answers each upgrade with 101, then discards."""

    def __init__(self, port: int, selector: selectors.BaseSelector):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", port))
        self.listener.listen(1024)
        self.listener.setblocking(False)
        self.selector = selector
        self.pending = {}
        self.upgraded = 0
        self.bytes = 0
        selector.register(self.listener, selectors.EVENT_READ, self.accept)

    def accept(self, _sock):
        conn, _ = self.listener.accept()
        conn.setblocking(False)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.pending[conn] = b""
        self.selector.register(conn, selectors.EVENT_READ, self.read)

    def read(self, conn):
        try:
            data = conn.recv(65536)
        except BlockingIOError:
            return
        if not data:
            self.selector.unregister(conn)
            conn.close()
            self.pending.pop(conn, None)
            return
        self.bytes += len(data)
        if conn not in self.pending:
            return
        head = self.pending[conn] + data
        if b"\r\n\r\n" not in head:
            self.pending[conn] = head
            return
        del self.pending[conn]
        key = b""
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"sec-websocket-key:"):
                key = line.split(b":", 1)[1].strip()
        accept = base64.b64encode(hashlib.sha1(key + GUID).digest())
        conn.sendall(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n")
        self.upgraded += 1


def pump(selector, until):
    """Serves the server side until `until()` holds or 10 ms passed."""
    for key, _ in selector.select(timeout=0.01):
        key.data(key.fileobj)
        if until():
            return


def send_all(sock, data: bytes, selector):
    """Sends all of `data` on a non-blocking socket, serving the server side while the
    socket's buffer is full (bounded: 10 s)."""
    deadline = time.monotonic() + MAX_HANDSHAKE_SECONDS
    view = memoryview(data)
    while view and time.monotonic() < deadline:
        try:
            view = view[sock.send(view):]
        except BlockingIOError:
            pump(selector, lambda: False)
    if view:
        raise SystemExit("live-load: a send stalled for %d s" % MAX_HANDSHAKE_SECONDS)


def open_upgraded(port: int, count: int, selector, server):
    clients = []
    for index in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        key = base64.b64encode(os.urandom(16))
        sock.sendall(
            b"GET /live/%d HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: " % (index, port) + key + b"\r\nSec-WebSocket-Version: 13\r\n\r\n")
        clients.append(sock)
    deadline = time.monotonic() + MAX_HANDSHAKE_SECONDS
    while server.upgraded < count and time.monotonic() < deadline:
        pump(selector, lambda: server.upgraded >= count)
    for sock in clients:
        answer = b""
        while b"\r\n\r\n" not in answer and time.monotonic() < deadline:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
        if not answer.startswith(b"HTTP/1.1 101"):
            raise SystemExit("live-load: upgrade refused: %r" % answer[:80])
        sock.setblocking(False)
    return clients


def flow(args):
    selector = selectors.DefaultSelector()
    server = Server(args.port, selector)
    clients = open_upgraded(args.port, args.conns, selector, server)
    time.sleep(0.2)  # the handshakes' ACKs settle before the paced part
    total = int(args.rate * args.seconds)
    start = time.monotonic()
    sent = 0
    while sent < total:
        due = start + sent / args.rate
        now = time.monotonic()
        if now < due:
            pump(selector, lambda: time.monotonic() >= due)
            continue
        sock = clients[sent % len(clients)]
        text = b"message %07d on connection %03d" % (sent, sent % len(clients))
        send_all(sock, frame(text.ljust(args.size, b".")), selector)
        sent += 1
    elapsed = time.monotonic() - start
    linger = time.monotonic() + 0.3
    while time.monotonic() < linger:
        pump(selector, lambda: False)
    for sock in clients:
        sock.close()
    linger = time.monotonic() + 0.3
    while time.monotonic() < linger:
        pump(selector, lambda: False)
    print(json.dumps({"mode": "flow", "messages": sent, "seconds": round(elapsed, 3),
                      "connections": len(clients), "server_bytes": server.bytes}), flush=True)


def burst(args):
    selector = selectors.DefaultSelector()
    server = Server(args.port, selector)
    clients = open_upgraded(args.port, args.conns, selector, server)
    time.sleep(0.2)
    for sock in clients:
        sock.setblocking(True)
    for index in range(args.count):
        clients[index % len(clients)].send(frame(b"burst %05d" % index))
    print("sent %d" % args.count, flush=True)
    deadline = time.monotonic() + MAX_LINGER_SECONDS
    selector.register(sys.stdin, selectors.EVENT_READ, lambda f: None)
    while time.monotonic() < deadline:
        ready = [key for key, _ in selector.select(timeout=0.05)]
        if any(key.fileobj is sys.stdin for key in ready) and not sys.stdin.readline():
            break
        for key in ready:
            if key.fileobj is not sys.stdin:
                key.data(key.fileobj)
    for sock in clients:
        sock.close()
    print(json.dumps({"mode": "burst", "messages": args.count, "server_bytes": server.bytes}), flush=True)


def ping(args):
    selector = selectors.DefaultSelector()
    server = Server(args.port, selector)
    (sock,) = open_upgraded(args.port, 1, selector, server)
    time.sleep(0.2)
    for index in range(args.count):
        text = b"ping %05d" % index
        sock.send(frame(text))
        print(json.dumps({"text": text.decode(), "sent": time.time()}), flush=True)
        due = time.monotonic() + args.interval
        while time.monotonic() < due:
            pump(selector, lambda: time.monotonic() >= due)
    sock.close()


def udp(args):
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink.bind(("127.0.0.1", args.port))
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    payload = b"u" * 64
    total = int(args.rate * args.seconds)
    start = time.monotonic()
    sent = 0
    while sent < total and time.monotonic() - start < args.seconds + 30:
        due = min(total, int((time.monotonic() - start) * args.rate) + 1)
        while sent < due:
            sender.sendto(payload, ("127.0.0.1", args.port))
            sent += 1
        time.sleep(0.001)
    elapsed = time.monotonic() - start
    print(json.dumps({"mode": "udp", "messages": sent, "seconds": round(elapsed, 3)}), flush=True)


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="mode", required=True)
    p = sub.add_parser("flow")
    p.add_argument("port", type=int)
    p.add_argument("--conns", type=int, default=100)
    p.add_argument("--rate", type=float, default=1500)
    p.add_argument("--seconds", type=float, default=5)
    p.add_argument("--size", type=int, default=0, help="pad each message to this many bytes (under 64 KiB)")
    p = sub.add_parser("ping")
    p.add_argument("port", type=int)
    p.add_argument("--count", type=int, default=20)
    p.add_argument("--interval", type=float, default=0.2)
    p = sub.add_parser("udp")
    p.add_argument("port", type=int)
    p.add_argument("--rate", type=float, default=10000)
    p.add_argument("--seconds", type=float, default=5)
    p = sub.add_parser("burst")
    p.add_argument("port", type=int)
    p.add_argument("--count", type=int, default=600)
    p.add_argument("--conns", type=int, default=100)
    args = parser.parse_args()
    {"flow": flow, "burst": burst, "ping": ping, "udp": udp}[args.mode](args)


if __name__ == "__main__":
    main()
