#!/usr/bin/env python3
"""A FAKE Docker Engine API daemon (no Docker engine runs on the recording machine):
just enough of the API for the real docker SDK's attach() to run against it over TCP.

  GET  /v1.41/containers/{id}/json     -> 200, a minimal inspect answer with Config.Tty false
  POST /v1.41/containers/{id}/attach?…  with Upgrade: tcp
       -> "HTTP/1.1 101 UPGRADED", Content-Type: application/vnd.docker.multiplexed-stream,
          then the frames of FRAMES below in the engine's multiplexed format
          (1 byte stream 1=stdout 2=stderr, 3 zero bytes, 4-byte big-endian length,
          payload), one write per frame, then the daemon closes the connection.

The 101's header lines are the ones dockerd writes (moby api/server/router/container,
postContainersAttach). Every request and every frame is logged as a JSON line on stdout.
Usage: fake_docker_daemon.py PORT   (binds 127.0.0.1 only; exits after one attach)
"""
import asyncio
import json
import struct
import sys
import time

MAX_SECONDS = 20
MAX_HEAD_BYTES = 65536
FRAMES = [
    (1, b"hello from the container's stdout\n"),
    (2, b"warning: this line went to stderr\n"),
    (1, b"\x1b[1;34mbin\x1b[m  \x1b[1;34metc\x1b[m  \x1b[1;34mhome\x1b[m\n"),  # ls --color output
    (2, b"exit status 0\n"),
]
STREAM_NAMES = {1: "stdout", 2: "stderr"}


def log(**fields):
    print(json.dumps({"t": round(time.time(), 6), "side": "fake-daemon", **fields}), flush=True)


async def read_head(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    if len(head) > MAX_HEAD_BYTES:
        raise ValueError("request head too long")
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers = [tuple(part.strip() for part in line.split(":", 1)) for line in lines[1:] if line]
    return method, target, headers


async def serve(reader, writer, attached):
    while True:
        try:
            method, target, headers = await read_head(reader)
        except asyncio.IncompleteReadError:
            log(event="eof_from_client")
            break
        log(event="request", method=method, target=target, headers=headers)
        path = target.split("?", 1)[0]
        if method == "GET" and path.endswith("/json"):
            container = path.split("/")[-2]
            body = json.dumps({"Id": container, "Config": {"Tty": False}}).encode()
            writer.write(b"HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\n"
                         + b"Content-Length: %d\r\n\r\n" % len(body) + body)
            log(event="response", status=200, body=body.decode())
        elif method == "POST" and path.endswith("/attach"):
            writer.write(b"HTTP/1.1 101 UPGRADED\r\n"
                         b"Content-Type: application/vnd.docker.multiplexed-stream\r\n"
                         b"Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n")
            await writer.drain()
            log(event="response", status=101, reason="UPGRADED")
            for stream, payload in FRAMES:
                await asyncio.sleep(0.05)
                writer.write(struct.pack(">BxxxL", stream, len(payload)) + payload)
                await writer.drain()
                log(event="frame", stream=STREAM_NAMES[stream], len=len(payload),
                    payload=payload.decode("latin-1"))
            await asyncio.sleep(0.05)
            attached.set()
            break
        else:
            writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            log(event="response", status=404)
        await writer.drain()
    writer.close()
    log(event="tcp_closed")


async def main(port):
    attached = asyncio.Event()

    async def handler(reader, writer):
        await asyncio.wait_for(serve(reader, writer, attached), MAX_SECONDS)

    server = await asyncio.start_server(handler, "127.0.0.1", port)
    log(event="listening", port=port)
    await asyncio.wait_for(attached.wait(), MAX_SECONDS)
    await asyncio.sleep(0.5)
    server.close()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
