#!/usr/bin/env python3
"""python websockets' asyncio client against ws_quirk_server.py: connects, and
when the handshake is accepted sends "Hello switchpoint", waits for the answer and closes
with 1000. The library's own debug log (every frame it sends and receives, and
its verdict on the handshake) goes to stdout as JSON lines.
Usage: ws_client.py URI
"""
import asyncio
import json
import logging
import sys
import time

from websockets.asyncio.client import connect

MAX_SECONDS = 15


class JSONLines(logging.Handler):
    def emit(self, record):
        print(json.dumps({"t": round(record.created, 6), "side": "client", "library_log": record.getMessage()}),
              flush=True)


def log(**fields):
    print(json.dumps({"t": round(time.time(), 6), "side": "client", **fields}), flush=True)


async def main(uri):
    logger = logging.getLogger("websockets.client")
    logger.setLevel(logging.DEBUG)
    logger.addHandler(JSONLines())
    try:
        async with connect(uri, ping_interval=None, compression=None, open_timeout=5, logger=logger) as ws:
            log(event="open")
            await asyncio.sleep(0.05)  # lets the library answer the server's ping first
            await ws.send("Hello switchpoint")
            log(event="sent_text", text="Hello switchpoint")
            answer = await ws.recv()
            log(event="received_text", text=answer)
            await ws.close(1000)
            log(event="closed", code=ws.close_code)
    except Exception as error:  # the wrong-accept run ends here: the library rejects the 101
        log(event="rejected", error=type(error).__name__, detail=str(error))


if __name__ == "__main__":
    asyncio.run(asyncio.wait_for(main(sys.argv[1]), MAX_SECONDS))
