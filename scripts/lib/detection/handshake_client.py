#!/usr/bin/env python3
"""python websockets as the client of handshake_server.py: one connection per path, in
order; prints one JSON line per attempt (what websockets made of the handshake)."""
import argparse, json, time
from websockets.sync.client import connect

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
args = parser.parse_args()

for path, compression in [("/ok", None), ("/bad-accept", "deflate"), ("/no-connection", "deflate"),
                          ("/unoffered-ext", None)]:
    uri = f"ws://127.0.0.1:{args.port}{path}"
    try:
        with connect(uri, compression=compression, open_timeout=5, close_timeout=2) as ws:
            ws.send("hello " + path)
            answer = ws.recv(timeout=5)
        print(json.dumps({"path": path, "outcome": "established", "echo": answer}), flush=True)
    except Exception as error:  # websockets.InvalidHandshake and its subclasses
        print(json.dumps({"path": path, "outcome": "rejected", "error": type(error).__name__, "detail": str(error)}), flush=True)
    time.sleep(0.2)
