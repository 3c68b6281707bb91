#!/usr/bin/env python3
"""Facts of the record-samples-proxy-peers recordings, as markdown for
samples/proxy/README.md (between the markers below; the rest of the file is
left alone) and for a reader on the terminal.

  peers-readme.py facts DIR NAME            per-leg facts of one scenario
  peers-readme.py readme DIR README NAME... rewrite the marked block of README

Facts come from the captures (tshark) and the logs: TCP connections of each
leg with their ports, the HTTP messages and Sec-WebSocket-Keys on them, the
first FIN and RST of each connection (who sent it, when, relative to the first
packet of NAME-front.pcap), and the logged events of client, proxy and
backend. The prose of each scenario is in SCENARIOS below: it says what the
recording shows and is checked against the facts by the recording script.
"""
import json
import os
import re
import subprocess
import sys

BEGIN = "<!-- record-samples-proxy-peers: begin (generated, do not edit) -->"
END = "<!-- record-samples-proxy-peers: end -->"
DECODE = ["-d", "tcp.port==9001,http", "-d", "tcp.port==9002,http", "-d", "tcp.port==8443,tls"]
FIELDS = ["tcp.stream", "frame.time_epoch", "ip.src", "tcp.srcport", "ip.dst", "tcp.dstport",
          "tcp.flags.syn", "tcp.flags.ack", "tcp.flags.fin", "tcp.flags.reset",
          "http.request.method", "http.request.uri", "http.request.version",
          "http.response.code", "http.upgrade", "http.sec_websocket_key",
          "http2.header.name", "http2.header.value", "websocket.opcode"]
MAX_LOG_LINES = 60

CONFIG_EXT = {"haproxy": "haproxy.cfg", "apache": "apache.conf", "nginx": "nginx.conf",
              "squid": "squid.conf"}
CONFIG_LANG = {"haproxy": "haproxy", "apache": "apache", "nginx": "nginx", "squid": "squid"}

