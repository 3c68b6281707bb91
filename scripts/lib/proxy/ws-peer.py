#!/usr/bin/env python3
"""WebSocket echo backend / scripted clients for scripts/record-samples-proxy.

Adapted from scripts/lib/ws-echo.py. Every line written is one JSON object
with at least "t" (epoch seconds), "who" and "event":

  event "handshake"  client: request line + headers it sent, status/reason,
                     response headers (and body, if not 101) it got
  event "request"    backend: request line + headers it received
  event "response"   backend: status/reason + headers it answered
  event "frame"      a WebSocket frame sent or received ("dir", "type", "len",
                     "text" = first 60 chars of text/ping/pong payloads,
                     "code"/"reason" of close frames); taken from the
                     websockets library's own debug hook, so control frames the
                     library handles by itself are logged too
  event "closed"     close code/reason as seen by this side (1006 = the TCP
                     connection ended without a close frame), whether a close
                     frame was received/sent
  event "done"       client summary: messages sent/received, outcome
  event "curl"       (curl-log mode) what curl sent and got, parsed from -v

"conn" names the connection: client label (A, B, ...) on the client side,
the peer address on the backend side.

  ws-peer.py server WHO HOST PORT LOG   (GET /plain: a plain 200 answer)
  ws-peer.py client MODE URL LOG [OPT=VALUE...]
                                        MODE: ok | fail | idle | idle2 | two | retry
                                        OPT: cafile=PEM (wss), keylog=FILE (NSS
                                        key log), proxy=http://HOST:PORT (CONNECT)
  ws-peer.py curl-log LOG WHO LABEL START_T VERBOSE_FILE BODY_FILE
  ws-peer.py merge OUT IN...            merge JSON-line files, sorted by "t"
  ws-peer.py follow IN OUT              stamp each new line of nginx's error
                                        log with its arrival time (until SIGTERM)
  ws-peer.py follow-raw WHO EVENT IN OUT
                                        the same for any proxy log: every line
                                        as {"who", "event", "text"}
  ws-peer.py summary LOG                markdown bullets: what each side saw
"""
import asyncio
import json
import logging
import re
import signal
import ssl
import sys
import time

from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.frames import Close, Frame, Opcode

TYPES = {
    Opcode.CONT: "continuation",
    Opcode.TEXT: "text",
    Opcode.BINARY: "binary",
    Opcode.CLOSE: "close",
    Opcode.PING: "ping",
    Opcode.PONG: "pong",
}

CLOSE_REASON = "switchpoint proxy sample done"
PLAIN_PATH = "/plain"
USER_AGENT = "switchpoint-proxy-sample-client"


class JsonLog(logging.Handler):
    """JSON-lines writer; also turns websockets' "< %s" / "> %s" frame debug
    records into "frame" events."""

    def __init__(self, who, path):
        super().__init__(logging.DEBUG)
        self.who = who
        self.out = open(path, "w", buffering=1)
        self.labels = {}  # sans-I/O protocol id (uuid) -> connection label

    def write(self, event, **entry):
        self.out.write(json.dumps({"t": round(time.time(), 6), "who": self.who,
                                   "event": event, **entry}) + "\n")

    def emit(self, record):
        try:
            self.emit_frame(record)
        except Exception:  # noqa: BLE001 - never break the connection over a log line
            self.handleError(record)

    def emit_frame(self, record):
        if not record.args or not isinstance(record.args[0], Frame):
            return
        frame = record.args[0]
        entry = {
            # record.websocket is a weakref proxy to the sans-I/O protocol.
            "conn": self.labels.get(getattr(getattr(record, "websocket", None), "id", None), "?"),
            "dir": "recv" if record.msg.startswith("<") else "send",
            "type": TYPES.get(frame.opcode, str(frame.opcode)),
            "len": len(frame.data),
        }
        if not frame.fin:
            entry["fin"] = False
        if frame.opcode is Opcode.TEXT:
            entry["text"] = frame.data.decode("utf-8", "replace")[:60]
        elif frame.opcode is Opcode.CLOSE and frame.data:
            close = Close.parse(frame.data)
            entry["code"], entry["reason"] = close.code, close.reason
        elif frame.opcode in (Opcode.PING, Opcode.PONG):
            entry["text"] = frame.data.decode("utf-8", "replace")[:60]
        self.write("frame", **entry)


def setup_log(who, path):
    handler = JsonLog(who, path)
    logger = logging.getLogger("websockets")
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    logger.propagate = False
    return handler


def closed_entry(ws):
    proto = ws.protocol
    return {
        "code": ws.close_code,
        "reason": ws.close_reason,
        "close_frame_received": proto.close_rcvd is not None,
        "close_frame_sent": proto.close_sent is not None,
    }


# ---- backend ------------------------------------------------------------------

