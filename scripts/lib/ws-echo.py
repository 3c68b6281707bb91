#!/usr/bin/env python3
"""WebSocket echo server / scripted client for scripts/record-samples.

Both sides log every WebSocket frame they send or receive as one JSON line
(side, dir, type, len, text = first 60 chars of text payloads, close code and
reason), so the analyzer's decoding of the capture can be checked against
what the real endpoints saw.  Frames are taken from the websockets library's
own debug hook ("> FRAME" / "< FRAME"), so pings, pongs and close frames that
the library answers by itself are logged too.

  ws-echo.py server HOST PORT LOG
  ws-echo.py client URL LOG
"""
import asyncio
import json
import logging
import sys
import time

from websockets.asyncio.client import connect
from websockets.asyncio.server import serve
from websockets.frames import Close, Frame, Opcode

TYPES = {
    Opcode.CONT: "continuation",
    Opcode.TEXT: "text",
    Opcode.BINARY: "binary",
    Opcode.CLOSE: "close",
    Opcode.PING: "ping",
    Opcode.PONG: "pong",
}


class FrameLog(logging.Handler):
    """Turns websockets' "< %s" / "> %s" debug records into JSON lines."""

    def __init__(self, side, path):
        super().__init__(logging.DEBUG)
        self.side = side
        self.out = open(path, "w", buffering=1)

    def write(self, **entry):
        self.out.write(json.dumps({"t": round(time.time(), 6), "side": self.side, **entry}) + "\n")

    def emit(self, record):
        if not record.args or not isinstance(record.args[0], Frame):
            return
        frame = record.args[0]
        entry = {
            "dir": "recv" if record.msg.startswith("<") else "send",
            "type": TYPES.get(frame.opcode, str(frame.opcode)),
            "len": len(frame.data),
        }
        if not frame.fin:
            entry["fin"] = False
        if frame.opcode is Opcode.TEXT:
            entry["text"] = frame.data.decode("utf-8", "replace")[:60]
        elif frame.opcode is Opcode.CLOSE and frame.data:
            close = Close.parse(frame.data)
            entry["code"], entry["reason"] = close.code, close.reason
        elif frame.opcode in (Opcode.PING, Opcode.PONG):
            entry["text"] = frame.data.decode("utf-8", "replace")[:60]
        self.write(**entry)


def setup_log(side, path):
    handler = FrameLog(side, path)
    logger = logging.getLogger("websockets")
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    logger.propagate = False
    return handler


async def run_server(host, port, log_path):
    log = setup_log("server", log_path)

    async def echo(ws):
        log.write(dir="recv", type="http-request", text=f"GET {ws.request.path}")
        log.write(dir="send", type="http-response",
                  text=f"{ws.response.status_code} {ws.response.reason_phrase}")
        async for message in ws:
            await ws.send(message)

    # compression=None: no permessage-deflate, payloads stay readable.
    async with serve(echo, host, port, compression=None, max_size=2**20) as server:
        print(f"listening on {host}:{port}", flush=True)
        await server.serve_forever()


async def run_client(url, log_path):
    log = setup_log("client", log_path)
    async with connect(url, compression=None, max_size=2**20,
                       user_agent_header="switchpoint-sample-client") as ws:
        log.write(dir="send", type="http-request", text=f"GET {ws.request.path}")
        log.write(dir="recv", type="http-response",
                  text=f"{ws.response.status_code} {ws.response.reason_phrase}")
        for i in range(10):
            text = f"hello {i}: switchpoint sample message " + "abcdefghij" * i
            await ws.send(text)
            assert await ws.recv() == text
        # ~100 KB binary message: spans ~70 TCP segments at MTU 1500.
        blob = bytes((i * 7 + 3) & 0xFF for i in range(100_000))
        await ws.send(blob)
        assert await ws.recv() == blob
        pong = await ws.ping(b"sp-ping")
        await asyncio.wait_for(pong, 10)
        await ws.close(code=1000, reason="switchpoint sample done")


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