SCENARIOS = {
    "haproxy-rfc8441": ("haproxy", """\
The client speaks HTTP/2 in cleartext with prior knowledge (HAProxy `bind ...
proto h2`) and opens a WebSocket by RFC 8441 extended CONNECT (`:method
CONNECT`, `:protocol websocket`, `:path /echo`, `sec-websocket-version: 13`;
`scripts/lib/proxy/h2-ws-client.py`, python `h2`, WebSocket frames built by the
client itself, masked, inside DATA). HAProxy announces
`SETTINGS_ENABLE_CONNECT_PROTOCOL = 1`, answers `:status 200` and speaks
HTTP/1.1 upstream: `GET /echo HTTP/1.1` with the h2 headers lower-case
(`host: 10.202.0.2:8080`, `upgrade: websocket`, `connection: upgrade`) and a
**`Sec-Websocket-Key` of its own** (the h2 request has none); the backend
answers 101. The h2 200 carries the backend's `sec-websocket-accept` and
`server` headers (HAProxy passes them on). 10 text messages are echoed, the
client closes with 1000 and gets the close back. HAProxy then ends the stream
with an empty DATA END_STREAM **followed by RST_STREAM(CANCEL)**, so the client
sends no END_STREAM of its own; then GOAWAY and FIN from the client. HAProxy
logs the exchange as `GET http://10.202.0.2:8080/echo HTTP/2.0` with status 101
(the upstream's status, not the 200 the client got)."""),
    "haproxy-keepalive-attempts": ("haproxy", """\
ONE client TCP connection (`scripts/lib/proxy/keepalive-client.py`, raw
socket) carries, in order: `GET /plain` (the backend answers 200 with
`Connection: close`, which HAProxy drops towards the client; that backend
connection then ends: websockets closes it, and which side's FIN or HAProxy's
RST comes first varies from run to run, see below), `GET /denied` with
`Upgrade: websocket` (HAProxy's own **403** from `http-request deny`, nothing
sent upstream, the client connection stays open: `PR--` in the log,
`fe/<NOSRV>`), then `GET /echo` with `Upgrade: websocket` on a **new backend
connection** (101), 2 messages echoed, close 1000 both ways. HAProxy's default
keep-alive mode (no `option http-server-close`), as HAProxy does it by itself.
The client's Sec-WebSocket-Key reaches the backend unchanged."""),
    "haproxy-tunnel-timeout": ("haproxy", """\
A WebSocket through HAProxy with `timeout tunnel 2s` (python websockets
client, 2 messages echoed, then silent, no pings; it waits up to 5 s). 2 s
after the last message HAProxy closes both legs **without a WebSocket close
frame**: a FIN to the client and an **RST** to the backend (which of the two
goes out first varies by a fraction of a millisecond); client and backend
both see 1006. HAProxy logs termination state `cD--` (client-side timeout
during the data phase) and a total time of about 2006 ms."""),
    "apache-upgrade-websocket": ("apache", """\
Apache httpd with mod_proxy + mod_proxy_http and `ProxyPass /echo
http://127.0.0.1:9001/echo upgrade=websocket` (no mod_proxy_wstunnel). The
upstream request keeps `Upgrade: websocket` / `Connection: Upgrade` and the
client's key; `Host` becomes `127.0.0.1:9001`; Apache adds `X-Forwarded-For`, `X-Forwarded-Host`, `X-Forwarded-Server`;
101, 5 messages echoed, close 1000 both ways. Apache's error log (proxy_http
at debug) says `AH10239: HTTP: tunneling protocol websocket`; its access log
line is written when the tunnel ends (status 101, `%D` = the whole tunnel)."""),
    "apache-no-upgrade": ("apache", """\
The same Apache without `upgrade=websocket`. Apache drops the hop-by-hop
`Upgrade` header and sends `Connection: Keep-Alive` upstream (the client's
Sec-WebSocket-Key and -Version are passed on). The backend (websockets)
answers **426 Upgrade Required** with `Upgrade: websocket` and `Connection:
close`; Apache relays the 426 to the client **without the Upgrade header** and
without any Connection header (it keeps the client connection open; the
client closes it). No WebSocket frame is sent. As in every Apache scenario the
upstream `Host` is `127.0.0.1:9001` (ProxyPreserveHost is off by default) and
Apache adds `X-Forwarded-For`, `X-Forwarded-Host`, `X-Forwarded-Server`."""),
    "apache-http10": ("apache", """\
Apache with `upgrade=websocket` but `SetEnv force-proxy-request-1.0 1` and
`SetEnv proxy-nokeepalive 1`: the upstream request is `GET /echo HTTP/1.0`
**without** `Upgrade` and without any `Connection` header (Apache does not
offer the upgrade over HTTP/1.0). websockets refuses HTTP/1.0 with **505 HTTP Version
Not Supported**; Apache relays the 505 to the client (as HTTP/1.1)."""),
    "nginx-tls-front": ("nginx", """\
nginx terminates TLS 1.3 (self-signed certificate made by the script with
openssl; `ssl_protocols TLSv1.3` is set because nginx 1.22's default list
stops at TLSv1.2) and proxies in cleartext to the websockets backend with the
usual WebSocket configuration (`map $http_upgrade $connection_upgrade`). The
python websockets client (`wss://`, python `ssl` with `keylog_filename`) writes
the NSS key log `nginx-tls-front.keys`; 5 messages echoed, close 1000 both
ways. At the end nginx sends its close_notify and FIN; the client's
close_notify arrives after that and nginx's kernel answers it with an **RST**
(the client never sends a FIN)."""),
    "nginx-clear-front": ("nginx", """\
The cleartext twin of nginx-tls-front: the same nginx location block, listening
in cleartext; the same client actions (5 messages, close 1000)."""),
    "squid-connect": ("squid", """\
A forward-proxy tunnel: the python websockets client (`proxy=` option of
websockets 17) sends `CONNECT 10.202.0.2:9002 HTTP/1.1` to Squid
(10.202.0.2:3128; access rules shaped like Debian's default squid.conf, with a
shorter Safe_ports list, port 9002 as an SSL port and the namespace subnet as
localnet), gets `200 Connection established`, and runs a plain `ws://`
WebSocket to the echo server 10.202.0.2:9002 through the tunnel (5 messages,
close 1000 both ways). Squid relays bytes unchanged: the WebSocket handshake
(same key) and frames are identical on both legs. Squid's access log shows
`TCP_TUNNEL/200 ... CONNECT 10.202.0.2:9002`; its cache log (debug sections
11,2 and 26,3) the CONNECT request and each copied chunk; Squid closes the
client side once the server closed its side."""),
}


def tshark(path, extra=()):
    cmd = ["tshark", "-n", "-r", path, *DECODE, *extra, "-T", "fields",
           "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=;"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False).stdout
    rows = []
    for line in out.splitlines():
        vals = line.split("|")
        if len(vals) == len(FIELDS) and vals[0]:
            rows.append(dict(zip(FIELDS, vals)))
    return rows


