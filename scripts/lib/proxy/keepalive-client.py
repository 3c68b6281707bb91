#!/usr/bin/env python3
"""Raw-socket HTTP/1.1 client for scripts/record-samples-proxy-peers
(scenario haproxy-keepalive-attempts): several requests on ONE TCP
connection, the last one a WebSocket upgrade.

  keepalive-client.py HOST PORT MESSAGES LOG

In order, on one connection: ``GET /plain`` (a plain request), ``GET /denied``
with ``Upgrade: websocket`` (the proxy is expected to refuse it itself), then
``GET /echo`` with ``Upgrade: websocket`` (expected 101), MESSAGES text
messages (each echo awaited), close 1000, wait for the peer's close frame and
its TCP FIN, close. If the proxy closes the connection after an answer, the
client logs that and goes on with a new connection (the log says so; the
scenario is then not "one connection" and the recording script fails).

Log (JSON lines, who "client"): "handshake" (request line and headers as
sent, status, reason, headers and body as received), "frame" (WebSocket
frames with mask keys), "tcp" (connects, FINs), "closed", "done".
"""
import base64
import hashlib
import os
import signal
import socket
import sys

import ws_frames

USER_AGENT = "switchpoint-proxy-sample-keepalive-client"
CLOSE_REASON = "switchpoint proxy sample done"
WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
MAX_HEAD = 16384
MAX_BODY = 65536


class Conn:
    def __init__(self, host, port, log, label):
        self.host, self.port, self.log, self.label = host, port, log, label
        self.sock = socket.create_connection((host, port), timeout=10)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.eof = False
        local = self.sock.getsockname()
        log.write("tcp", conn=label, what="connected", local=f"{local[0]}:{local[1]}")

    def fill(self):
        data = self.sock.recv(65536)
        if not data:
            self.eof = True
            self.log.write("tcp", conn=self.label, dir="recv", what="FIN from the proxy")
        self.buf += data

    def read_head(self):
        while b"\r\n\r\n" not in self.buf and not self.eof and len(self.buf) < MAX_HEAD:
            self.fill()
        head, sep, rest = self.buf.partition(b"\r\n\r\n")
        if not sep:
            return None
        self.buf = rest
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        headers = [line.split(": ", 1) for line in lines[1:]]
        return int(parts[1]), parts[2] if len(parts) > 2 else "", headers

    def read_body(self, headers, status):
        h = {k.lower(): v for k, v in headers}
        if status in (101, 204, 304):
            return b""
        if "content-length" in h:
            n = min(int(h["content-length"]), MAX_BODY)
            while len(self.buf) < n and not self.eof:
                self.fill()
            body, self.buf = self.buf[:n], self.buf[n:]
            return body
        while not self.eof and len(self.buf) < MAX_BODY:  # until close
            self.fill()
        body, self.buf = self.buf, b""
        return body

    def request(self, path, extra):
        headers = [["Host", f"{self.host}:{self.port}"], ["User-Agent", USER_AGENT]] + extra
        raw = f"GET {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
        self.sock.sendall(raw.encode())
        got = self.read_head()
        entry = {"conn": self.label, "request_line": f"GET {path} HTTP/1.1",
                 "request_headers": headers}
        if got is None:
            entry.update(status=None, error="connection closed before a response")
            self.log.write("handshake", **entry)
            return None, []
        status, reason, rheaders = got
        body = self.read_body(rheaders, status)
        entry.update(status=status, reason=reason, response_headers=rheaders)
        if body:
            entry["body"] = body.decode("utf-8", "replace")[:300]
        self.log.write("handshake", **entry)
        return status, rheaders

    def send_ws(self, opcode, payload):
        data, key = ws_frames.encode(opcode, payload, mask=True)
        self.log.write("frame", **ws_frames.frame_entry("send", opcode, payload, key, self.label))
        self.sock.sendall(data)

    def recv_ws(self):
        for _ in range(100):
            got = ws_frames.decode(self.buf)
            if got is not None:
                _, opcode, payload, used = got
                self.buf = self.buf[used:]
                self.log.write("frame", **ws_frames.frame_entry("recv", opcode, payload, None, self.label))
                return opcode, payload
            if self.eof:
                break
            self.fill()
        raise RuntimeError("no WebSocket frame")


def upgrade_headers(key):
    return [["Connection", "Upgrade"], ["Upgrade", "websocket"],
            ["Sec-WebSocket-Key", key], ["Sec-WebSocket-Version", "13"]]


def run(host, port, messages, log):
    labels = iter("ABCDEFG")
    c = Conn(host, port, log, next(labels))
    connections = 1

    def fresh_if_closed(c):
        nonlocal connections
        if not c.eof:
            return c
        c.sock.close()
        connections += 1
        return Conn(host, port, log, next(labels))

    c.request("/plain", [])
    c = fresh_if_closed(c)
    c.request("/denied", upgrade_headers(base64.b64encode(os.urandom(16)).decode()))
    c = fresh_if_closed(c)
    key = base64.b64encode(os.urandom(16)).decode()
    status, rheaders = c.request("/echo", upgrade_headers(key))
    if status != 101:
        log.write("done", conn=c.label, outcome="upgrade-refused", status=status,
                  tcp_connections=connections, messages_sent=0, messages_received=0)
        return False
    accept = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
    got_accept = {k.lower(): v for k, v in rheaders}.get("sec-websocket-accept")
    assert got_accept == accept, (got_accept, accept)
    received = 0
    for i in range(messages):
        text = f"{c.label}{i}: switchpoint keep-alive proxy sample message {i}"
        c.send_ws(0x1, text.encode())
        opcode, payload = c.recv_ws()
        assert opcode == 0x1 and payload.decode() == text, (opcode, payload)
        received += 1
    c.send_ws(0x8, ws_frames.close_payload(1000, CLOSE_REASON))
    opcode, payload = c.recv_ws()
    entry = ws_frames.frame_entry("recv", opcode, payload)
    log.write("closed", conn=c.label, code=entry.get("code"), reason=entry.get("reason", ""),
              close_frame_received=opcode == 0x8, close_frame_sent=True)
    for _ in range(50):  # the server closes the TCP connection first (RFC 6455 7.1.1)
        if c.eof:
            break
        c.fill()
    c.sock.close()
    log.write("done", conn=c.label, outcome="ok", tcp_connections=connections,
              messages_sent=messages, messages_received=received)
    return connections == 1


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    signal.alarm(60)
    host, port, messages, log_path = sys.argv[1:]
    log = ws_frames.JsonLines("client", log_path)
    try:
        ok = run(host, int(port), int(messages), log)
    except Exception as exc:  # noqa: BLE001 - logged, scenario fails
        log.write("done", conn="?", outcome="error", error=repr(exc))
        ok = False
    sys.exit(0 if ok else 3)


if __name__ == "__main__":
    main()
