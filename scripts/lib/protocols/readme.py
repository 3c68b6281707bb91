#!/usr/bin/env python3
"""Writes samples/websocket/README.md and samples/http2/README.md.

  readme.py WS_DIR H2_DIR SUMMARY_DIR

SUMMARY_DIR holds the summary-NAME.json files of verify.py; the numbers in
the READMEs' tables come from there (i.e. from tshark on the current files).
"""
import json
import os
import subprocess
import sys


def version(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
        return (out.stdout or out.stderr).splitlines()[0].strip().rstrip(".")
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "?"


def load(summary_dir, name):
    path = os.path.join(summary_dir, f"summary-{name}.json")
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def fmt_counts(d):
    return ", ".join(f"{v} {k}" for k, v in d.items())


def versions():
    import h2
    import websockets
    return {
        "python": sys.version.split()[0],
        "websockets": websockets.__version__,
        "h2": h2.__version__,
        "curl": version(["curl", "--version"]),
        "nghttp2": version(["nghttpx", "--version"]).split()[-1],          # nghttp2/1.52.0
        "nginx": version(["nginx", "-v"]).replace("nginx version: ", ""),  # nginx/1.22.1
        "tshark": version(["tshark", "--version"]).split(" (Git")[0],    # TShark (Wireshark) 4.0.17
        "kernel": os.uname().release,
    }


COMMON = """\
Recorded from real software by `scripts/record-samples-protocols` (run as root
on Debian 12; it overwrites the files here and checks each capture against
its log with tshark, `scripts/lib/protocols/verify.py`). The client runs in
network namespace `sp-wcli` (10.202.0.1), the server in `sp-wsrv`
(10.202.0.2); the two are joined only by one veth pair (`sp-wc0`/`sp-ws0`,
MTU 1500, fixed MACs 02:53:52:00:00:01/02) with checksum offload, TSO, GSO and
GRO switched off, so TCP segments are at most 1448 bytes of payload with valid
checksums, as on a real wire. tcpdump runs on `sp-wc0` in the client
namespace with the filter `tcp port 80` (so no ARP/ND): Ethernet link type
(EN10MB), microsecond pcap, snaplen 262144, 0 packets dropped. Every file
holds exactly one TCP connection, from SYN to both FINs.
"""

WS_LOG = """\
## The `.log` files

JSON lines from both programs (`side` = client/server), merged and sorted by
`t` (UNIX time). `layer` says what a line describes:

- `http`: the opening handshake: `type` http-request (`text` = request line,
  `extensions_offered` = the client's `Sec-WebSocket-Extensions`) /
  http-response (`status`, `extensions_accepted`); `ws-extensions`: the
  extension objects websockets built (`negotiated`).
- `ws-frame`: one frame as the library sent or parsed it, including the pongs
  and close replies it sends by itself. `dir` send/recv, `type` (text,
  binary, continuation, ping, pong, close), `fin`, `rsv1` and `masked` as on
  the wire, `wire_len` (payload length in the frame header, i.e. compressed),
  `len` and `sha256` of the payload after decompression, `text` (first 60
  characters of text/continuation-of-text/ping/pong payloads), `code`/`reason`
  for close frames. Taken from hooks on websockets' sans-I/O `Protocol`
  (`send_frame` logs after serialising, `recv_frame` plus a wrapper around
  `PerMessageDeflate.decode` for the wire RSV1/length).
- `ws-message`: one whole message as the application sent/received it (`type`,
  `len` in bytes, `chars`, `sha256`, `text`).
- `ws-pong-received`, `ws-closed`: the ping round trip (latency) and the final
  close code/reason as each side saw it.

`verify.py` checks that tshark's frames per direction equal the client's
`ws-frame` lines (and the server's) in opcode, FIN, RSV1, MASK and payload
length, that the single-frame texts tshark decodes (it inflates
permessage-deflate itself) start with the logged `text`, the close codes and
reasons, the one 101 and the `Sec-WebSocket-Extensions` header.
"""


def ws_readme(ws_dir, sd, v):
    rows = []
    for name in ("ws-session-plain", "ws-session-deflate", "ws-session-deflate-params"):
        s = load(sd, name)
        if not s:
            continue
        c2s, s2c = s["ws_frames_by_dir"]["c2s"], s["ws_frames_by_dir"]["s2c"]
        rows.append(f"| `{name}.pcap` | {s['bytes']:,} | {s['packets']} | {s['tcp_connections']} | "
                    f"{s['ws_frames']} ({sum(c2s.values())} c→s: {fmt_counts(c2s)}; "
                    f"{sum(s2c.values())} s→c: {fmt_counts(s2c)}) | {s['ws_rsv1_frames']} | "
                    f"{s['ws_largest_payload']:,} | {s['log_lines']} |")
    deflate = load(sd, "ws-session-deflate") or {}
    params = load(sd, "ws-session-deflate-params") or {}
    text = f"""# WebSocket sample captures (RFC 6455, RFC 7692)

{COMMON}
Software: python {v['python']} with websockets {v['websockets']} (asyncio
client and server, `scripts/lib/protocols/ws_session.py`), Linux {v['kernel']};
checked with {v['tshark']}.

## The session (same in all three files)

`ws://10.202.0.2/session`, client port chosen by the kernel, server port 80.
Both sides have keepalive pings off (`ping_interval=None`), `max_size` 2 MiB.

1. Opening handshake: `GET /session HTTP/1.1` with `Upgrade: websocket`,
   `Sec-WebSocket-Key`, version 13 (and an extension offer in the deflate
   files) -> `HTTP/1.1 101 Switching Protocols` (`Server:
   switchpoint-sample-server`).
2. Five text messages, each echoed by the server: no. 2 is multi-byte UTF-8
   (accents, CJK, Greek, emoji: 108 bytes, 72 characters), no. 3 is 256 bytes
   (16-bit extended payload length), the others under 126 bytes.
3. One binary message of exactly 1,048,576 bytes in one frame (64-bit
   extended length, masked; ~725 TCP segments in the plain file). The server
   answers with one text message `binary received: 1048576 bytes sha256=...`
   instead of echoing it (keeps the files small). Content: in the plain file
   seeded random bytes (`random.Random(6455).randbytes`); in the deflate files
   compressible log-like ASCII lines (`000000 INFO worker-0 request
   path=/api/v1/sierra status=200 bytes=4096` ...), same bytes every run.
4. A ping with payload `switchpoint-ping-0042` from the client; the server's
   library answers with the pong (same payload).
5. A fragmented text message: the client passes an iterable of three strings
   to `send()`, and websockets sends TEXT (FIN=0), CONTINUATION (FIN=0),
   CONTINUATION (FIN=0) and then an **empty** CONTINUATION with FIN=1 (that is
   how the library ends a message sent from an iterable: 4 frames, 86 bytes
   of multi-byte UTF-8 text in all). The server echoes it as one
   single-frame text message.
6. The client sends close 1000 "bye"; the server's library answers with close
   1000 "bye" and closes TCP first (FIN from 10.202.0.2), then the client.

All client frames are masked (random masking keys, so the bytes differ from
run to run), no server frame is. Frames c→s: 12 (6 text, 1 binary, 1 ping,
3 continuation, 1 close), s→c: 9 (7 text, 1 pong, 1 close): 14 data
messages in all (7 per direction).

## Files

| file | contents |
| --- | --- |
| `ws-session-plain.pcap` | `compression=None` on both sides: no `Sec-WebSocket-Extensions`, RSV bits all 0, payloads readable after unmasking. |
| `ws-session-plain.log` | JSON lines of client and server (see below). |
| `ws-session-deflate.pcap` | websockets' default `compression="deflate"`: the client offers `{deflate.get('sec_websocket_extensions_offered') or '?'}`, the server accepts `{deflate.get('sec_websocket_extensions') or '?'}`. RSV1 is set on the first frame of every data message (14 frames), never on continuation or control frames; context takeover on both sides (the LZ77 window carries over from message to message). The 1 MiB binary message is {deflate.get('ws_largest_payload', 0):,} bytes on the wire. The final empty CONTINUATION of the fragmented message is 1 byte on the wire (0x00, what is left of an empty sync flush after the trailing 00 00 ff ff is removed); the first fragment grows from 38 to 43 bytes: compression does not always shrink. |
| `ws-session-deflate.log` | as above; `rsv1`/`wire_len` show the compressed frames. |
| `ws-session-deflate-params.pcap` | explicit extension factories: the client offers `{params.get('sec_websocket_extensions_offered') or '?'}`, the server (`ServerPerMessageDeflateFactory(client_max_window_bits=11)`) accepts `{params.get('sec_websocket_extensions') or '?'}`. So every message is compressed with a fresh LZ77 context in both directions (no context takeover), the server with a 1 KiB window (2^10), the client with 2 KiB (2^11). The 1 MiB binary message is {params.get('ws_largest_payload', 0):,} bytes on the wire. |
| `ws-session-deflate-params.log` | as above. |

Numbers of the current recording (from tshark, `verify.py`):

| file | bytes | packets | TCP conns | WebSocket frames | frames with RSV1 | largest payload on the wire | log lines |
| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |
{chr(10).join(rows)}

{WS_LOG}
## Reading them with tshark

    tshark -r ws-session-deflate.pcap -Y websocket -T fields \\
        -e ip.src -e websocket.fin -e websocket.rsv -e websocket.opcode \\
        -e websocket.mask -e websocket.payload_length -e websocket.payload_length_ext_64

Port 80 is one of Wireshark's HTTP ports, so the handshake and the switch to
the WebSocket dissector need no `-d` option.
"""
    with open(os.path.join(ws_dir, "README.md"), "w", encoding="utf-8") as f:
        f.write(text)


H2_LOG = """\
## The `.log` files

- `h2c-upgrade-curl.log`, `h2-prior-knowledge-curl.log`,
  `h2c-upgrade-ignored.log`: first one line per request from curl's
  `--write-out` (`side` client): `method`, `url`, `write_out` =
  `%{http_code} %{size_download} %{size_upload} %{http_version}` exactly,
  the same values as separate fields, `num_connects` (1 for the request that
  opened the connection, 0 for the reused ones), `local_port`, plus
  `body_sha256` (what curl saved), `expected_sha256` (the served file, or for
  the POST the uploaded body, which the server echoes), `body_ok`, and
  `upload_sha256` for the POST. Then one line per request from the server's
  access log (`side` server): nghttpx (`method`, `path`, `protocol` as
  received -- the upgraded request counts as HTTP/1.1 --, `status`,
  `body_bytes_sent`, `request_content_length`, `upgrade` header, `alpn`
  h2c, `remote_port`, `time`) or nginx (`method`, `path`, `protocol`,
  `status`, `body_bytes_sent`, `upgrade`, `connection`, `remote_port`, `t`).
- `rfc8441-websocket-over-h2.log`: JSON lines of client and server sorted by
  `t`. `layer` `h2`: every HTTP/2 frame sent or received (`type` SETTINGS /
  SETTINGS-ACK / HEADERS / DATA / END_STREAM / GOAWAY / ..., `stream`,
  `settings`, `headers`, DATA `len` + `sha256`, `end_stream`); `layer`
  `ws-frame` / `ws-message` as in `../websocket/README.md` (frame type, FIN,
  RSV1, MASK, lengths, sha256, text, close code/reason); `done`: final
  WebSocket state and close code.
"""


def h2_readme(h2_dir, sd, v):
    rows = []
    for name in ("h2c-upgrade-curl", "h2-prior-knowledge-curl", "h2c-upgrade-ignored",
                 "rfc8441-websocket-over-h2"):
        s = load(sd, name)
        if not s:
            continue
        if name == "h2c-upgrade-ignored":
            what = "HTTP/1.1 only: " + "; ".join(s["requests"])
        elif name == "rfc8441-websocket-over-h2":
            what = (f"{s['http2_frames']} HTTP/2 frames ({fmt_counts(s['http2_frames_by_type'])}); WebSocket "
                    f"frames in the DATA payloads c→s: {', '.join(s['ws_frames_in_data']['c2s'])}; "
                    f"s→c: {', '.join(s['ws_frames_in_data']['s2c'])}; tshark's own WebSocket frames: "
                    f"{s['tshark_websocket_frames']}")
        else:
            what = (f"{s['http2_frames']} HTTP/2 frames ({fmt_counts(s['http2_frames_by_type'])}); "
                    + "; ".join(s["requests"]))
        rows.append(f"| `{name}.pcap` | {s['bytes']:,} | {s['packets']} | {s['tcp_connections']} | {what} | "
                    f"{s['log_lines']} |")
    text = f"""# HTTP/2 cleartext sample captures (RFC 9113 h2c, RFC 8441)

{COMMON}
Software: {v['curl'].split(' (')[0]} (Debian 12 build, with nghttp2), nghttpx and nghttpd
from {v['nghttp2']}, {v['nginx']} (nginx-light), python {v['python']} with
h2 {v['h2']} and websockets {v['websockets']}; checked with {v['tshark']}.

Served content (made by `scripts/lib/protocols/gen_data.py`, same bytes every
run): `/hello.txt` 48 bytes, `/data.json` 65 bytes, `/index.html` 149 bytes,
`/big.bin` 300,000 seeded random bytes; the POST body is 10,240 bytes of text.

## Server setup for the curl files

`nghttpd` (the nghttp2 test server) cannot be used alone for the upgrade: it
only speaks HTTP/2 with prior knowledge and does not implement the HTTP/1.1
`Upgrade: h2c` mechanism (nghttp2 issue 1200; tried: it answers curl's
HTTP/1.1 request with its SETTINGS frame and curl fails with "Received
HTTP/0.9 when not allowed"). So
the server namespace runs `nghttpx` (the nghttp2 proxy, frontend
`10.202.0.2,80;no-tls`, which accepts both HTTP/1.1 with `Upgrade: h2c` and
the HTTP/2 connection preface) in front of `nghttpd --no-tls --echo-upload`
on 127.0.0.1:8081 inside `sp-wsrv` (backend protocol h2; that hop is not
captured). nghttpd answers a POST by echoing the uploaded body. Responses
carry `server: nghttpx` and `via: 2 nghttpx`. nghttpx's SETTINGS include
SETTINGS_ENABLE_CONNECT_PROTOCOL=1 and SETTINGS_NO_RFC7540_PRIORITIES=1.

curl runs all requests of a file in one invocation, separated by `--next`,
so they share one TCP connection (`num_connects` 1 then 0).

## Files

| file | contents |
| --- | --- |
| `h2c-upgrade-curl.pcap` | `curl --http2` (HTTP/1.1 upgrade). Request 1 `GET /hello.txt HTTP/1.1` with `Connection: Upgrade, HTTP2-Settings`, `Upgrade: h2c`, `HTTP2-Settings: ...` (base64url SETTINGS: max concurrent streams 100, initial window 32 MiB, push off) -> `HTTP/1.1 101 Switching Protocols` followed in the same TCP segment by the server's SETTINGS frame; the client then sends the connection preface `PRI * HTTP/2.0...` + SETTINGS, and the response to request 1 arrives as HTTP/2 on stream 1 (the stream the upgrade implicitly opened, half-closed by the client). Then on the same connection: stream 3 `GET /big.bin` (300,000 bytes in DATA frames of up to 16,384 bytes, spread over many TCP segments), stream 5 `POST /upload` (10,240-byte DATA frame up, echoed back), stream 7 `GET /data.json`. Then curl closes (FIN, no GOAWAY). |
| `h2c-upgrade-curl.log` | curl `--write-out` lines (4) + nghttpx access log (4). |
| `h2-prior-knowledge-curl.pcap` | `curl --http2-prior-knowledge`: the connection starts directly with the preface + SETTINGS; stream 1 `GET /hello.txt`, stream 3 `GET /data.json`, both 200. The second request is given `--http2` instead of `--http2-prior-knowledge`: curl 7.88.1 fails a reused prior-knowledge connection with "(16) Error in the HTTP2 framing layer" when the next request asks for prior knowledge again (curl issue 10634, fixed in curl 8.0.0); on the already-HTTP/2 connection `--http2` just sends the next HEADERS frame, the wire shows no difference. |
| `h2-prior-knowledge-curl.log` | curl `--write-out` lines (2) + nghttpx access log (2). |
| `h2c-upgrade-ignored.pcap` | `curl --http2` against nginx (no `http2` on its listener), which ignores `Upgrade: h2c`: `GET /hello.txt` -> `HTTP/1.1 200 OK`, no 101, no HTTP/2 frame; on the same keep-alive connection `GET /index.html`, which curl again sends with `Upgrade: h2c` / `HTTP2-Settings` (it offers the upgrade on every HTTP/1.1 request), again 200. |
| `h2c-upgrade-ignored.log` | curl `--write-out` lines (2, `http_version` 1.1) + nginx access log (2). |
| `rfc8441-websocket-over-h2.pcap` | WebSocket over HTTP/2 (RFC 8441) over cleartext TCP with prior knowledge: python `h2` server (`scripts/lib/protocols/h2_websocket.py`) whose initial SETTINGS carry SETTINGS_ENABLE_CONNECT_PROTOCOL (0x8) = 1; the python `h2` client waits for it, then opens stream 1 with the extended CONNECT `:method CONNECT`, `:protocol websocket`, `:scheme http`, `:path /chat`, `:authority 10.202.0.2`, `sec-websocket-version: 13`, `origin`, `user-agent` (no END_STREAM); the server answers `:status 200`. Then real WebSocket frames (encoded by websockets' sans-I/O `Protocol`, no HTTP/1.1 handshake, no Sec-WebSocket-Key/Accept) travel in DATA frames on stream 1, one WebSocket frame per DATA frame: 3 masked text messages from the client, each echoed unmasked by the server (no. 2 multi-byte UTF-8, no. 3 200 bytes), a ping `h2-ws-ping-8441` and its pong, close 1000 "bye" both ways. The server then ends its side of the stream with an empty DATA frame with END_STREAM, the client does the same, sends GOAWAY (NO_ERROR) and closes TCP. No permessage-deflate. |
| `rfc8441-websocket-over-h2.log` | JSON lines of client and server: HTTP/2 frames and WebSocket frames/messages. |

Numbers of the current recording (from tshark, `verify.py`):

| file | bytes | packets | TCP conns | what tshark sees | log lines |
| --- | ---: | ---: | ---: | --- | ---: |
{chr(10).join(rows)}

tshark ({v['tshark']}) dissects all the HTTP/2 here on port 80 without `-d`
(the upgrade via the HTTP dissector, prior knowledge via the preface),
including `http2.settings.extended_connect` and the `:protocol` header, but it
does **not** dissect the WebSocket frames inside the RFC 8441 DATA frames
(`-Y websocket` finds nothing); `verify.py` parses them out of
`http2.data.data` with websockets' own frame parser and compares them with
the log.

{H2_LOG}
## Reading them with tshark

    tshark -r h2c-upgrade-curl.pcap -Y 'http or http2' -T fields -E occurrence=a \\
        -e ip.src -e http.request.method -e http.response.code -e http2.streamid \\
        -e http2.type -e http2.length -e http2.headers.method -e http2.headers.path \\
        -e http2.headers.status
    tshark -r rfc8441-websocket-over-h2.pcap -Y http2 -T fields -E occurrence=a \\
        -e http2.streamid -e http2.type -e http2.header.name -e http2.header.value \\
        -e http2.settings.extended_connect -e http2.data.data
"""
    with open(os.path.join(h2_dir, "README.md"), "w", encoding="utf-8") as f:
        f.write(text)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    ws_dir, h2_dir, sd = sys.argv[1:]
    v = versions()
    ws_readme(ws_dir, sd, v)
    h2_readme(h2_dir, sd, v)


if __name__ == "__main__":
    main()
