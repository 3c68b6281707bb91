#!/usr/bin/env python3
"""python-socketio server (aiohttp) or client (AsyncClient) for the Socket.IO sample.

server PORT LOG: serves /socket.io/ on 127.0.0.1:PORT until the client disconnects
(at most 60 s), logging with logger=True, engineio_logger=True into LOG.
client PORT LOG: connects (polling first, then the WebSocket upgrade, the library's
default; client-separate: a new TCP connection per request), emits three events with acks, receives the server's event and a binary
event, sends one binary event with an ack, disconnects.
"""
import asyncio
import logging
import sys

import socketio


def log_to(path, name):
    handler = logging.FileHandler(path, mode="w")
    handler.setFormatter(logging.Formatter("%(created).6f " + name + " %(name)s %(levelname)s %(message)s"))
    for logger_name in ("socketio", "engineio"):
        for suffix in (".server", ".client", ""):
            logger = logging.getLogger(logger_name + suffix)
            logger.addHandler(handler)
            logger.setLevel(logging.DEBUG)
            logger.propagate = False
    return logging.getLogger("socketio" + ("." + name))


async def server(port, log_path):
    from aiohttp import web

    logger = log_to(log_path, "server")
    sio = socketio.AsyncServer(
        async_mode="aiohttp", logger=logger, engineio_logger=logging.getLogger("engineio.server"),
        ping_interval=2, ping_timeout=5)
    app = web.Application()
    sio.attach(app)
    done = asyncio.Event()

    @sio.event
    async def connect(sid, environ, auth):
        await sio.emit("welcome", {"text": "hello from the server"}, to=sid)

    @sio.on("chat")
    async def chat(sid, data):
        return {"ok": True, "echo": data}

    @sio.on("add")
    async def add(sid, a, b):
        return a + b

    @sio.on("upload")
    async def upload(sid, blob):
        await sio.emit("download", {"name": "reply.bin", "data": bytes(range(16))}, to=sid)
        return len(blob)

    @sio.event
    async def disconnect(sid, reason=None):
        done.set()

    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        await asyncio.wait_for(done.wait(), 60)
    finally:
        await asyncio.sleep(0.3)
        await runner.cleanup()


async def client(port, log_path, separate=False):
    logger = log_to(log_path, "client")
    options = {}
    if separate:
        # A connection per request: the polling requests and the WebSocket each on its own.
        import aiohttp
        options["http_session"] = aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True))
    sio = socketio.AsyncClient(logger=logger, engineio_logger=logging.getLogger("engineio.client"), **options)
    got_download = asyncio.Event()
    welcomed = asyncio.Event()

    @sio.on("welcome")
    async def welcome(data):
        welcomed.set()

    @sio.on("download")
    async def download(data):
        got_download.set()

    await sio.connect(f"http://127.0.0.1:{port}", wait_timeout=10)
    await asyncio.wait_for(welcomed.wait(), 10)
    # Let the upgrade finish and a heartbeat or two pass.
    for _ in range(50):
        if sio.eio.current_transport == "websocket":
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(2.5)
    await sio.call("chat", {"msg": "hi"}, timeout=10)
    await sio.call("add", (2, 3), timeout=10)
    await sio.emit("chat", {"msg": "no ack wanted"})
    await sio.call("upload", b"\x00\x01\x02binary\xff", timeout=10)
    await asyncio.wait_for(got_download.wait(), 10)
    await asyncio.sleep(0.3)
    await sio.disconnect()
    if separate:
        await options["http_session"].close()


if __name__ == "__main__":
    role, port, log_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if role == "server":
        asyncio.run(server(port, log_path))
    else:
        asyncio.run(client(port, log_path, separate=role == "client-separate"))