async def run_server(who, host, port, log_path):
    log = setup_log(who, log_path)

    def label(conn):
        host, port = conn.remote_address[:2]
        return f"{host}:{port}"

    def process_request(conn, request):
        log.labels[conn.protocol.id] = label(conn)
        log.write("request", conn=label(conn),
                  request_line=f"{request.method} {request.path} {request.protocol}",
                  headers=list(request.headers.raw_items()))
        if request.path == PLAIN_PATH:
            # A plain (non-upgrade) request: websockets' own 200 text answer
            # (it adds Connection: close and closes the connection).
            return conn.respond(200, "plain answer from the backend\n")
        return None  # let websockets decide (101 or its own error answer)

    def process_response(conn, request, response):
        entry = {"conn": label(conn), "status": response.status_code,
                 "reason": response.reason_phrase,
                 "headers": list(response.headers.raw_items())}
        if response.status_code != 101:
            entry["body"] = response.body.decode("utf-8", "replace")[:300]
        log.write("response", **entry)
        return None

    async def echo(ws):
        try:
            async for message in ws:
                await ws.send(message)
        except ConnectionClosed:
            pass
        log.write("closed", conn=label(ws), **closed_entry(ws))

    # compression=None: no permessage-deflate, payloads stay readable.
    # ping_interval=None: no keepalive pings (the idle scenario must be idle).
    async with serve(echo, host, port, compression=None, ping_interval=None,
                     process_request=process_request,
                     process_response=process_response) as server:
        print(f"listening on {host}:{port}", flush=True)
        await server.serve_forever()


# ---- clients ------------------------------------------------------------------

