#!/usr/bin/env python3
"""A small fake Kubernetes API server for recording `kubectl exec` over WebSocket.

It answers what kubectl asks before an exec (discovery `/api`, `/apis`, the pod GET) and
the exec upgrade itself: it picks `v5.channel.k8s.io` (else `v4.channel.k8s.io`) from the
offered subprotocols, runs the command for real with subprocess, streams its stdout and
stderr on channels 1 and 2, feeds channel 0 to its stdin (v5's close signal, channel 255
with the channel number, closes it), and ends with the Status on channel 3. It also
accepts kubectl's port-forward tunnel (`SPDY/3.1+portforward.k8s.io`) and logs what
kubectl sends in it, without answering in SPDY. Each
WebSocket message sent or received is logged as one JSON line (time, direction, channel,
the payload as hex and as text), beside the capture.

Usage: k8s-fake-apiserver.py PORT LOGFILE [MAX_SECONDS]   (127.0.0.1 only)
"""
import asyncio
import json
import sys
import time

from aiohttp import WSMsgType, web

POD_NAME = "demo"
NAMESPACE = "default"
CHANNEL_STDIN, CHANNEL_STDOUT, CHANNEL_STDERR, CHANNEL_ERROR, CHANNEL_RESIZE, CHANNEL_CLOSE = 0, 1, 2, 3, 4, 255
SUBPROTOCOLS = ["v5.channel.k8s.io", "v4.channel.k8s.io"]
MAX_COMMAND_SECONDS = 10
PORT_FORWARD_SECONDS = 3
READ_CHUNK = 4096


def log_line(log, **entry):
    entry = {"t": time.time(), **entry}
    log.write(json.dumps(entry) + "\n")
    log.flush()


def pod_object():
    return {
        "kind": "Pod",
        "apiVersion": "v1",
        "metadata": {"name": POD_NAME, "namespace": NAMESPACE, "uid": "5c0e1a52-0000-4000-8000-000000000001"},
        "spec": {"containers": [{"name": "main", "image": "busybox"}]},
        "status": {
            "phase": "Running",
            "containerStatuses": [{"name": "main", "ready": True, "state": {"running": {}}}],
        },
    }


def status(code):
    if code == 0:
        return {"metadata": {}, "status": "Success"}
    return {
        "metadata": {},
        "status": "Failure",
        "message": f"command terminated with non-zero exit code: error executing command [...], exit code {code}",
        "reason": "NonZeroExitCode",
        "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]},
    }


