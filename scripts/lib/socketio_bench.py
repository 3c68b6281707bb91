"""Socket.IO traffic for the benchmark capture (scripts/make-bench-socketio).

server PORT            python-socketio AsyncServer on aiohttp, 127.0.0.1:PORT: answers
                       every `echo` event with an ack carrying the data back, and emits a
                       `tick` event to the client every tenth echo.
client PORT CONNS SEED CONNS clients (python-socketio AsyncClient, polling first, then the
                       WebSocket upgrade, as browsers do), each emitting `echo` events of
                       10-400 bytes with an ack, WINDOW in flight, until killed.
"""

import asyncio
import random
import sys

import socketio
from aiohttp import web

WINDOW = 8


def serve(port):
    sio = socketio.AsyncServer(async_mode="aiohttp", logger=False, engineio_logger=False)
    app = web.Application()
    sio.attach(app)
    counts = {}

    @sio.event
    async def echo(sid, data):
        counts[sid] = counts.get(sid, 0) + 1
        if counts[sid] % 10 == 0:
            await sio.emit("tick", {"n": counts[sid]}, to=sid)
        return data

    web.run_app(app, host="127.0.0.1", port=port, print=None)


async def one_client(port, rng):
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(f"http://127.0.0.1:{port}")

    async def lane():
        while True:
            text = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz ") for _ in range(rng.randint(10, 400)))
            await client.call("echo", {"text": text, "n": rng.randint(0, 1 << 30)}, timeout=30)

    await asyncio.gather(*(lane() for _ in range(WINDOW)))


async def clients(port, conns, seed):
    rng = random.Random(seed)
    await asyncio.gather(*(one_client(port, random.Random(rng.random())) for _ in range(conns)))


if __name__ == "__main__":
    role, port = sys.argv[1], int(sys.argv[2])
    if role == "server":
        serve(port)
    else:
        asyncio.run(clients(port, int(sys.argv[3]), int(sys.argv[4])))