def make_connection_class(log, name):
    class LoggedConnection(ClientConnection):
        """Logs the handshake as the client really sent/received it, also
        when the server refuses the upgrade."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            log.labels[self.protocol.id] = name

        async def handshake(self, *args, **kwargs):
            try:
                await super().handshake(*args, **kwargs)
            finally:
                entry = {"conn": name}
                req = getattr(self, "request", None)
                if req is not None:
                    entry["request_line"] = f"GET {req.path} HTTP/1.1"
                    entry["request_headers"] = list(req.headers.raw_items())
                resp = getattr(self, "response", None)
                if resp is not None:
                    entry["status"] = resp.status_code
                    entry["reason"] = resp.reason_phrase
                    entry["response_headers"] = list(resp.headers.raw_items())
                    if resp.status_code != 101 and resp.body:
                        entry["body"] = resp.body.decode("utf-8", "replace")[:300]
                else:
                    entry["status"] = None
                    entry["error"] = repr(self.protocol.handshake_exc)
                log.write("handshake", **entry)

    return LoggedConnection


def client_options(options):
    """connect() keywords from OPTION=VALUE words: cafile= (wss:// trusting
    that certificate, TLS 1.3 only), keylog= (NSS key log of the TLS
    session), proxy= (an HTTP proxy the client tunnels through with CONNECT).
    Without proxy= no proxy is used, whatever the environment says."""
    opts = dict(o.split("=", 1) for o in options)
    kwargs = {"proxy": opts.get("proxy")}
    if "cafile" in opts:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
        ctx.load_verify_locations(opts["cafile"])
        if "keylog" in opts:
            ctx.keylog_filename = opts["keylog"]
        kwargs["ssl"] = ctx
    return kwargs


async def one_client(log, url, name, messages, gap=0.0, first_gap=0.0,
                     idle=None, expect_fail=False, **connect_kwargs):
    """Returns True when the client saw what this scenario expects."""
    sent = received = 0
    try:
        async with connect(url, compression=None, ping_interval=None,
                           open_timeout=10, close_timeout=5,
                           user_agent_header=USER_AGENT, **connect_kwargs,
                           create_connection=make_connection_class(log, name)) as ws:
            if first_gap:
                await asyncio.sleep(first_gap)
            for i in range(messages):
                text = f"{name}{i}: switchpoint proxy sample message {i}"
                await ws.send(text)
                sent += 1
                echo = await asyncio.wait_for(ws.recv(), 10)
                received += 1
                assert echo == text, (echo, text)
                if gap:
                    await asyncio.sleep(gap)
            if idle is not None:
                # Stay idle (no pings); the proxy is expected to cut us off.
                t0 = time.time()
                try:
                    extra = await asyncio.wait_for(ws.recv(), idle)
                    log.write("done", conn=name, outcome="unexpected-message",
                              text=str(extra)[:60])
                    return False
                except asyncio.TimeoutError:
                    log.write("done", conn=name, outcome="still-open-after-idle",
                              idle_s=round(time.time() - t0, 3),
                              messages_sent=sent, messages_received=received)
                    await ws.close(1000, CLOSE_REASON)
                    return False
                except ConnectionClosed:
                    log.write("closed", conn=name,
                              idle_s=round(time.time() - t0, 3), **closed_entry(ws))
                    log.write("done", conn=name, outcome="closed-by-peer-while-idle",
                              messages_sent=sent, messages_received=received)
                    return ws.close_code == 1006
            await ws.close(1000, CLOSE_REASON)
            log.write("closed", conn=name, **closed_entry(ws))
            log.write("done", conn=name, outcome="ok", messages_sent=sent,
                      messages_received=received)
            return not expect_fail
    except InvalidStatus as exc:
        log.write("done", conn=name, outcome="upgrade-refused",
                  status=exc.response.status_code, messages_sent=0,
                  messages_received=0)
        return expect_fail
    except Exception as exc:  # noqa: BLE001 - logged, scenario fails
        log.write("done", conn=name, outcome="error", error=repr(exc),
                  messages_sent=sent, messages_received=received)
        return False


async def run_client(mode, url, log_path, *options):
    log = setup_log("client", log_path)
    kw = client_options(options)
    if mode == "ok":
        results = [await one_client(log, url, "A", 5, gap=0.05, **kw)]
    elif mode == "idle2":
        results = [await one_client(log, url, "A", 2, idle=5.0, **kw)]
    elif mode == "fail":
        results = [await one_client(log, url, "A", 1, expect_fail=True)]
    elif mode == "idle":
        results = [await one_client(log, url, "A", 1, idle=4.5)]
    elif mode == "retry":
        results = [await one_client(log, url, "A", 2, gap=0.05)]
    elif mode == "two":
        # Both connections opened at once (handshakes interleave); B's
        # messages fall between A's.
        results = await asyncio.gather(
            one_client(log, url, "A", 3, gap=0.2),
            one_client(log, url, "B", 3, gap=0.2, first_gap=0.1))
    else:
        sys.exit(f"unknown client mode {mode}")
    return all(results)


# ---- curl -v -> JSON ----------------------------------------------------------

def curl_log(log_path, who, label, start_t, verbose_file, body_file):
    req, resp = [], []
    for line in open(verbose_file, errors="replace"):
        line = line.rstrip("\r\n")
        if line.startswith("> "):
            req.append(line[2:])
        elif line.startswith("< "):
            resp.append(line[2:])
    req = [x for x in req if x]
    resp = [x for x in resp if x]
    # t = when curl was started (it sent its request right away).
    entry = {"t": round(float(start_t), 6), "who": who, "event": "curl", "conn": label}
    if req:
        entry["request_line"] = req[0]
        entry["request_headers"] = [x.split(": ", 1) for x in req[1:]]
    if resp:
        parts = resp[0].split(" ", 2)
        entry["status"] = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        entry["reason"] = parts[2] if len(parts) > 2 else ""
        entry["response_headers"] = [x.split(": ", 1) for x in resp[1:]]
    try:
        entry["body"] = open(body_file, errors="replace").read()[:300]
    except OSError:
        pass
    with open(log_path, "a") as out:
        out.write(json.dumps(entry) + "\n")


def merge(out_path, paths):
    rows = []
    for p in paths:
        try:
            rows += [json.loads(line) for line in open(p) if line.strip()]
        except FileNotFoundError:
            pass
    rows.sort(key=lambda r: r["t"])
    with open(out_path, "w") as out:
        for r in rows:
            out.write(json.dumps(r) + "\n")


# ---- nginx error log -> JSON lines, stamped on arrival -----------------------

ERRLOG_RE = re.compile(r"^\S+ \S+ \[(\w+)\] \d+#\d+: (?:\*(\d+) )?(.*)$")


def follow_lines(in_path, out_path, record):
    """Polls IN every 20 ms and writes record(line, now) (a dict, or None to
    skip the line) as a JSON line stamped with the time the line appeared,
    until SIGTERM (then the rest is read)."""
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    pos, buf = 0, ""
    with open(out_path, "w", buffering=1) as out:
        while True:
            try:
                with open(in_path, errors="replace") as f:
                    f.seek(pos)
                    chunk = f.read()
                    pos = f.tell()
            except FileNotFoundError:
                chunk = ""
            buf += chunk
            *lines, buf = buf.split("\n")
            now = round(time.time(), 6)
            for line in lines:
                event = record(line, now)
                if event is not None:
                    out.write(json.dumps(event) + "\n")
            if stop:
                return
            time.sleep(0.02)


def follow(in_path, out_path):
    """nginx's error log has 1 s timestamps: each line is stamped with the
    time it appeared, so it sorts among the other events."""
    def record(line, now):
        m = ERRLOG_RE.match(line)
        if not m or m.group(2) is None:
            return None  # startup/shutdown notices: not about a connection
        return {"t": now, "who": "nginx", "event": "error-log", "level": m.group(1),
                "nginx_conn": int(m.group(2)), "text": m.group(3)}
    follow_lines(in_path, out_path, record)


def follow_raw(who, event, in_path, out_path):
    """Any proxy log (HAProxy, Apache, Squid): every new line of IN becomes
    {"who": WHO, "event": EVENT, "text": line}."""
    follow_lines(in_path, out_path,
                 lambda line, now: {"t": now, "who": who, "event": event, "text": line}
                 if line.strip() else None)


# ---- markdown summary of one scenario log -------------------------------------

def summary(log_path):
    rows = [json.loads(line) for line in open(log_path) if line.strip()]
    t0 = rows[0]["t"] if rows else 0
    out = []

    def hdr(headers, name):
        vals = [v for k, v in headers if k.lower() == name.lower()]
        return ", ".join(vals) if vals else "(absent)"

    for r in rows:
        who, ev, conn = r["who"], r["event"], r.get("conn", "")
        at = f"+{r['t'] - t0:.3f}s"
        if ev == "handshake":
            out.append(f"{at} {who} {conn}: sent `{r.get('request_line')}` with "
                       f"Upgrade: {hdr(r.get('request_headers', []), 'Upgrade')}, "
                       f"Connection: {hdr(r.get('request_headers', []), 'Connection')}; "
                       f"got **{r.get('status')} {r.get('reason', '')}**"
                       + (f" (Upgrade: {hdr(r['response_headers'], 'Upgrade')})"
                          if r.get("response_headers") and r.get("status") != 101 else "")
                       + (f", body: `{r['body'].splitlines()[0]}`" if r.get("body") else ""))
        elif ev == "curl":
            out.append(f"{at} {who}: sent `{r.get('request_line')}` with "
                       f"Upgrade: {hdr(r.get('request_headers', []), 'Upgrade')}, "
                       f"Connection: {hdr(r.get('request_headers', []), 'Connection')}, "
                       f"Sec-WebSocket-Version: {hdr(r.get('request_headers', []), 'Sec-WebSocket-Version')}; "
                       f"got **{r.get('status')} {r.get('reason', '')}**"
                       + (f" (Upgrade: {hdr(r.get('response_headers', []), 'Upgrade')})")
                       + (f", body: `{r['body'].splitlines()[0]}`" if r.get("body") else ""))
        elif ev == "request":
            h = r["headers"]
            out.append(f"{at} {who} {conn}: received `{r['request_line']}` with "
                       f"Upgrade: {hdr(h, 'Upgrade')}, Connection: {hdr(h, 'Connection')}, "
                       f"Sec-WebSocket-Key: {'present' if hdr(h, 'Sec-WebSocket-Key') != '(absent)' else '(absent)'}, "
                       f"X-Forwarded-For: {hdr(h, 'X-Forwarded-For')}, Host: {hdr(h, 'Host')}")
        elif ev == "response":
            out.append(f"{at} {who} {conn}: answered **{r['status']} {r['reason']}**"
                       + (f", body: `{r['body'].splitlines()[0]}`" if r.get("body") else ""))
        elif ev == "closed":
            out.append(f"{at} {who} {conn}: connection closed, code {r['code']}"
                       + (f" \"{r['reason']}\"" if r.get("reason") else "")
                       + f", close frame received: {r['close_frame_received']}, sent: {r['close_frame_sent']}"
                       + (f", after {r['idle_s']} s idle" if "idle_s" in r else ""))
        elif ev == "done":
            out.append(f"{at} {who} {conn}: outcome {r['outcome']}, messages sent "
                       f"{r.get('messages_sent')}, echoes received {r.get('messages_received')}")
        elif ev == "access":
            out.append(f"{at} nginx access log: `{r['request']}` from {conn}: status {r['status']}, "
                       f"upstream_status {r['upstream_status'] or '-'}, request_time {r['request_time']} s")
        elif ev == "error-log":
            out.append(f"{at} nginx error log [{r['level']}]: {r['text'][:160]}")
    frames = {}
    for r in rows:
        if r["event"] == "frame":
            k = (r["who"], r["dir"], r["type"])
            frames[k] = frames.get(k, 0) + 1
    if frames:
        out.append("frames logged: " + ", ".join(
            f"{w} {d} {t} x{n}" for (w, d, t), n in sorted(frames.items())))
    print("\n".join(f"  - {line}" for line in out))


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "server":
        asyncio.run(run_server(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]))
    elif mode == "client":
        ok = asyncio.run(asyncio.wait_for(run_client(*sys.argv[2:]), 60))
        sys.exit(0 if ok else 3)
    elif mode == "curl-log":
        curl_log(*sys.argv[2:8])
    elif mode == "merge":
        merge(sys.argv[2], sys.argv[3:])
    elif mode == "follow":
        follow(sys.argv[2], sys.argv[3])
    elif mode == "follow-raw":
        follow_raw(*sys.argv[2:6])
    elif mode == "summary":
        summary(sys.argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