def leg_facts(path, t0, extra=()):
    """Per TCP connection: initiator, HTTP messages, keys, first FIN/RST."""
    conns = {}
    for r in tshark(path, extra):
        s = int(r["tcp.stream"])
        src, dst = f"{r['ip.src']}:{r['tcp.srcport']}", f"{r['ip.dst']}:{r['tcp.dstport']}"
        c = conns.setdefault(s, {"client": src, "server": dst, "http": [], "keys": [],
                                 "fin": [], "rst": None, "ws_frames": 0})
        if r["tcp.flags.syn"] in ("1", "True") and r["tcp.flags.ack"] in ("0", "False"):
            c["client"], c["server"] = src, dst
        t = float(r["frame.time_epoch"]) - t0
        if r["tcp.flags.fin"] in ("1", "True"):
            c["fin"].append((src, t))
        if r["tcp.flags.reset"] in ("1", "True") and c["rst"] is None:
            c["rst"] = (src, t)
        if r["http.request.method"]:
            c["http"].append(f"`{r['http.request.method']} {r['http.request.uri']} "
                             f"{r['http.request.version']}`"
                             + (f" Upgrade: {r['http.upgrade']}" if r["http.upgrade"] else ""))
        elif r["http.response.code"]:
            c["http"].append(f"**{r['http.response.code']}**"
                             + (f" Upgrade: {r['http.upgrade']}" if r["http.upgrade"] else ""))
        if r["http.sec_websocket_key"]:
            c["keys"].append(r["http.sec_websocket_key"])
        if r["http2.header.name"]:
            names = r["http2.header.name"].split(";")
            vals = r["http2.header.value"].split(";")
            pairs = dict(zip(names, vals))
            if ":method" in pairs:
                c["http"].append(f"h2 `{pairs.get(':method')} {pairs.get(':path')}` "
                                 f":protocol {pairs.get(':protocol', '-')}")
            elif ":status" in pairs:
                c["http"].append(f"h2 **:status {pairs[':status']}**")
        if r["websocket.opcode"]:
            c["ws_frames"] += len(r["websocket.opcode"].split(";"))
    return conns


def who(addr, c):
    return "client side" if addr == c["client"] else "server side"


def facts(d, name):
    front = os.path.join(d, f"{name}-front.pcap")
    back = os.path.join(d, f"{name}-back.pcap")
    extra = []
    keys = os.path.join(d, f"{name}.keys")
    if os.path.exists(keys):
        extra = ["-o", f"tls.keylog_file:{keys}"]
    first = subprocess.run(["tshark", "-r", front, "-c", "1", "-T", "fields", "-e",
                            "frame.time_epoch"], capture_output=True, text=True).stdout.strip()
    t0 = float(first or 0)
    out = []
    for leg, path, ex in (("front", front, extra), ("back", back, [])):
        for s, c in sorted(leg_facts(path, t0, ex).items()):
            closes = []
            if c["fin"]:
                a, t = c["fin"][0]
                closes.append(f"first FIN from {a} ({who(a, c)}) at +{t:.6f} s")
                if len(c["fin"]) > 1:
                    a2, t2 = c["fin"][1]
                    closes.append(f"then FIN from {a2} at +{t2:.6f} s")
            if c["rst"]:
                a, t = c["rst"]
                closes.append(f"RST from {a} ({who(a, c)}) at +{t:.6f} s")
            out.append(f"- {leg} leg, TCP {c['client']} → {c['server']}: "
                       + (", ".join(c["http"]) or "no HTTP") + "; "
                       + (f"Sec-WebSocket-Key `{', '.join(c['keys'])}`; " if c["keys"] else "")
                       + (f"{c['ws_frames']} WebSocket frames; " if c["ws_frames"] else "")
                       + ("; ".join(closes) or "not closed in the capture"))
    return "\n".join(out)


def hdr(headers, key):
    vals = [v for k, v in headers if k.lower() == key.lower()]
    return ", ".join(vals) if vals else "(absent)"


PROXY_SKIP = re.compile(r"initializ(ing|ed) (worker|pool)|Shutdown:|Open FD|storeDirWrite|"
                        r"Finished\.|Took \d|CPU Usage|Resident Size|Page faults|"
                        r"bytesIn|keepGoingAfterRead|Schedule Write|dataSent|"
                        r"writeServerDone|writeClientDone|ReadServer: |readServer: |readClient: ")


