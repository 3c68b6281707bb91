#!/usr/bin/env python3
"""RFC 8441 (WebSocket over HTTP/2, extended CONNECT) over cleartext TCP
(h2c, prior knowledge), for record-samples-protocols.

  h2_websocket.py server HOST PORT LOG     serves ONE connection, then exits
  h2_websocket.py client HOST PORT LOG

HTTP/2 is python ``h2``; the WebSocket layer inside the stream is the
``websockets`` library's sans-I/O ``Protocol`` (state OPEN: RFC 8441 has no
HTTP/1.1 handshake), so framing, client masking, the automatic pong and the
close handshake are the library's own.

Server: initial SETTINGS include SETTINGS_ENABLE_CONNECT_PROTOCOL (0x8) = 1.
On ``:method CONNECT`` + ``:protocol websocket`` it answers ``:status 200``
(no END_STREAM) and echoes every text message.  When the WebSocket closing
handshake is done the library "half-closes" (EOF), mapped to END_STREAM.

Client: waits for the server's SETTINGS with ENABLE_CONNECT_PROTOCOL=1,
sends the extended CONNECT (``:method CONNECT``, ``:protocol websocket``,
``:scheme http``, ``:path /chat``, ``:authority``, ``sec-websocket-version: 13``),
waits for ``:status 200``, then: 3 text messages (each echoed), a ping with
payload (library pong), close 1000 "bye" (the server's library answers it);
then END_STREAM, GOAWAY and TCP close.

Logs: JSON lines, layer "h2" for every HTTP/2 frame sent/received (from h2
events, with stream id, headers, DATA lengths, settings) plus the
ws-frame / ws-message entries of wslog.py.
"""
import signal
import socket
import sys

import wslog
from h2.config import H2Configuration
from h2.connection import H2Connection
from h2.events import (
    ConnectionTerminated,
    DataReceived,
    PingAckReceived,
    PingReceived,
    RemoteSettingsChanged,
    RequestReceived,
    ResponseReceived,
    SettingsAcknowledged,
    StreamEnded,
    StreamReset,
    WindowUpdated,
)
from h2.settings import SettingCodes, Settings
from websockets.frames import Opcode
from websockets.protocol import Protocol, Side, State

PATH = "/chat"
TEXTS = [
    "RFC 8441 message 1: hello over an HTTP/2 stream",
    "RFC 8441 message 2: UTF-8 — ünïcödé, 日本語 ✓",
    "RFC 8441 message 3: " + "websocket-over-h2 " * 10,
]
PING_PAYLOAD = b"h2-ws-ping-8441"
LOG = None


def hdrs(headers):
    return [[k.decode() if isinstance(k, bytes) else k, v.decode() if isinstance(v, bytes) else v]
            for k, v in headers]


def log_h2(direction, kind, **fields):
    LOG.write("h2", dir=direction, type=kind, **fields)


def log_events(events):
    for ev in events:
        if isinstance(ev, RemoteSettingsChanged):
            log_h2("recv", "SETTINGS", stream=0,
                   settings={SettingCodes(k).name if k in SettingCodes._value2member_map_ else str(k): v.new_value
                             for k, v in ev.changed_settings.items()})
        elif isinstance(ev, SettingsAcknowledged):
            log_h2("recv", "SETTINGS-ACK", stream=0)
        elif isinstance(ev, (RequestReceived, ResponseReceived)):
            log_h2("recv", "HEADERS", stream=ev.stream_id, headers=hdrs(ev.headers),
                   end_stream=ev.stream_ended is not None)
        elif isinstance(ev, DataReceived):
            log_h2("recv", "DATA", stream=ev.stream_id, len=len(ev.data),
                   sha256=wslog.sha256(ev.data), end_stream=ev.stream_ended is not None)
        elif isinstance(ev, StreamEnded):
            log_h2("recv", "END_STREAM", stream=ev.stream_id)
        elif isinstance(ev, WindowUpdated):
            log_h2("recv", "WINDOW_UPDATE", stream=ev.stream_id, increment=ev.delta)
        elif isinstance(ev, (PingReceived, PingAckReceived)):
            log_h2("recv", "PING" if isinstance(ev, PingReceived) else "PING-ACK", stream=0)
        elif isinstance(ev, StreamReset):
            log_h2("recv", "RST_STREAM", stream=ev.stream_id, error_code=int(ev.error_code))
        elif isinstance(ev, ConnectionTerminated):
            log_h2("recv", "GOAWAY", stream=0, error_code=int(ev.error_code),
                   last_stream_id=ev.last_stream_id)


