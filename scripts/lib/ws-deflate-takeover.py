#!/usr/bin/env python3
"""permessage-deflate session with context takeover, for
scripts/record-samples-deflate-takeover.

The client sends 30 text messages built from a sliding pool of lines (seeded):
each message repeats lines of the two before it, so the compressor's
back-references reach across messages, and the content drifts (3 new lines a
message); the server echoes each one. Both
sides use 15-bit windows (32 KiB) and keep their context. Each side logs one
JSON line per message it sent or received (len, sha256, first 60 chars) and
the extensions it negotiated.

  ws-deflate-takeover.py server HOST PORT LOG
  ws-deflate-takeover.py client URL LOG
"""
import asyncio
import hashlib
import json
import random
import sys
import time

from websockets.asyncio.client import connect
from websockets.asyncio.server import serve
from websockets.extensions.permessage_deflate import (
    ClientPerMessageDeflateFactory,
    ServerPerMessageDeflateFactory,
)

MESSAGES = 30
WINDOW_BITS = 15


def messages():
    """Message n repeats lines of messages n-2 and n-1 (a sliding pool: 3 new lines per
    message, each line used for 3 messages), so back-references reach across messages
    while the content drifts, as a chat or a feed's does."""
    rng = random.Random(7692)
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
             "india", "juliett", "kilo", "lima", "mike", "november", "oscar", "papa"]
    pool = [f"{i:04d} {rng.choice(words)} worker-{rng.randrange(8)} path=/api/v1/{rng.choice(words)}"
            f" status={rng.choice([200, 200, 204, 301, 404, 500])} note={' '.join(rng.choices(words, k=6))}\n"
            for i in range(3 * MESSAGES + 9)]
    for n in range(MESSAGES):
        lines = [f"message {n:02d} token={rng.getrandbits(64):016x}\n"]
        lines += rng.choices(pool[3 * n:3 * n + 9], k=rng.randrange(20, 40))
        yield "".join(lines)


class Log:
    def __init__(self, side, path):
        self.side = side
        self.out = open(path, "w", buffering=1)

    def write(self, **entry):
        self.out.write(json.dumps({"t": round(time.time(), 6), "side": self.side, **entry}) + "\n")

    def message(self, direction, text):
        data = text.encode()
        self.write(layer="ws-message", dir=direction, type="text", len=len(data),
                   sha256=hashlib.sha256(data).hexdigest(), text=text[:60])


async def run_server(host, port, log_path):
    log = Log("server", log_path)

    async def echo(ws):
        log.write(layer="http", type="http-request", text=f"GET {ws.request.path}",
                  extensions_offered=ws.request.headers.get("Sec-WebSocket-Extensions"))
        log.write(layer="http", type="http-response", status=ws.response.status_code,
                  extensions_accepted=ws.response.headers.get("Sec-WebSocket-Extensions"))
        async for message in ws:
            log.message("recv", message)
            await ws.send(message)
            log.message("send", message)

    factory = ServerPerMessageDeflateFactory(
        server_max_window_bits=WINDOW_BITS, client_max_window_bits=WINDOW_BITS,
        compress_settings={"memLevel": 8})
    async with serve(echo, host, port, extensions=[factory], compression=None, max_size=2**20,
                     ping_interval=None, server_header="switchpoint-sample-server") as server:
        print(f"listening on {host}:{port}", flush=True)
        await server.serve_forever()


async def run_client(url, log_path):
    log = Log("client", log_path)
    factory = ClientPerMessageDeflateFactory(
        server_max_window_bits=WINDOW_BITS, client_max_window_bits=WINDOW_BITS,
        compress_settings={"memLevel": 8})
    async with connect(url, extensions=[factory], compression=None, max_size=2**20, ping_interval=None,
                       user_agent_header="switchpoint-sample-client") as ws:
        log.write(layer="http", type="http-response", status=ws.response.status_code,
                  extensions_accepted=ws.response.headers.get("Sec-WebSocket-Extensions"))
        for text in messages():
            await ws.send(text)
            log.message("send", text)
            echo = await ws.recv()
            log.message("recv", echo)
            assert echo == text
        await ws.close(code=1000, reason="bye")
        log.write(layer="ws-closed", code=1000, reason="bye")


def main():
    mode = sys.argv[1]
    if mode == "server":
        asyncio.run(run_server(sys.argv[2], int(sys.argv[3]), sys.argv[4]))
    elif mode == "client":
        asyncio.run(asyncio.wait_for(run_client(sys.argv[2], sys.argv[3]), 60))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
