#!/usr/bin/env python3
"""WebSocket load for scripts/make-bench-captures (python `websockets`, asyncio).

  ws-load.py server HOST PORT
      Echo server (every message back as it came: text as text, binary as
      binary). Accepts permessage-deflate when a client offers it. Several
      server processes can share the port (SO_REUSEPORT). Stops on SIGTERM /
      SIGINT and prints its counters as one JSON line.

  ws-load.py client URL --first N --count M --conns-total T --rate R
                    --seed S --stop-file PATH --max-seconds SECS
      Opens connections N .. N+M-1 (of T in all, spread over the client
      processes), each sending messages of random size 10-500 bytes, text or
      binary at random, at R messages/s per connection. Connection i:
        - offers permessage-deflate if i % 4 == 0 (a quarter), else
          compression=None;
        - keeps a window of 1 (send, await the echo) up to 16 messages in
          flight (pipelining), chosen at random per connection;
        - sends at R times a random factor (0.25 .. 1.75, mean 1).
      Every echo is compared with what was sent. When PATH exists or
      SECS have passed, each connection stops sending, waits (bounded) for
      its outstanding echoes and closes with a close frame (1000). Prints
      its counters as one JSON line. Random choices come from
      random.Random(f"{S}-{i}"): the same seed gives the same sequence of
      messages per connection (how far each gets depends on timing).
"""
import argparse
import asyncio
import json
import os
import random
import signal
import sys
import time
from collections import deque

from websockets.asyncio.client import connect
from websockets.asyncio.server import serve

MIN_SIZE, MAX_SIZE = 10, 500
WINDOWS = (1, 1, 1, 2, 4, 8, 16)  # 3/7 of the connections await every echo
# Per-connection rate factors (mean 1): slow connections (below ~25 messages/s)
# leave time for delayed pure ACKs, fast ones piggyback them on the next message.
RATE_FACTORS = (0.25, 0.5, 1.0, 1.5, 1.75)
WORDS = ("switchpoint upgrade websocket frame message text binary deflate "
         "echo server client window stream socket packet segment capture "
         "tcpdump header payload opcode mask fin close ping pong bench "
         "alpha bravo charlie delta echo foxtrot golf hotel india juliet "
         "kilo lima mike november oscar papa quebec romeo sierra tango").split()


def pools(seed):
    """Text and binary pools sliced into messages (cheap, deterministic)."""
    rng = random.Random(f"{seed}-pool")
    text = []
    n = 0
    while n < 1 << 17:
        w = rng.choice(WORDS)
        if rng.random() < 0.1:
            w = f"{w}={rng.randrange(1 << 20)}"
        text.append(w)
        n += len(w) + 1
    return " ".join(text), rng.randbytes(1 << 17)


async def run_server(host, port):
    stats = {"side": "server", "pid": os.getpid(), "connections": 0, "messages": 0, "bytes": 0}

    async def echo(ws):
        stats["connections"] += 1
        async for message in ws:
            await ws.send(message)
            stats["messages"] += 1
            stats["bytes"] += len(message)

    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set_result, None)
    # Default compression: permessage-deflate only when the client offers it.
    # Keepalive pings stay on (real traffic), but never time a connection out.
    async with serve(echo, host, port, reuse_port=True, backlog=512,
                     ping_interval=20, ping_timeout=None, max_size=1 << 20):
        print(f"listening on {host}:{port}", flush=True)
        await stop
    print(json.dumps(stats), flush=True)


class Client:
    def __init__(self, args):
        self.args = args
        self.text, self.blob = pools(args.seed)
        self.stop = asyncio.Event()
        self.deadline = time.monotonic() + args.max_seconds
        self.stats = {"side": "client", "pid": os.getpid(), "connections": 0, "closed": 0,
                      "deflate": 0, "sent": 0, "echoed": 0, "text": 0, "binary": 0,
                      "bytes": 0, "mismatch": 0, "errors": 0}

    def message(self, rng):
        size = rng.randint(MIN_SIZE, MAX_SIZE)
        if rng.random() < 0.5:
            off = rng.randrange(len(self.text) - size)
            return self.text[off:off + size]
        off = rng.randrange(len(self.blob) - size)
        return self.blob[off:off + size]

    async def watch(self):
        while time.monotonic() < self.deadline:
            if os.path.exists(self.args.stop_file):
                break
            await asyncio.sleep(0.2)
        self.stop.set()

    async def connection(self, idx):
        a, st = self.args, self.stats
        rng = random.Random(f"{a.seed}-{idx}")
        deflate = idx % 4 == 0
        window = rng.choice(WINDOWS)
        interval = 1.0 / (a.rate * rng.choice(RATE_FACTORS))
        await asyncio.sleep(idx % a.count * 0.01)  # stagger the handshakes
        if self.stop.is_set():
            return
        async with connect(a.url, compression="deflate" if deflate else None,
                           ping_interval=None, max_size=1 << 20, open_timeout=30,
                           close_timeout=10,
                           user_agent_header=f"switchpoint-bench/{idx}") as ws:
            st["connections"] += 1
            st["deflate"] += deflate
            credit = asyncio.Semaphore(window)
            inflight = deque()

            async def reader():
                async for echo in ws:
                    if not inflight or echo != inflight.popleft():
                        st["mismatch"] += 1
                    st["echoed"] += 1
                    credit.release()

            rtask = asyncio.create_task(reader())
            loop = asyncio.get_running_loop()
            next_t = loop.time() + rng.random() * interval
            while not self.stop.is_set() and not rtask.done():
                delay = next_t - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                elif delay < -1.0:
                    next_t = loop.time()  # no catch-up burst after a stall
                next_t += interval
                await credit.acquire()
                if self.stop.is_set():
                    credit.release()
                    break
                msg = self.message(rng)
                inflight.append(msg)
                await ws.send(msg)
                st["sent"] += 1
                st["text" if isinstance(msg, str) else "binary"] += 1
                st["bytes"] += len(msg)
            # Let the outstanding echoes arrive (bounded), then a clean close.
            for _ in range(100):
                if not inflight or rtask.done():
                    break
                await asyncio.sleep(0.05)
            await ws.close(1000, "bench done")
            await asyncio.wait_for(rtask, 15)
            st["closed"] += 1

    async def guarded(self, idx):
        try:
            await self.connection(idx)
        except Exception as e:  # counted and reported, the others go on
            self.stats["errors"] += 1
            print(f"connection {idx}: {type(e).__name__}: {e}", file=sys.stderr, flush=True)

    async def run(self):
        a = self.args
        watcher = asyncio.create_task(self.watch())
        conns = [asyncio.create_task(self.guarded(i)) for i in range(a.first, a.first + a.count)]
        await asyncio.wait_for(asyncio.gather(*conns), a.max_seconds + 60)
        watcher.cancel()
        print(json.dumps(self.stats), flush=True)
        return 0 if self.stats["errors"] == 0 and self.stats["mismatch"] == 0 else 1


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("server")
    s.add_argument("host")
    s.add_argument("port", type=int)
    c = sub.add_parser("client")
    c.add_argument("url")
    c.add_argument("--first", type=int, default=0)
    c.add_argument("--count", type=int, default=50)
    c.add_argument("--rate", type=float, default=50.0, help="messages/s per connection")
    c.add_argument("--seed", type=int, default=1)
    c.add_argument("--stop-file", required=True)
    c.add_argument("--max-seconds", type=float, default=600)
    args = p.parse_args()
    if args.mode == "server":
        asyncio.run(run_server(args.host, args.port))
        return 0
    return asyncio.run(Client(args).run())


if __name__ == "__main__":
    sys.exit(main())