class Server:
    def __init__(self, log):
        self.log = log

    async def discovery_api(self, request):
        log_line(self.log, event="http", method=request.method, target=str(request.rel_url))
        return web.json_response(
            {"kind": "APIVersions", "versions": ["v1"],
             "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]})

    async def discovery_apis(self, request):
        log_line(self.log, event="http", method=request.method, target=str(request.rel_url))
        return web.json_response({"kind": "APIGroupList", "apiVersion": "v1", "groups": []})

    async def discovery_v1(self, request):
        log_line(self.log, event="http", method=request.method, target=str(request.rel_url))
        verbs = ["get", "list"]
        return web.json_response(
            {"kind": "APIResourceList", "groupVersion": "v1", "resources": [
                {"name": "pods", "singularName": "pod", "namespaced": True, "kind": "Pod", "verbs": verbs,
                 "shortNames": ["po"]},
                {"name": "pods/exec", "singularName": "", "namespaced": True, "kind": "PodExecOptions",
                 "verbs": ["create", "get"]},
            ]})

    async def version(self, request):
        log_line(self.log, event="http", method=request.method, target=str(request.rel_url))
        return web.json_response({"major": "1", "minor": "32", "gitVersion": "v1.32.0-fake", "platform": "linux/amd64"})

    async def port_forward(self, request):
        """Accepts kubectl's SPDY/3.1+portforward.k8s.io tunnel and logs every message it
        receives; it speaks no SPDY back, so kubectl's streams stay unanswered."""
        log_line(self.log, event="http", method=request.method, target=str(request.rel_url),
                 protocols=", ".join(request.headers.getall("Sec-WebSocket-Protocol", [])))
        if request.headers.get("Upgrade", "").lower() != "websocket":
            return web.Response(status=400, text="only the WebSocket tunnel is served here")
        ws = web.WebSocketResponse(protocols=["SPDY/3.1+portforward.k8s.io"])
        await ws.prepare(request)
        log_line(self.log, event="upgrade", subprotocol=ws.ws_protocol)
        try:
            async with asyncio.timeout(PORT_FORWARD_SECONDS):
                async for message in ws:
                    data = message.data if isinstance(message.data, bytes) else b""
                    log_line(self.log, event="ws", dir="recv", type=message.type.name, hex=data.hex())
        except TimeoutError:
            pass
        await ws.close()
        return ws

    async def pod(self, request):
        log_line(self.log, event="http", method=request.method, target=str(request.rel_url))
        if request.match_info["name"] != POD_NAME:
            return web.json_response({"kind": "Status", "status": "Failure", "reason": "NotFound", "code": 404},
                                     status=404)
        return web.json_response(pod_object())

    async def send(self, ws, channel, data):
        await ws.send_bytes(bytes([channel]) + data)
        log_line(self.log, event="ws", dir="send", channel=channel, hex=data.hex(),
                 text=data.decode("utf-8", "replace"))

    async def exec(self, request):
        query = request.rel_url.query
        command = query.getall("command", [])
        log_line(self.log, event="http", method=request.method, target=str(request.rel_url),
                 protocols=", ".join(request.headers.getall("Sec-WebSocket-Protocol", [])))
        ws = web.WebSocketResponse(protocols=SUBPROTOCOLS)
        await ws.prepare(request)
        log_line(self.log, event="upgrade", subprotocol=ws.ws_protocol, command=command,
                 container=query.get("container"), stdin=query.get("stdin"), tty=query.get("tty"))
        wants_stdin = query.get("stdin") == "true"
        process = await asyncio.create_subprocess_exec(
            *command, stdin=asyncio.subprocess.PIPE if wants_stdin else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)

        async def pump(stream, channel):
            while chunk := await stream.read(READ_CHUNK):
                await self.send(ws, channel, chunk)

        async def receive():
            async for message in ws:
                if message.type != WSMsgType.BINARY or not message.data:
                    log_line(self.log, event="ws", dir="recv", type=str(message.type))
                    continue
                channel, data = message.data[0], message.data[1:]
                log_line(self.log, event="ws", dir="recv", channel=channel, hex=data.hex(),
                         text=data.decode("utf-8", "replace"))
                try:
                    if channel == CHANNEL_STDIN and process.stdin:
                        process.stdin.write(data)
                        await process.stdin.drain()
                    elif channel == CHANNEL_CLOSE and data[:1] == bytes([CHANNEL_STDIN]) and process.stdin:
                        process.stdin.close()
                except (BrokenPipeError, ConnectionResetError):
                    # The command exited before reading its stdin; keep logging what arrives.
                    pass

        receiver = asyncio.create_task(receive())
        try:
            await asyncio.wait_for(
                asyncio.gather(pump(process.stdout, CHANNEL_STDOUT), pump(process.stderr, CHANNEL_STDERR)),
                MAX_COMMAND_SECONDS)
            code = await asyncio.wait_for(process.wait(), MAX_COMMAND_SECONDS)
        except asyncio.TimeoutError:
            process.kill()
            code = await process.wait()
        log_line(self.log, event="exit", code=code)
        await self.send(ws, CHANNEL_ERROR, json.dumps(status(code)).encode())
        await ws.close()
        try:
            # The receiver ends at the client's close frame, having logged every message.
            await asyncio.wait_for(receiver, 2)
        except asyncio.TimeoutError:
            log_line(self.log, event="receiver_timeout")
        return ws


async def main(port, log_path, max_seconds):
    with open(log_path, "a", buffering=1, encoding="utf-8") as log:
        server = Server(log)
        app = web.Application()
        app.router.add_get("/api", server.discovery_api)
        app.router.add_get("/apis", server.discovery_apis)
        app.router.add_get("/api/v1", server.discovery_v1)
        app.router.add_get(f"/api/v1/namespaces/{NAMESPACE}/pods/{{name}}", server.pod)
        app.router.add_route("*", f"/api/v1/namespaces/{NAMESPACE}/pods/{{name}}/exec", server.exec)
        app.router.add_route("*", f"/api/v1/namespaces/{NAMESPACE}/pods/{{name}}/portforward", server.port_forward)
        app.router.add_get("/version", server.version)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        await asyncio.sleep(max_seconds)
        await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2], float(sys.argv[3]) if len(sys.argv) > 3 else 60))