def log_lines(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    # The proxy's start-up lines (before the client's first event) are left out.
    first = min((r["t"] for r in rows if r["who"] in ("client", "backend")), default=0)
    rows = [r for r in rows if r["t"] >= first]
    t0 = rows[0]["t"] if rows else 0
    out, frames = [], {}
    for r in rows:
        at, w, ev = f"+{r['t'] - t0:.3f}s", r["who"], r["event"]
        if ev == "frame":
            k = (w, r["dir"], r["type"])
            frames[k] = frames.get(k, 0) + 1
            continue
        if ev in ("h2",) and r.get("type") not in ("HEADERS", "RST_STREAM", "GOAWAY") \
                and not r.get("end_stream") and r.get("dir") != "note":
            continue
        if ev == "handshake":
            text = (f"sent `{r.get('request_line')}` (Upgrade: {hdr(r.get('request_headers', []), 'Upgrade')}, "
                    f"key {hdr(r.get('request_headers', []), 'Sec-WebSocket-Key')}); got "
                    f"**{r.get('status')} {r.get('reason', '')}".rstrip() + "**")
        elif ev == "request":
            text = (f"received `{r['request_line']}` (Upgrade: {hdr(r['headers'], 'Upgrade')}, "
                    f"Connection: {hdr(r['headers'], 'Connection')}, key {hdr(r['headers'], 'Sec-WebSocket-Key')})")
        elif ev == "response":
            text = f"answered **{r['status']} {r['reason']}**"
        elif ev == "closed":
            text = (f"closed: code {r['code']} {r.get('reason', '')!r}, close frame received "
                    f"{r['close_frame_received']}, sent {r['close_frame_sent']}")
        elif ev == "done":
            text = (f"outcome {r['outcome']}, messages sent {r.get('messages_sent')}, echoes "
                    f"{r.get('messages_received')}" + (f", {r['error']}" if r.get("error") else ""))
        elif ev == "h2":
            text = f"h2 {r['dir']} {r['type']} stream {r.get('stream')}" + (
                f" {r['headers']}" if r.get("headers") else "") + (
                f" error {r['error_code']}" if "error_code" in r else "") + (
                " END_STREAM" if r.get("end_stream") else "")
        elif ev == "tcp":
            text = f"tcp: {r['what']}"
        elif w == "nginx" and ev == "access":
            text = (f"access: `{r['request']}` status {r['status']}, upstream_status "
                    f"{r['upstream_status']}, request_time {r['request_time']}"
                    + (f", {r['ssl_protocol']}" if r.get("ssl_protocol") else ""))
        elif w == "nginx" and ev == "error-log":
            text = f"error log [{r['level']}]: {r['text'][:200]}"
        elif "text" in r:
            if PROXY_SKIP.search(r["text"]):
                continue
            text = f"{ev}: {r['text'][:240]}"
        else:
            text = json.dumps(r)[:200]
        out.append(f"{at} {w} {r.get('conn', '')} {text}".replace("  ", " "))
    if len(out) > MAX_LOG_LINES:
        out = out[:MAX_LOG_LINES] + [f"... ({len(out) - MAX_LOG_LINES} more lines in the log)"]
    if frames:
        out.append("WebSocket frames logged: " + ", ".join(
            f"{w} {dr} {t} x{n}" for (w, dr, t), n in sorted(frames.items())))
    return out


def config_excerpt(kind, path):
    lines = open(path).read().splitlines()
    if kind == "haproxy":
        keep = [x for x in lines if not x.startswith("#")]
    elif kind == "apache":
        keep = [x for x in lines if re.match(r"(ProxyPass|SetEnv|LoadModule (proxy|env))", x)]
    elif kind == "nginx":
        start = next(i for i, x in enumerate(lines) if "map $http_upgrade" in x)
        keep = lines[start:-1]
    else:
        keep = [x for x in lines if re.match(r"(http_port|acl|http_access)", x)]
    return "\n".join(keep).strip("\n")


def section(d, name):
    kind, prose = SCENARIOS[name]
    conf = os.path.join(d, f"{name}.{CONFIG_EXT[kind]}")
    files = ", ".join(f"`{f}`" for f in sorted(os.listdir(d)) if f.startswith(name + ".")
                      or f.startswith(name + "-"))
    return "\n".join([
        f"### {name}", "", prose, "",
        f"Files: {files}. Configuration (excerpt of `{os.path.basename(conf)}`):", "",
        f"```{CONFIG_LANG[kind]}", config_excerpt(kind, conf), "```", "",
        "From the captures (times from the first packet of the front capture):", "",
        facts(d, name), "",
        f"Logged (`{name}.log`; client, {kind}, backend):", "",
        "```", *log_lines(os.path.join(d, f"{name}.log")), "```", ""])


def readme(d, readme_path, names, header):
    body = "\n".join([BEGIN, header] + [section(d, n) for n in names] + [END])
    try:
        text = open(readme_path).read()
    except FileNotFoundError:
        text = ""
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + body + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n" + body + "\n"
    with open(readme_path, "w") as out:
        out.write(text)


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "facts":
        print(facts(sys.argv[2], sys.argv[3]))
    elif len(sys.argv) >= 6 and sys.argv[1] == "readme":
        readme(sys.argv[2], sys.argv[3], sys.argv[5:], open(sys.argv[4]).read())
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