class Peer:
    """One h2 connection on a socket + the WebSocket protocol of one stream."""

    def __init__(self, sock, client_side):
        self.sock = sock
        self.sock.settimeout(10)
        # No Nagle: each h2 write goes out at once (no 40 ms delayed-ACK stalls).
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        cfg = H2Configuration(client_side=client_side, header_encoding="utf-8")
        self.conn = H2Connection(cfg)
        if not client_side:
            self.conn.local_settings = Settings(client=False, initial_values={
                SettingCodes.MAX_CONCURRENT_STREAMS: 100,
                SettingCodes.MAX_HEADER_LIST_SIZE: 65536,
                SettingCodes.ENABLE_CONNECT_PROTOCOL: 1,
            })
        self.ws = None
        self.stream = None
        self.stream_ended_local = False
        self.stream_ended_remote = False
        self.ws_events = []
        self.closed = False

    def flush(self):
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def start(self):
        self.conn.initiate_connection()
        settings = {s.name: v for s, v in self.conn.local_settings.items()}
        log_h2("send", "SETTINGS", stream=0, settings=settings)
        self.flush()

    def pump_ws(self):
        """WebSocket bytes -> DATA frames; library EOF -> END_STREAM."""
        for chunk in self.ws.data_to_send():
            if chunk:
                self.conn.send_data(self.stream, chunk)
                log_h2("send", "DATA", stream=self.stream, len=len(chunk), sha256=wslog.sha256(chunk))
            elif not self.stream_ended_local:
                self.end_stream()
        self.flush()

    def end_stream(self):
        if not self.stream_ended_local:
            self.conn.end_stream(self.stream)
            self.stream_ended_local = True
            log_h2("send", "DATA", stream=self.stream, len=0, end_stream=True)

    def receive(self):
        """Read once from the socket, feed h2, return the h2 events."""
        data = self.sock.recv(65536)
        if not data:
            self.closed = True
            return []
        events = self.conn.receive_data(data)
        log_events(events)
        for ev in events:
            if isinstance(ev, DataReceived):
                self.conn.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
                if self.ws is not None and ev.stream_id == self.stream:
                    self.ws.receive_data(ev.data)
            elif isinstance(ev, StreamEnded) and ev.stream_id == self.stream:
                self.stream_ended_remote = True
                if self.ws is not None:
                    self.ws.receive_eof()
            elif isinstance(ev, ConnectionTerminated):
                self.closed = True
        if self.ws is not None:
            self.ws_events.extend(self.ws.events_received())
            self.pump_ws()
        self.flush()
        return events

    def wait_for(self, what, description, rounds=200):
        for _ in range(rounds):
            if what():
                return
            if self.closed:
                break
            self.receive()
        if not what():
            raise RuntimeError(f"timed out waiting for {description}")

    def next_ws_frame(self, opcode, description):
        def have():
            return any(f.opcode is opcode for f in self.ws_events)
        self.wait_for(have, description)
        for i, f in enumerate(self.ws_events):
            if f.opcode is opcode:
                return self.ws_events.pop(i)


