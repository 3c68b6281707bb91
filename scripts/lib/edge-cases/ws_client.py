#!/usr/bin/env python3
"""python websockets' asyncio client against ws_quirk_server.py: connects, and
when the handshake is accepted sends "Hello switchpoint", waits for the answer and closes
with 1000. The library's own debug log (every frame it sends and receives, and
its verdict on the handshake) goes to stdout as JSON lines.
With --fragmented-ping the text goes out as two fragments (TEXT FIN=0, then
CONTINUATION; the library ends a message from an async iterable with an empty
CONTINUATION FIN=1) and a ping is sent between them.
Usage: ws_client.py URI [--fragmented-ping]
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


FIRST_HALF = "Hello switchpoint, "
SECOND_HALF = "this message came in fragments"
PING_BETWEEN = b"between-fragments"


async def fragments_with_ping(ws):
    yield FIRST_HALF
    await ws.ping(PING_BETWEEN)  # a control frame between the fragments (RFC 6455 5.4)
    log(event="sent_ping", text=PING_BETWEEN.decode())
    yield SECOND_HALF


async def main(uri, fragmented_ping):
    logger = logging.getLogger("websockets.client")
    logger.setLevel(logging.DEBUG)
    logger.addHandler(JSONLines())
    try:
        async with connect(uri, ping_interval=None, compression=None, open_timeout=5, logger=logger) as ws:
            log(event="open")
            await asyncio.sleep(0.05)  # lets the library answer the server's ping first
            if fragmented_ping:
                await ws.send(fragments_with_ping(ws))
                log(event="sent_text", text=FIRST_HALF + SECOND_HALF, fragments=[FIRST_HALF, SECOND_HALF])
            else:
                await ws.send("Hello switchpoint")
                log(event="sent_text", text="Hello switchpoint")
            answer = await ws.recv()
            log(event="received_text", text=answer)
            await ws.close(1000)
            log(event="closed", code=ws.close_code)
    except Exception as error:  # the wrong-accept run ends here: the library rejects the 101
        log(event="rejected", error=type(error).__name__, detail=str(error))


if __name__ == "__main__":
    asyncio.run(asyncio.wait_for(main(sys.argv[1], "--fragmented-ping" in sys.argv[2:]), MAX_SECONDS))
