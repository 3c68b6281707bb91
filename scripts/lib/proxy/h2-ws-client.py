#!/usr/bin/env python3
"""RFC 8441 WebSocket client over cleartext HTTP/2 (prior knowledge), for
scripts/record-samples-proxy-peers (scenario haproxy-rfc8441).

  h2-ws-client.py HOST PORT PATH MESSAGES LOG

HTTP/2 is python ``h2``; the WebSocket frames inside the stream's DATA are
built here (ws_frames.py: FIN frames, masked with a fresh key each). Steps:
connection preface + SETTINGS, wait for the server's SETTINGS with
SETTINGS_ENABLE_CONNECT_PROTOCOL = 1, HEADERS ``:method CONNECT``,
``:protocol websocket``, ``:scheme http``, ``:path PATH``, ``:authority``,
``sec-websocket-version: 13``; wait for ``:status 200``; MESSAGES text
messages, each echo awaited; close 1000; wait for the peer's close frame and
END_STREAM; END_STREAM, GOAWAY, TCP close.

Log (JSON lines, who "client"): "h2" (every HTTP/2 frame sent/received as h2
reports it: type, stream, headers, DATA length), "handshake" (the CONNECT's
headers and the response), "frame" (WebSocket frames, with mask keys), "done".
"""
import signal
import socket
import sys

import ws_frames
from h2.config import H2Configuration
from h2.connection import H2Connection
from h2.events import (ConnectionTerminated, DataReceived, PingAckReceived, PingReceived,
                       RemoteSettingsChanged, ResponseReceived, SettingsAcknowledged,
                       StreamEnded, StreamReset, WindowUpdated)
from h2.settings import SettingCodes

CLOSE_REASON = "switchpoint proxy sample done"
MAX_ROUNDS = 400  # socket reads while waiting for one thing (each <= 10 s)


def hdrs(headers):
    return [[k.decode() if isinstance(k, bytes) else k, v.decode() if isinstance(v, bytes) else v]
            for k, v in headers]


class Client:
    def __init__(self, host, port, log):
        self.log = log
        self.sock = socket.create_connection((host, port), timeout=10)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.conn = H2Connection(H2Configuration(client_side=True, header_encoding="utf-8"))
        self.stream = None
        self.status = None
        self.response_headers = None
        self.ws_buf = b""
        self.frames = []  # (opcode, payload) received on the stream
        self.remote_ended = False
        self.stream_reset = None  # error code of the server's RST_STREAM
        self.closed = False

    def h2(self, direction, kind, **fields):
        self.log.write("h2", dir=direction, type=kind, **fields)

    def flush(self):
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def receive(self):
        data = self.sock.recv(65536)
        if not data:
            self.closed = True
            self.log.write("tcp", dir="recv", what="FIN from the server")
            return
        for ev in self.conn.receive_data(data):
            self.on_event(ev)
        self.flush()

    def on_event(self, ev):
        if isinstance(ev, RemoteSettingsChanged):
            self.h2("recv", "SETTINGS", stream=0, settings={
                (SettingCodes(k).name if k in SettingCodes._value2member_map_ else str(k)): v.new_value
                for k, v in ev.changed_settings.items()})
        elif isinstance(ev, SettingsAcknowledged):
            self.h2("recv", "SETTINGS-ACK", stream=0)
        elif isinstance(ev, ResponseReceived):
            self.response_headers = hdrs(ev.headers)
            self.status = dict(self.response_headers).get(":status")
            self.h2("recv", "HEADERS", stream=ev.stream_id, headers=self.response_headers,
                    end_stream=ev.stream_ended is not None)
        elif isinstance(ev, DataReceived):
            self.h2("recv", "DATA", stream=ev.stream_id, len=len(ev.data),
                    end_stream=ev.stream_ended is not None)
            self.conn.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
            if ev.stream_id == self.stream:
                self.ws_buf += ev.data
                self.parse_frames()
        elif isinstance(ev, StreamEnded):
            self.h2("recv", "END_STREAM", stream=ev.stream_id)
            if ev.stream_id == self.stream:
                self.remote_ended = True
        elif isinstance(ev, WindowUpdated):
            self.h2("recv", "WINDOW_UPDATE", stream=ev.stream_id, increment=ev.delta)
        elif isinstance(ev, (PingReceived, PingAckReceived)):
            self.h2("recv", "PING" if isinstance(ev, PingReceived) else "PING-ACK", stream=0)
        elif isinstance(ev, StreamReset):
            self.h2("recv", "RST_STREAM", stream=ev.stream_id, error_code=int(ev.error_code))
            if ev.stream_id == self.stream:
                self.remote_ended = True
                self.stream_reset = int(ev.error_code)
        elif isinstance(ev, ConnectionTerminated):
            self.h2("recv", "GOAWAY", stream=0, error_code=int(ev.error_code),
                    last_stream_id=ev.last_stream_id)
            self.closed = True

    def parse_frames(self):
        while True:
            got = ws_frames.decode(self.ws_buf)
            if got is None:
                return
            _, opcode, payload, used = got
            self.ws_buf = self.ws_buf[used:]
            self.log.write("frame", **ws_frames.frame_entry("recv", opcode, payload))
            self.frames.append((opcode, payload))

    def wait_for(self, what, description):
        for _ in range(MAX_ROUNDS):
            if what() or self.closed:
                break
            self.receive()
        if not what():
            raise RuntimeError(f"gave up waiting for {description}")

    def send_ws(self, opcode, payload):
        data, key = ws_frames.encode(opcode, payload, mask=True)
        self.log.write("frame", **ws_frames.frame_entry("send", opcode, payload, key))
        self.conn.send_data(self.stream, data)
        self.h2("send", "DATA", stream=self.stream, len=len(data))
        self.flush()

    def next_frame(self, opcode, description):
        self.wait_for(lambda: any(o == opcode for o, _ in self.frames), description)
        for i, (o, p) in enumerate(self.frames):
            if o == opcode:
                del self.frames[i]
                return p


