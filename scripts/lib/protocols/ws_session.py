#!/usr/bin/env python3
"""Scripted WebSocket session (python websockets) for record-samples-protocols.

  ws_session.py server MODE HOST PORT LOG      serves ONE connection, then exits
  ws_session.py client MODE URL LOG

MODE:
  plain           compression=None on both sides
  deflate         websockets' default permessage-deflate (compression="deflate":
                  server_max_window_bits=12; client_max_window_bits=12)
  deflate-params  explicit factories: the client offers server_no_context_takeover,
                  client_no_context_takeover, server_max_window_bits=10 and
                  client_max_window_bits; the server answers
                  client_max_window_bits=11

The session (client side):
  1. 5 text messages (no. 2 multi-byte UTF-8, no. 3 > 125 bytes), each echoed
  2. one binary message of 1,048,576 bytes (plain: seeded random bytes;
     deflate modes: compressible log-like text); the server answers with a
     text message "binary received: N bytes sha256=..." (no echo: keeps the
     capture small)
  3. ping with payload, the library's pong
  4. a fragmented text message (an iterable of 3 strings: websockets sends
     TEXT fin=0, CONT fin=0, CONT fin=0, then an empty CONT fin=1), echoed
     by the server as one message
  5. close 1000 "bye" from the client; the server's library answers it.

Both sides log frames (wslog.py hooks) and messages as JSON lines to LOG.
"""
import asyncio
import hashlib
import random
import sys

import wslog
from websockets.asyncio.client import connect
from websockets.asyncio.server import serve
from websockets.extensions.permessage_deflate import (
    ClientPerMessageDeflateFactory,
    ServerPerMessageDeflateFactory,
)

BINARY_SIZE = 1_048_576
MAX_SIZE = 2**21
TEXTS = [
    "message 1 of 5: hello from the switchpoint sample client",
    "message 2 of 5, UTF-8: héllo wörld — Grüße, 日本語のテキスト, Ελληνικά, emoji 🚀🎉",
    "message 3 of 5, longer than 125 bytes (16-bit extended length): " + "0123456789abcdef" * 12,
    'message 4 of 5: {"type":"chat","from":"alice","to":"bob","body":"hi bob"}',
    "message 5 of 5: last single-frame text message",
]
FRAGMENTS = ["fragmented text message, part 1/3 — ", "part 2/3 with ünïcödé ✓ — ", "part 3/3, end."]
PING_PAYLOAD = b"switchpoint-ping-0042"
CLOSE_REASON = "bye"


def binary_payload(mode):
    rnd = random.Random(6455)
    if mode == "plain":
        return rnd.randbytes(BINARY_SIZE)
    words = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike "
             "november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu").split()
    lines, size, i = [], 0, 0
    while size < BINARY_SIZE:
        line = (f"{i:06d} INFO worker-{i % 4} request path=/api/v1/{rnd.choice(words)} "
                f"status=200 bytes={rnd.choice([512, 1024, 2048, 4096])}\n")
        lines.append(line)
        size += len(line)
        i += 1
    return "".join(lines).encode()[:BINARY_SIZE]


def server_options(mode):
    if mode == "plain":
        return {"compression": None}
    if mode == "deflate":
        return {"compression": "deflate"}
    return {"compression": None, "extensions": [
        ServerPerMessageDeflateFactory(client_max_window_bits=11, compress_settings={"memLevel": 5})]}


def client_options(mode):
    if mode == "plain":
        return {"compression": None}
    if mode == "deflate":
        return {"compression": "deflate"}
    return {"compression": None, "extensions": [
        ClientPerMessageDeflateFactory(
            server_no_context_takeover=True, client_no_context_takeover=True,
            server_max_window_bits=10, client_max_window_bits=True,
            compress_settings={"memLevel": 5})]}


def log_handshake(log, ws, is_server):
    req, resp = ws.request, ws.response
    req_entry = {"type": "http-request", "text": f"GET {req.path} HTTP/1.1",
                 "extensions_offered": req.headers.get("Sec-WebSocket-Extensions")}
    resp_entry = {"type": "http-response", "status": resp.status_code,
                  "text": f"{resp.status_code} {resp.reason_phrase}",
                  "extensions_accepted": resp.headers.get("Sec-WebSocket-Extensions")}
    log.write("http", dir="recv" if is_server else "send", **req_entry)
    log.write("http", dir="send" if is_server else "recv", **resp_entry)
    log.write("ws-extensions", dir="-", negotiated=[repr(e) for e in ws.protocol.extensions])


async def run_server(mode, host, port, log_path):
    log = wslog.install_frame_hooks("server", log_path)
    done = asyncio.Event()

    async def handler(ws):
        try:
            log_handshake(log, ws, True)
            async for message in ws:
                wslog.log_message("recv", message)
                if isinstance(message, bytes):
                    reply = f"binary received: {len(message)} bytes sha256={hashlib.sha256(message).hexdigest()}"
                else:
                    reply = message
                await ws.send(reply)
                wslog.log_message("send", reply)
            await ws.wait_closed()
            log.write("ws-closed", dir="-", code=ws.close_code, reason=ws.close_reason)
        finally:
            done.set()

    async with serve(handler, host, port, max_size=MAX_SIZE, ping_interval=None,
                     server_header="switchpoint-sample-server", **server_options(mode)):
        print(f"listening on {host}:{port}", flush=True)
        await asyncio.wait_for(done.wait(), 120)


async def run_client(mode, url, log_path):
    log = wslog.install_frame_hooks("client", log_path)
    async with connect(url, max_size=MAX_SIZE, ping_interval=None, open_timeout=10,
                       close_timeout=10, user_agent_header="switchpoint-sample-client",
                       **client_options(mode)) as ws:
        log_handshake(log, ws, False)
        for text in TEXTS:
            await ws.send(text)
            wslog.log_message("send", text)
            echo = await ws.recv()
            wslog.log_message("recv", echo)
            assert echo == text, (echo, text)
        blob = binary_payload(mode)
        await ws.send(blob)
        wslog.log_message("send", blob)
        ack = await ws.recv()
        wslog.log_message("recv", ack)
        assert ack == f"binary received: {len(blob)} bytes sha256={hashlib.sha256(blob).hexdigest()}", ack
        pong = await ws.ping(PING_PAYLOAD)
        latency = await asyncio.wait_for(pong, 10)
        log.write("ws-pong-received", dir="recv", latency_s=round(latency, 6))
        await ws.send(FRAGMENTS)
        wslog.log_message("send", "".join(FRAGMENTS))
        echo = await ws.recv()
        wslog.log_message("recv", echo)
        assert echo == "".join(FRAGMENTS)
        await ws.close(code=1000, reason=CLOSE_REASON)
        log.write("ws-closed", dir="-", code=ws.close_code, reason=ws.close_reason)


def main():
    if len(sys.argv) == 6 and sys.argv[1] == "server":
        asyncio.run(run_server(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]))
    elif len(sys.argv) == 5 and sys.argv[1] == "client":
        asyncio.run(asyncio.wait_for(run_client(sys.argv[2], sys.argv[3], sys.argv[4]), 60))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
