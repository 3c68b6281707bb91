#!/usr/bin/env python3
"""Checks a recorded capture against its NAME.log with tshark.

  verify.py NAME PCAP LOG [SUMMARY.json]

NAME selects the checks (the sample names of record-samples-protocols):

  ws-session-*               tshark's WebSocket frames, per direction, must be
                             exactly the frames the client logged (opcode, FIN,
                             RSV1, MASK, payload length on the wire), and the
                             same as the server logged; single-frame texts and
                             close code/reason as tshark decodes them (it
                             inflates permessage-deflate) must match the log.
  h2c-upgrade-curl,          every curl request is one HTTP/2 stream (1, 3, 5,
  h2-prior-knowledge-curl    ...) with the logged status, response DATA bytes =
                             size_download, request DATA bytes = size_upload;
                             one TCP connection; for the upgrade: an HTTP/1.1
                             GET with "Upgrade: h2c" and a 101.
  h2c-upgrade-ignored        HTTP/1.1 requests with "Upgrade: h2c", all answered
                             200 (no 101), no HTTP/2 frame at all.
  rfc8441-websocket-over-h2  server SETTINGS with ENABLE_CONNECT_PROTOCOL=1,
                             extended CONNECT (:protocol websocket) -> :status
                             200, and the WebSocket frames parsed out of the
                             stream's DATA payloads (tshark 4.0 does not
                             dissect them itself) = the frames in the log.

Prints a readable summary; writes a JSON summary if asked; exit status 1 on
any mismatch.
"""
import collections
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

from websockets.frames import Close, Frame, Opcode
from websockets.streams import StreamReader

OPNAMES = {0: "continuation", 1: "text", 2: "binary", 8: "close", 9: "ping", 10: "pong"}
H2TYPES = {0: "DATA", 1: "HEADERS", 2: "PRIORITY", 3: "RST_STREAM", 4: "SETTINGS", 5: "PUSH_PROMISE",
           6: "PING", 7: "GOAWAY", 8: "WINDOW_UPDATE", 9: "CONTINUATION"}
CLIENT_IP = "10.202.0.1"

errors = []


def check(cond, msg):
    if not cond:
        errors.append(msg)
    return cond