def run(host, port, path, messages, log):
    c = Client(host, port, log)
    c.conn.initiate_connection()
    c.h2("send", "SETTINGS", stream=0,
         settings={s.name: v for s, v in c.conn.local_settings.items()})
    c.flush()
    c.wait_for(lambda: c.conn.remote_settings.enable_connect_protocol == 1,
               "SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 from the server")
    c.stream = c.conn.get_next_available_stream_id()
    req = [(":method", "CONNECT"), (":protocol", "websocket"), (":scheme", "http"),
           (":path", path), (":authority", f"{host}:{port}"),
           ("sec-websocket-version", "13"), ("user-agent", "switchpoint-proxy-sample-h2-client")]
    c.conn.send_headers(c.stream, req, end_stream=False)
    c.h2("send", "HEADERS", stream=c.stream, headers=req, end_stream=False)
    c.flush()
    c.wait_for(lambda: c.status is not None, "the response to the extended CONNECT")
    log.write("handshake", conn="A", request_line=f"CONNECT {path} HTTP/2 (:protocol websocket)",
              request_headers=[list(h) for h in req], status=int(c.status),
              reason="", response_headers=c.response_headers)
    if c.status != "200":
        log.write("done", conn="A", outcome="upgrade-refused", status=int(c.status),
                  messages_sent=0, messages_received=0)
        return False
    received = 0
    for i in range(messages):
        text = f"A{i}: switchpoint RFC 8441 proxy sample message {i}"
        c.send_ws(0x1, text.encode())
        echo = c.next_frame(0x1, f"echo {i}").decode()
        assert echo == text, (echo, text)
        received += 1
    c.send_ws(0x8, ws_frames.close_payload(1000, CLOSE_REASON))
    close = c.next_frame(0x8, "the peer's close frame")
    entry = ws_frames.frame_entry("recv", 0x8, close)
    log.write("closed", conn="A", code=entry.get("code"), reason=entry.get("reason", ""),
              close_frame_received=True, close_frame_sent=True)
    c.wait_for(lambda: c.remote_ended, "END_STREAM from the server")
    # HAProxy follows its END_STREAM with RST_STREAM(CANCEL): the stream is
    # then closed both ways and there is nothing left to end.
    if c.stream_reset is None:
        c.conn.end_stream(c.stream)
        c.h2("send", "DATA", stream=c.stream, len=0, end_stream=True)
    else:
        c.h2("note", "stream already reset by the server: no END_STREAM sent",
             stream=c.stream, error_code=c.stream_reset)
    c.conn.close_connection()
    c.h2("send", "GOAWAY", stream=0, error_code=0)
    c.flush()
    c.sock.shutdown(socket.SHUT_WR)
    log.write("tcp", dir="send", what="FIN (shutdown SHUT_WR)")
    try:  # drain until the server closes, bounded by the socket timeout
        for _ in range(50):
            if not c.sock.recv(65536):
                log.write("tcp", dir="recv", what="FIN from the server")
                break
    except OSError as exc:
        log.write("tcp", dir="recv", what=f"error {exc!r}")
    c.sock.close()
    log.write("done", conn="A", outcome="ok", messages_sent=messages, messages_received=received)
    return True


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    signal.alarm(60)
    host, port, path, messages, log_path = sys.argv[1:]
    log = ws_frames.JsonLines("client", log_path)
    try:
        ok = run(host, int(port), path, int(messages), log)
    except Exception as exc:  # noqa: BLE001 - logged, scenario fails
        log.write("done", conn="A", outcome="error", error=repr(exc))
        ok = False
    sys.exit(0 if ok else 3)


if __name__ == "__main__":
    main()
