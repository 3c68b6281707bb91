#!/usr/bin/env python3
"""TLS peers for scripts/record-samples-tls-keys (loopback only).

  tls-peers.py https11-server PORT CERT KEY       HTTPS server choosing ALPN http/1.1
  tls-peers.py wss-server PORT CERT KEY LOG [deflate]
  tls-peers.py wss-client URL LOG KEYLOG [deflate]

The wss peers log every WebSocket frame as JSON lines (the frame hook of
ws-echo.py); the client writes its TLS secrets with ssl's keylog_filename.
"""
import asyncio
import http.server
import importlib.util
import os
import ssl
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("ws_echo", os.path.join(HERE, "ws-echo.py"))
ws_echo = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ws_echo)

from websockets.asyncio.client import connect  # noqa: E402
from websockets.asyncio.server import serve  # noqa: E402


class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        body = (b"hello over TLS with http/1.1 " * 20) + b"\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def https11_server(port, cert, key):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.set_alpn_protocols(["http/1.1"])
    server = http.server.HTTPServer(("127.0.0.1", port), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print(f"listening on 127.0.0.1:{port}", flush=True)
    server.serve_forever()


async def wss_server(port, cert, key, log_path, deflate):
    log = ws_echo.setup_log("server", log_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)

    async def echo(ws):
        log.write(dir="recv", type="http-request", text=f"GET {ws.request.path}")
        log.write(dir="send", type="http-response", text=f"{ws.response.status_code} {ws.response.reason_phrase}")
        async for message in ws:
            await ws.send(message)

    compression = "deflate" if deflate else None
    async with serve(echo, "127.0.0.1", port, ssl=context, compression=compression, max_size=2**20) as server:
        print(f"listening on 127.0.0.1:{port}", flush=True)
        await server.serve_forever()


async def wss_client(url, log_path, keylog, deflate):
    log = ws_echo.setup_log("client", log_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.keylog_filename = keylog
    compression = "deflate" if deflate else None
    async with connect(url, ssl=context, compression=compression, max_size=2**20,
                       user_agent_header="switchpoint-sample-client") as ws:
        log.write(dir="send", type="http-request", text=f"GET {ws.request.path}")
        log.write(dir="recv", type="http-response", text=f"{ws.response.status_code} {ws.response.reason_phrase}")
        for i in range(5):
            text = f"hello {i} over wss: switchpoint sample message " + "abcdefghij" * i
            await ws.send(text)
            assert await ws.recv() == text
        blob = bytes((i * 7 + 3) & 0xFF for i in range(40_000))
        await ws.send(blob)
        assert await ws.recv() == blob
        pong = await ws.ping(b"sp-ping")
        await asyncio.wait_for(pong, 10)
        await ws.close(code=1000, reason="bye")


def main():
    mode = sys.argv[1]
    if mode == "https11-server":
        https11_server(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    elif mode == "wss-server":
        asyncio.run(wss_server(int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6:] == ["deflate"]))
    elif mode == "wss-client":
        asyncio.run(asyncio.wait_for(wss_client(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:] == ["deflate"]), 60))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