def tshark(*args):
    r = subprocess.run(["tshark", *args], capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        sys.exit(f"tshark {' '.join(args)} failed: {r.stderr.strip()}")
    return r.stdout


def pdml(pcap, display_filter, protos):
    root = ET.fromstring(tshark("-r", pcap, "-Y", display_filter, "-T", "pdml", "-J", protos))
    return root.findall("packet")


def fields(elem, name):
    return [f for f in elem.iter("field") if f.get("name") == name]


def first(elem, name, attr="show"):
    fs = fields(elem, name)
    return fs[0].get(attr) if fs else None


def packet_src(pkt):
    for proto in pkt.findall("proto"):
        if proto.get("name") in ("ip", "ipv6"):
            return first(proto, proto.get("name") + ".src")
    return None


def capinfo(pcap):
    packets = len(tshark("-r", pcap, "-T", "fields", "-e", "frame.number").split())
    conns = len(set(tshark("-r", pcap, "-Y", "tcp", "-T", "fields", "-e", "tcp.stream").split()))
    return {"bytes": os.path.getsize(pcap), "packets": packets, "tcp_connections": conns}


def read_log(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def log_frames(log, side, direction):
    return [e for e in log if e.get("layer") == "ws-frame" and e["side"] == side and e["dir"] == direction]


def frame_key(e):
    return (e["type"], e["fin"], e["rsv1"], e["masked"], e["wire_len"])


def compare_frames(label, seen, logged):
    """seen/logged: lists of frame keys."""
    if check(len(seen) == len(logged), f"{label}: {len(seen)} frames in the capture, {len(logged)} in the log"):
        for i, (a, b) in enumerate(zip(seen, logged)):
            check(a == b, f"{label} frame {i}: capture {a} != log {b}")


# ---- WebSocket over HTTP/1.1 ----------------------------------------------------------------
def verify_ws(pcap, log):
    frames = {"c2s": [], "s2c": []}
    texts, closes, exts, offered, status101 = [], [], None, None, 0
    for pkt in pdml(pcap, "websocket or http", "ip ipv6 http websocket"):
        d = "c2s" if packet_src(pkt) == CLIENT_IP else "s2c"
        for proto in pkt.findall("proto"):
            if proto.get("name") == "http":
                if first(proto, "http.request.method"):
                    offered = first(proto, "http.sec_websocket_extensions")
                if first(proto, "http.response.code") == "101":
                    status101 += 1
                    exts = first(proto, "http.sec_websocket_extensions")
            if proto.get("name") != "websocket":
                continue
            op = int(first(proto, "websocket.opcode"))
            n = int(first(proto, "websocket.payload_length"))
            if n == 126:
                n = int(first(proto, "websocket.payload_length_ext_16"))
            elif n == 127:
                n = int(first(proto, "websocket.payload_length_ext_64"))
            rsv = int(first(proto, "websocket.rsv", "value"), 16)
            key = (OPNAMES.get(op, str(op)), first(proto, "websocket.fin") == "1", bool(rsv & 4),
                   first(proto, "websocket.mask") == "1", n)
            frames[d].append(key)
            if op == 1 and key[1]:
                texts.append((d, first(proto, "websocket.payload.text")))
            if op == 8:
                closes.append((d, first(proto, "websocket.payload.close.status_code"),
                               first(proto, "websocket.payload.close.reason")))
    c_send = log_frames(log, "client", "send")
    c_recv = log_frames(log, "client", "recv")
    compare_frames("client->server vs client log", frames["c2s"], [frame_key(e) for e in c_send])
    compare_frames("server->client vs client log", frames["s2c"], [frame_key(e) for e in c_recv])
    # The server saw the same frames (masked flag as on the wire in both logs).
    compare_frames("client->server vs server log", frames["c2s"],
                   [frame_key(e) for e in log_frames(log, "server", "recv")])
    compare_frames("server->client vs server log", frames["s2c"],
                   [frame_key(e) for e in log_frames(log, "server", "send")])
    # Texts / close frames as tshark decodes them (after inflating) vs the log.
    logged_texts = [("c2s" if e["dir"] == "send" else "s2c", e.get("text"))
                    for e in c_send + c_recv if e["type"] == "text" and e["fin"]]
    logged_texts.sort(key=lambda x: x[0])
    seen_texts = sorted(texts, key=lambda x: x[0])
    if check(len(seen_texts) == len(logged_texts), f"{len(seen_texts)} single-frame texts decoded, "
             f"{len(logged_texts)} logged"):
        for (d1, t1), (d2, t2) in zip(seen_texts, logged_texts):
            check(d1 == d2 and t1 is not None and t1.startswith(t2.rstrip("\ufffd")),
                  f"text mismatch: capture {d1} {t1!r:.80} / log {d2} {t2!r:.80}")
    logged_closes = [("c2s" if e["dir"] == "send" else "s2c", str(e["code"]), e["reason"])
                     for e in c_send + c_recv if e["type"] == "close"]
    check(sorted(closes) == sorted(logged_closes), f"close frames: capture {closes} / log {logged_closes}")
    check(status101 == 1, f"{status101} HTTP 101 responses (want 1)")
    accepted = next((e.get("extensions_accepted") for e in log if e.get("type") == "http-response"), None)
    check(exts == accepted, f"Sec-WebSocket-Extensions: capture {exts!r} / log {accepted!r}")
    all_frames = frames["c2s"] + frames["s2c"]
    counts = {d: dict(collections.Counter(k[0] for k in fr)) for d, fr in frames.items()}
    messages = {d: sum(1 for k in fr if k[1] and k[0] in ("text", "binary", "continuation"))
                for d, fr in frames.items()}
    return {
        "ws_frames": len(all_frames),
        "ws_frames_by_dir": counts,
        "ws_data_messages": messages,
        "ws_rsv1_frames": sum(1 for k in all_frames if k[2]),
        "ws_largest_payload": max(k[4] for k in all_frames),
        "ws_close": closes,
        "sec_websocket_extensions_offered": offered,
        "sec_websocket_extensions": exts,
    }


# ---- HTTP/2 -----------------------------------------------------------------------------------
def h2_frames(pcap):
    """All HTTP/2 frames tshark dissects, in order: dicts with dir, stream, type, ..."""
    out = []
    for pkt in pdml(pcap, "http2", "ip ipv6 http2"):
        d = "c2s" if packet_src(pkt) == CLIENT_IP else "s2c"
        for proto in pkt.findall("proto"):
            if proto.get("name") != "http2":
                continue
            for st in fields(proto, "http2.stream"):
                if first(st, "http2.type") is None:
                    continue  # the connection preface (magic) has no frame type
                t = int(first(st, "http2.type"))
                fr = {"dir": d, "stream": int(first(st, "http2.streamid")), "type": H2TYPES.get(t, str(t)),
                      "length": int(first(st, "http2.length")),
                      "end_stream": first(st, "http2.flags.end_stream") == "1"}
                if t == 1:
                    fr["headers"] = [(first(h, "http2.header.name"), first(h, "http2.header.value"))
                                     for h in fields(st, "http2.header")]
                if t == 0:
                    data = first(st, "http2.data.data", "value")
                    pad = int(first(st, "http2.pad_length") or 0)
                    fr["data_len"] = fr["length"] - (pad + 1 if pad else 0)
                    fr["data"] = bytes.fromhex(data) if data else b""
                if t == 4:
                    fr["settings"] = {s.get("showname", "").split(":")[0]: None for s in fields(st, "http2.settings")}
                    fr["ack"] = first(st, "http2.flags.ack.settings") == "1"
                    ec = first(st, "http2.settings.extended_connect")
                    if ec is not None:
                        fr["extended_connect"] = int(ec)
                out.append(fr)
    return out


def h1_messages(pcap):
    out = []
    for pkt in pdml(pcap, "http", "ip ipv6 http"):
        for proto in pkt.findall("proto"):
            if proto.get("name") != "http":
                continue
            if first(proto, "http.request.method"):
                out.append({"kind": "request", "method": first(proto, "http.request.method"),
                            "uri": first(proto, "http.request.uri"), "upgrade": first(proto, "http.upgrade"),
                            "version": first(proto, "http.request.version")})
            elif first(proto, "http.response.code"):
                out.append({"kind": "response", "code": int(first(proto, "http.response.code")),
                            "version": first(proto, "http.response.version"),
                            "upgrade": first(proto, "http.upgrade")})
    return out


def h2_summary(frames):
    by_type = collections.Counter(f"{f['dir']}:{f['type']}" for f in frames)
    return {"http2_frames": len(frames), "http2_frames_by_type": dict(sorted(by_type.items()))}


def verify_h2_curl(pcap, log, upgrade):
    frames = h2_frames(pcap)
    h1 = h1_messages(pcap)
    curl = [e for e in log if e["side"] == "client"]
    server = [e for e in log if e["side"] == "server"]
    if upgrade:
        check(len(h1) == 2 and h1[0]["kind"] == "request" and h1[0]["upgrade"] == "h2c"
              and h1[1]["kind"] == "response" and h1[1]["code"] == 101,
              f"want one HTTP/1.1 request with Upgrade: h2c and a 101, got {h1}")
    else:
        check(not h1, f"unexpected HTTP/1.x messages: {h1}")
    streams = collections.OrderedDict()
    for f in frames:
        if f["stream"] == 0:
            continue
        s = streams.setdefault(f["stream"], {"req": None, "status": None, "up": 0, "down": 0})
        if f["type"] == "HEADERS":
            h = dict(f["headers"])
            if f["dir"] == "c2s":
                s["req"] = (h.get(":method"), h.get(":path"))
            elif ":status" in h:
                s["status"] = int(h[":status"])
        elif f["type"] == "DATA":
            s["up" if f["dir"] == "c2s" else "down"] += f["data_len"]
    if upgrade and 1 in streams and h1:
        streams[1]["req"] = (h1[0]["method"], h1[0]["uri"])  # the upgraded HTTP/1.1 request
    requests = []
    if check(len(streams) == len(curl), f"{len(streams)} HTTP/2 streams, {len(curl)} curl requests"):
        for (sid, s), c in zip(streams.items(), curl):
            path = "/" + c["url"].split("/", 3)[3]
            check(s["req"] == (c["method"], path), f"stream {sid}: request {s['req']} / curl {c['method']} {path}")
            check(s["status"] == c["http_code"], f"stream {sid}: status {s['status']} / curl {c['http_code']}")
            check(s["down"] == c["size_download"], f"stream {sid}: {s['down']} response bytes / curl {c['size_download']}")
            check(s["up"] == c["size_upload"], f"stream {sid}: {s['up']} request bytes / curl {c['size_upload']}")
            check(c["http_version"] == "2", f"curl says HTTP version {c['http_version']}")
            check(c.get("body_ok", True), f"stream {sid}: downloaded body differs from the served file")
            requests.append(f"stream {sid}: {s['req'][0]} {s['req'][1]} -> {s['status']}, "
                            f"{s['up']} B up, {s['down']} B down")
    check(len(server) == len(curl), f"{len(server)} server log entries, {len(curl)} curl requests")
    check(sum(c["num_connects"] for c in curl) == 1, "curl opened more than one connection")
    return {"requests": requests, "http1_messages": len(h1), **h2_summary(frames)}


def verify_h2c_ignored(pcap, log):
    frames = h2_frames(pcap)
    h1 = h1_messages(pcap)
    curl = [e for e in log if e["side"] == "client"]
    reqs = [m for m in h1 if m["kind"] == "request"]
    resps = [m for m in h1 if m["kind"] == "response"]
    check(not frames, f"{len(frames)} HTTP/2 frames (want none)")
    check(len(reqs) == len(curl) and all(r["upgrade"] == "h2c" for r in reqs),
          f"want {len(curl)} requests with Upgrade: h2c, got {reqs}")
    check([r["code"] for r in resps] == [c["http_code"] for c in curl] and all(r["code"] == 200 for r in resps),
          f"responses {resps} / curl {[c['http_code'] for c in curl]}")
    check(all(c["http_version"] == "1.1" for c in curl), "curl did not stay on HTTP/1.1")
    check(sum(c["num_connects"] for c in curl) == 1, "curl opened more than one connection")
    return {"requests": [f"{r['method']} {r['uri']} (Upgrade: {r['upgrade']}) -> {s['version']} {s['code']}"
                         for r, s in zip(reqs, resps)], "http2_frames": 0}


def parse_ws(data, client_to_server):
    """WebSocket frames in a byte string (websockets' own parser)."""
    reader = StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    out = []
    while reader.buffer:
        gen = Frame.parse(reader.read_exact, mask=client_to_server)
        try:
            next(gen)
        except StopIteration as stop:
            out.append(stop.value)
            continue
        raise ValueError("truncated WebSocket frame in the DATA payloads")
    return out


def verify_rfc8441(pcap, log):
    frames = h2_frames(pcap)
    srv_settings = [f for f in frames if f["dir"] == "s2c" and f["type"] == "SETTINGS" and not f["ack"]]
    check(any(f.get("extended_connect") == 1 for f in srv_settings),
          "no SETTINGS_ENABLE_CONNECT_PROTOCOL=1 from the server")
    req = [f for f in frames if f["dir"] == "c2s" and f["type"] == "HEADERS"]
    resp = [f for f in frames if f["dir"] == "s2c" and f["type"] == "HEADERS"]
    check(len(req) == 1 and len(resp) == 1, f"{len(req)} request / {len(resp)} response HEADERS")
    h = dict(req[0]["headers"]) if req else {}
    for k, v in ((":method", "CONNECT"), (":protocol", "websocket"), (":scheme", "http"), (":path", "/chat"),
                 ("sec-websocket-version", "13")):
        check(h.get(k) == v, f"request header {k}: {h.get(k)!r} (want {v!r})")
    check(":authority" in h, "no :authority")
    status = dict(resp[0]["headers"]).get(":status") if resp else None
    check(status == "200", f":status {status}")
    sid = req[0]["stream"] if req else 1
    ws_frames = {}
    for d in ("c2s", "s2c"):
        data = b"".join(f["data"] for f in frames if f["type"] == "DATA" and f["dir"] == d and f["stream"] == sid)
        ws_frames[d] = parse_ws(data, d == "c2s")
        ends = [f for f in frames if f["dir"] == d and f["stream"] == sid and f["end_stream"]]
        check(len(ends) == 1, f"{d}: {len(ends)} END_STREAM flags on stream {sid}")

    def key(fr, masked):
        return (OPNAMES[fr.opcode.value], fr.fin, fr.rsv1, masked, len(fr.data))

    compare_frames("client->server (DATA) vs client log", [key(f, True) for f in ws_frames["c2s"]],
                   [frame_key(e) for e in log_frames(log, "client", "send")])
    compare_frames("server->client (DATA) vs client log", [key(f, False) for f in ws_frames["s2c"]],
                   [frame_key(e) for e in log_frames(log, "client", "recv")])
    closes = [Close.parse(f.data) for d in ws_frames.values() for f in d if f.opcode is Opcode.CLOSE]
    check([(c.code, c.reason) for c in closes] == [(1000, "bye")] * 2, f"close frames {closes}")
    tshark_ws = len(tshark("-r", pcap, "-Y", "websocket", "-T", "fields", "-e", "frame.number").split())
    return {"extended_connect_request": {k: v for k, v in h.items()}, "status": status,
            "ws_frames_in_data": {d: [OPNAMES[f.opcode.value] for f in fr] for d, fr in ws_frames.items()},
            "tshark_websocket_frames": tshark_ws, **h2_summary(frames)}


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    name, pcap, log_path = sys.argv[1:4]
    log = read_log(log_path)
    if name.startswith("ws-session-"):
        summary = verify_ws(pcap, log)
    elif name == "h2c-upgrade-curl":
        summary = verify_h2_curl(pcap, log, upgrade=True)
    elif name == "h2-prior-knowledge-curl":
        summary = verify_h2_curl(pcap, log, upgrade=False)
    elif name == "h2c-upgrade-ignored":
        summary = verify_h2c_ignored(pcap, log)
    elif name == "rfc8441-websocket-over-h2":
        summary = verify_rfc8441(pcap, log)
    else:
        sys.exit(f"unknown sample {name}")
    info = capinfo(pcap)
    check(info["tcp_connections"] == 1, f"{info['tcp_connections']} TCP connections (want 1)")
    flags = tshark("-r", pcap, "-Y", "tcp.flags.syn==1 or tcp.flags.fin==1 or tcp.flags.reset==1",
                   "-T", "fields", "-e", "ip.src", "-e", "tcp.flags.syn", "-e", "tcp.flags.fin",
                   "-e", "tcp.flags.reset").split("\n")
    rows = [r.split("\t") for r in flags if r]
    check(any(r[0] == CLIENT_IP and r[1] == "1" for r in rows), "no SYN from the client")
    check({r[0] for r in rows if r[2] == "1"} == {CLIENT_IP, "10.202.0.2"}, "not both sides sent a FIN")
    check(not any(r[3] == "1" for r in rows), "TCP reset in the capture")
    summary = {"name": name, **info, "log_lines": len(log), **summary, "errors": errors}
    print(f"{name}: {'OK' if not errors else 'FAILED'}")
    for k, v in summary.items():
        if k not in ("name", "errors"):
            print(f"  {k}: {json.dumps(v, ensure_ascii=False) if not isinstance(v, (int, str)) else v}")
    for e in errors:
        print(f"  ERROR: {e}")
    if len(sys.argv) == 5:
        with open(sys.argv[4], "w", encoding="utf-8") as f:
            json.dump(summary, f, ensure_ascii=False, indent=1)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
