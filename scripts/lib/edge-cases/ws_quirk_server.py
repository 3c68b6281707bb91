#!/usr/bin/env python3
"""A one-connection WebSocket server built on websockets' sans-I/O ServerProtocol
(the library's own handshake and framing code), with one quirk on purpose:

  wrong-accept   the 101 carries Sec-WebSocket-Accept with "-wrong" appended
  ping-with-101  the 101 and a ping frame leave in ONE write (one TCP segment)
  plain          no quirk (for the client's fragmented message with a ping inside)

Each complete text message (fragments joined) is answered with one text message.

Every frame sent and received is logged as a JSON line on stdout.
Usage: ws_quirk_server.py MODE PORT   (binds 127.0.0.1 only; one connection, then exits)
"""
import asyncio
import json
import sys
import time

from websockets.frames import Opcode
from websockets.http11 import Request
from websockets.server import ServerProtocol

MAX_SECONDS = 20  # whole connection


def log(**fields):
    print(json.dumps({"t": round(time.time(), 6), "side": "server", **fields}), flush=True)


def describe(frame):
    data = frame.data
    textual = (Opcode.TEXT, Opcode.CONT, Opcode.PING, Opcode.PONG)
    text = data.decode("utf-8", "replace") if frame.opcode in textual else None
    return {"opcode": frame.opcode.name, "fin": frame.fin, "len": len(data), "text": text}


async def serve_one(mode, reader, writer):
    proto = ServerProtocol()
    handshake_done = False
    fragments = []  # text of the message being received
    while True:
        chunk = await reader.read(65536)
        if not chunk:
            proto.receive_eof()
            log(event="eof_from_client")
        else:
            proto.receive_data(chunk)
        for event in proto.events_received():
            if isinstance(event, Request):
                log(event="request", path=event.path, headers=list(event.headers.raw_items()))
                response = proto.accept(event)
                if mode == "wrong-accept":
                    right = response.headers["Sec-WebSocket-Accept"]
                    del response.headers["Sec-WebSocket-Accept"]
                    response.headers["Sec-WebSocket-Accept"] = right + "-wrong"
                    log(event="accept_tampered", correct=right, sent=right + "-wrong")
                proto.send_response(response)
                log(event="response", status=response.status_code, headers=list(response.headers.raw_items()))
                handshake_done = True
                if mode == "ping-with-101":
                    proto.send_ping(b"switchpoint")
                    log(event="send", opcode="PING", text="switchpoint", note="same write as the 101")
            else:
                log(event="recv", **describe(event))
                if event.opcode in (Opcode.TEXT, Opcode.CONT):
                    fragments.append(event.data)
                if event.opcode in (Opcode.TEXT, Opcode.CONT) and event.fin:
                    reply = "Hello there, " + b"".join(fragments).decode() + "!"
                    fragments = []
                    proto.send_text(reply.encode())
                    log(event="send", opcode="TEXT", text=reply)
                elif event.opcode == Opcode.CLOSE:
                    log(event="send", opcode="CLOSE", note="library answers the close")
        out = proto.data_to_send()
        payload = b"".join(out)
        if payload:
            writer.write(payload)  # one write: the 101 and the ping go out together
            await writer.drain()
            log(event="write", bytes=len(payload))
        if b"" in out or proto.close_expected() or not chunk:
            break
    writer.close()
    log(event="tcp_closed", handshake_done=handshake_done)


async def main(mode, port):
    done = asyncio.Event()

    async def handler(reader, writer):
        try:
            await asyncio.wait_for(serve_one(mode, reader, writer), MAX_SECONDS)
        finally:
            done.set()

    server = await asyncio.start_server(handler, "127.0.0.1", port)
    log(event="listening", mode=mode, port=port)
    await asyncio.wait_for(done.wait(), MAX_SECONDS + 10)
    server.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