def run_server(host, port):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((host, port))
    srv.listen(1)
    srv.settimeout(60)
    print(f"listening on {host}:{port}", flush=True)
    sock, _ = srv.accept()
    srv.close()
    p = Peer(sock, client_side=False)
    p.start()
    for _ in range(500):
        if p.closed:
            break
        events = p.receive()
        for ev in events:
            if isinstance(ev, RequestReceived):
                h = dict(hdrs(ev.headers))
                ok = (h.get(":method") == "CONNECT" and h.get(":protocol") == "websocket"
                      and h.get(":path") == PATH and h.get("sec-websocket-version") == "13")
                status = "200" if ok else "400"
                resp = [(":status", status), ("server", "switchpoint-sample-h2-server")]
                p.conn.send_headers(ev.stream_id, resp, end_stream=not ok)
                log_h2("send", "HEADERS", stream=ev.stream_id, headers=resp, end_stream=not ok)
                if ok:
                    p.stream = ev.stream_id
                    p.ws = Protocol(Side.SERVER, state=State.OPEN, max_size=2**20)
                p.flush()
        if p.ws is not None:
            while p.ws_events:
                frame = p.ws_events.pop(0)
                if frame.opcode is Opcode.TEXT:
                    text = frame.data.decode()
                    wslog.log_message("recv", text)
                    p.ws.send_text(text.encode())
                    wslog.log_message("send", text)
                    p.pump_ws()
        if p.stream_ended_remote and p.stream_ended_local:
            # Stream done: wait (bounded) for the client's GOAWAY / FIN.
            p.wait_for(lambda: p.closed, "client GOAWAY / close", rounds=50)
            break
    if not p.closed:
        p.conn.close_connection()
        log_h2("send", "GOAWAY", stream=0)
        p.flush()
    sock.close()
    LOG.write("done", dir="-", ws_state=p.ws.state.name if p.ws else None,
              close_code=int(p.ws.close_rcvd.code) if p.ws and p.ws.close_rcvd else None)


def run_client(host, port):
    sock = socket.create_connection((host, port), timeout=10)
    p = Peer(sock, client_side=True)
    p.start()
    p.wait_for(lambda: p.conn.remote_settings.enable_connect_protocol == 1,
               "SETTINGS_ENABLE_CONNECT_PROTOCOL=1 from the server")
    p.stream = p.conn.get_next_available_stream_id()
    req = [(":method", "CONNECT"), (":protocol", "websocket"), (":scheme", "http"),
           (":path", PATH), (":authority", f"{host}:{port}" if port != 80 else host),
           ("sec-websocket-version", "13"), ("origin", f"http://{host}"),
           ("user-agent", "switchpoint-sample-h2-client")]
    p.conn.send_headers(p.stream, req, end_stream=False)
    log_h2("send", "HEADERS", stream=p.stream, headers=req, end_stream=False)
    p.flush()
    status = {}

    def got_response():
        return "status" in status

    # Collect the response headers from the events as they come.
    orig_receive = p.receive

    def receive_watch():
        events = orig_receive()
        for ev in events:
            if isinstance(ev, ResponseReceived) and ev.stream_id == p.stream:
                status["status"] = dict(hdrs(ev.headers)).get(":status")
        return events

    p.receive = receive_watch
    p.wait_for(got_response, "the response to the extended CONNECT")
    if status["status"] != "200":
        raise RuntimeError(f"extended CONNECT refused: {status}")
    p.ws = Protocol(Side.CLIENT, state=State.OPEN, max_size=2**20)
    for text in TEXTS:
        p.ws.send_text(text.encode())
        wslog.log_message("send", text)
        p.pump_ws()
        echo = p.next_ws_frame(Opcode.TEXT, "echo").data.decode()
        wslog.log_message("recv", echo)
        assert echo == text, (echo, text)
    p.ws.send_ping(PING_PAYLOAD)
    p.pump_ws()
    pong = p.next_ws_frame(Opcode.PONG, "pong")
    assert pong.data == PING_PAYLOAD
    p.ws.send_close(1000, "bye")
    p.pump_ws()
    p.next_ws_frame(Opcode.CLOSE, "the server's close frame")
    p.wait_for(lambda: p.stream_ended_remote, "END_STREAM from the server")
    p.end_stream()
    p.flush()
    p.conn.close_connection()
    log_h2("send", "GOAWAY", stream=0, error_code=0)
    p.flush()
    sock.shutdown(socket.SHUT_WR)
    # Drain until the server closes (bounded by the socket timeout).
    try:
        for _ in range(50):
            if not sock.recv(65536):
                break
    except OSError:
        pass
    sock.close()
    LOG.write("done", dir="-", ws_state=p.ws.state.name, close_code=int(p.ws.close_rcvd.code),
              close_reason=p.ws.close_rcvd.reason)


def main():
    global LOG
    if len(sys.argv) != 5 or sys.argv[1] not in ("server", "client"):
        sys.exit(__doc__)
    signal.alarm(90)  # hard upper bound on top of the socket timeouts
    LOG = wslog.install_frame_hooks(sys.argv[1], sys.argv[4])
    (run_server if sys.argv[1] == "server" else run_client)(sys.argv[2], int(sys.argv[3]))


if __name__ == "__main__":
    main()
