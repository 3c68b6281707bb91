#!/usr/bin/env python3
"""permessage-deflate session with context takeover, for
scripts/record-samples-deflate-takeover.

The client sends 30 messages, each echoed by the server, built from a sliding
pool (seeded): each message repeats pieces of the two before it, so the
compressor's back-references reach across messages, and 3 new pieces come in
with each message. CONTENT chooses the pieces: "binary", blocks of 256 random
bytes (nothing in common but the repeats), or "text", log-like lines over a
small vocabulary (words, keys and digits recur in every line). Both sides use
15-bit windows (32 KiB) and keep their context. Each side logs one JSON line
per message it sent or received (len, sha256, the first 60 characters of a
text) and the extensions it negotiated.

  ws-deflate-takeover.py server HOST PORT LOG
  ws-deflate-takeover.py client URL LOG CONTENT
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


def binary_messages():
    """Message n: a 1-byte number and 7 random bytes (an id), then 10-13 blocks drawn from
    blocks 3n to 3n+8 of a pool of 256-byte random blocks (3 new blocks per message, each
    used for 3). No fixed header: bytes copied from one message to the next forever would
    carry the unseen history on (the text file shows that)."""
    rng = random.Random(7692)
    pool = [rng.randbytes(256) for _ in range(3 * MESSAGES + 9)]
    for n in range(MESSAGES):
        blocks = rng.choices(pool[3 * n:3 * n + 9], k=rng.randrange(10, 14))
        yield bytes([n]) + rng.randbytes(7) + b"".join(blocks)


def text_messages():
    """Message n repeats lines of messages n-2 and n-1 (a sliding pool: 3 new lines per
    message, each line used for 3 messages), as a chat or a feed's does."""
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

    def message(self, direction, message):
        if isinstance(message, str):
            data = message.encode()
            self.write(layer="ws-message", dir=direction, type="text", len=len(data),
                       sha256=hashlib.sha256(data).hexdigest(), text=message[:60])
        else:
            self.write(layer="ws-message", dir=direction, type="binary", len=len(message),
                       sha256=hashlib.sha256(message).hexdigest())


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


async def run_client(url, log_path, content):
    log = Log("client", log_path)
    factory = ClientPerMessageDeflateFactory(
        server_max_window_bits=WINDOW_BITS, client_max_window_bits=WINDOW_BITS,
        compress_settings={"memLevel": 8})
    async with connect(url, extensions=[factory], compression=None, max_size=2**20, ping_interval=None,
                       user_agent_header="switchpoint-sample-client") as ws:
        log.write(layer="http", type="http-response", status=ws.response.status_code,
                  extensions_accepted=ws.response.headers.get("Sec-WebSocket-Extensions"))
        for message in (binary_messages() if content == "binary" else text_messages()):
            await ws.send(message)
            log.message("send", message)
            echo = await ws.recv()
            log.message("recv", echo)
            assert echo == message
        await ws.close(code=1000, reason="bye")
        log.write(layer="ws-closed", code=1000, reason="bye")


def main():
    mode = sys.argv[1]
    if mode == "server":
        asyncio.run(run_server(sys.argv[2], int(sys.argv[3]), sys.argv[4]))
    elif mode == "client":
        asyncio.run(asyncio.wait_for(run_client(sys.argv[2], sys.argv[3], sys.argv[4]), 60))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
