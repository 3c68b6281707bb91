#!/usr/bin/env python3
"""A minimal HTTP CONNECT proxy on 127.0.0.1 that tunnels only to 127.0.0.1 (a forward
proxy in front of an h2c server). Exits after --max-seconds."""
import argparse, asyncio


async def pipe(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def handle(reader, writer):
    head = await reader.readuntil(b"\r\n\r\n")
    method, target, _ = head.split(b"\r\n")[0].decode().split(" ")
    host, port = target.rsplit(":", 1)
    if method != "CONNECT" or host not in ("127.0.0.1", "localhost"):
        writer.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
        writer.close()
        return
    up_reader, up_writer = await asyncio.open_connection("127.0.0.1", int(port))
    writer.write(b"HTTP/1.1 200 Connection Established\r\n\r\n")
    await writer.drain()
    await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--max-seconds", type=float, default=60)
    args = parser.parse_args()
    server = await asyncio.start_server(handle, "127.0.0.1", args.port)
    async with server:
        await asyncio.sleep(args.max_seconds)


asyncio.run(main())
