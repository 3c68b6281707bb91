#!/usr/bin/env python3
"""A WebSocket server that gets the opening handshake wrong on purpose, one way per path.

  /bad-accept      Sec-WebSocket-Accept of another key
  /no-connection   no Connection: upgrade header
  /unoffered-ext   accepts permessage-deflate that the client never offered
  /ok              a correct handshake, then echoes text frames and answers a close

Listens on 127.0.0.1 only; exits after --max-seconds. Used by scripts/record-samples-detection.
"""
import argparse, asyncio, base64, hashlib, struct

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def accept_for(key: bytes) -> str:
    return base64.b64encode(hashlib.sha1(key + GUID).digest()).decode()


async def read_frame(reader):
    head = await reader.readexactly(2)
    opcode, length = head[0] & 0x0F, head[1] & 0x7F
    if length == 126:
        length = struct.unpack("!H", await reader.readexactly(2))[0]
    elif length == 127:
        length = struct.unpack("!Q", await reader.readexactly(8))[0]
    mask = await reader.readexactly(4) if head[1] & 0x80 else b"\0\0\0\0"
    data = bytes(b ^ mask[i % 4] for i, b in enumerate(await reader.readexactly(length)))
    return opcode, data


def frame(opcode: int, data: bytes) -> bytes:
    assert len(data) < 126
    return bytes([0x80 | opcode, len(data)]) + data


async def handle(reader, writer):
    try:
        request = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        lines = request.decode("latin-1").split("\r\n")
        path = lines[0].split(" ")[1]
        headers = {l.split(":", 1)[0].strip().lower(): l.split(":", 1)[1].strip() for l in lines[1:] if ":" in l}
        key = headers.get("sec-websocket-key", "").encode()
        accept = accept_for(key)
        response = ["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket"]
        if path == "/bad-accept":
            response += ["Connection: Upgrade", "Sec-WebSocket-Accept: " + accept_for(b"not-the-key-the-client-sent")]
        elif path == "/no-connection":
            response += ["Sec-WebSocket-Accept: " + accept]
        elif path == "/unoffered-ext":
            response += ["Connection: Upgrade", "Sec-WebSocket-Accept: " + accept, "Sec-WebSocket-Extensions: permessage-deflate"]
        else:
            response += ["Connection: Upgrade", "Sec-WebSocket-Accept: " + accept]
        writer.write(("\r\n".join(response) + "\r\n\r\n").encode())
        await writer.drain()
        while True:
            opcode, data = await asyncio.wait_for(read_frame(reader), 5)
            if opcode == 0x8:
                writer.write(frame(0x8, data[:2]))
                await writer.drain()
                break
            if opcode == 0x1:
                writer.write(frame(0x1, data))
                await writer.drain()
    except (asyncio.IncompleteReadError, asyncio.TimeoutError, ConnectionError):
        pass
    finally:
        writer.close()


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--max-seconds", type=float, default=60)
    args = parser.parse_args()
    server = await asyncio.start_server(handle, "127.0.0.1", args.port)
    async with server:
        await asyncio.sleep(args.max_seconds)


asyncio.run(main())
