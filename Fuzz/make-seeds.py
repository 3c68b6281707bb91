#!/usr/bin/env python3
"""Builds the fuzz seed corpus from captures (standard library only).

Usage: make-seeds.py OUTDIR CAPTURE...

Writes OUTDIR/<harness>/<name>: packets for `decoder` (link selector byte + packet),
segment records for `reassembler`, and stream bytes in the harnesses' chunk format
(header byte: bit 0 the direction, bits 1-7 length-1) for `http1`, `websocket` (after
the 101; selector byte: bit 0 permessage-deflate), `http2` (after the preface or the h2c
101) and `tls`; plus a few synthetic `audit` inputs, shard outputs for `merge` and the
samples' key logs (and a few hand-made lines) for `keylog`.
"""
import glob
import hashlib
import os
import struct
import sys

LINKS = {1: 0, 113: 1, 276: 2, 0: 3, 108: 4, 101: 5, 228: 6, 229: 7}  # DLT -> harness selector


def read_capture(path):
    """Yields (dlt, packet bytes) from pcap or pcapng."""
    data = open(path, "rb").read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = "<" if magic[0] in (0xd4, 0x4d) else ">"
        dlt = struct.unpack(endian + "I", data[20:24])[0] & 0xFFFF
        index = 24
        while index + 16 <= len(data):
            incl = struct.unpack(endian + "I", data[index + 8:index + 12])[0]
            yield dlt, data[index + 16:index + 16 + incl]
            index += 16 + incl
    elif magic == b"\x0a\x0d\x0d\x0a":
        index, endian, links = 0, "<", []
        while index + 12 <= len(data):
            block_type = struct.unpack(endian + "I", data[index:index + 4])[0]
            if block_type == 0x0A0D0D0A:
                endian = "<" if data[index + 8:index + 12] == b"\x4d\x3c\x2b\x1a" else ">"
                links = []
            length = struct.unpack(endian + "I", data[index + 4:index + 8])[0]
            if length < 12:
                break
            body = data[index + 8:index + length - 4]
            if block_type == 1:
                links.append(struct.unpack(endian + "H", body[:2])[0])
            elif block_type == 6 and len(body) >= 20:
                interface, _, _, captured = struct.unpack(endian + "IIII", body[:16])
                if interface < len(links):
                    yield links[interface], body[20:20 + captured]
            index += length


def ip_of(dlt, packet):
    """The IP packet inside a link frame, or None."""
    if dlt == 1:
        offset, ethertype = 14, struct.unpack("!H", packet[12:14])[0] if len(packet) >= 14 else 0
        while ethertype in (0x8100, 0x88A8, 0x9100) and len(packet) >= offset + 4:
            ethertype = struct.unpack("!H", packet[offset + 2:offset + 4])[0]
            offset += 4
        return packet[offset:]
    if dlt == 113:
        return packet[16:]
    if dlt == 276:
        return packet[20:]
    if dlt in (0, 108):
        return packet[4:]
    if dlt in (101, 228, 229):
        return packet
    return None


def tcp_of(ip):
    """(src, dst, sport, dport, seq, ack, flags, payload) or None."""
    if not ip:
        return None
    version = ip[0] >> 4
    if version == 4 and len(ip) >= 20 and ip[9] == 6:
        header = (ip[0] & 15) * 4
        total = struct.unpack("!H", ip[2:4])[0]
        src, dst, segment = ip[12:16], ip[16:20], ip[header:total]
    elif version == 6 and len(ip) >= 40 and ip[6] == 6:
        src, dst, segment = ip[8:24], ip[24:40], ip[40:40 + struct.unpack("!H", ip[4:6])[0]]
    else:
        return None
    if len(segment) < 20:
        return None
    sport, dport, seq, ack = struct.unpack("!HHII", segment[:12])
    offset = (segment[12] >> 4) * 4
    return src, dst, sport, dport, seq, ack, segment[13], segment[offset:]


def chunked(pieces):
    """[(direction, bytes)] in the harness chunk format."""
    out = bytearray()
    for direction, data in pieces:
        for start in range(0, len(data), 128):
            piece = data[start:start + 128]
            out.append(((len(piece) - 1) << 1) | direction)
            out += piece
    return bytes(out)


def after_head(data):
    end = data.find(b"\r\n\r\n")
    return None if end < 0 else end + 4


def write(outdir, harness, data, limit=256 * 1024):
    if not data:
        return
    data = data[:limit]
    directory = os.path.join(outdir, harness)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, hashlib.sha1(data).hexdigest()[:16]), "wb") as file:
        file.write(data)


def seeds_from(outdir, path):
    connections = {}
    order = []
    for count, (dlt, packet) in enumerate(read_capture(path)):
        if dlt in LINKS and count < 400:
            write(outdir, "decoder", bytes([LINKS[dlt]]) + packet)
        segment = tcp_of(ip_of(dlt, packet))
        if segment is None:
            continue
        src, dst, sport, dport, seq, ack, flags, payload = segment
        key = tuple(sorted([(src, sport), (dst, dport)]))
        if key not in connections:
            connections[key] = {"client": (src, sport), "segments": []}
            order.append(key)
        conn = connections[key]
        direction = 0 if (src, sport) == conn["client"] else 1
        conn["segments"].append((direction, seq, ack, flags, payload))
    for key in order[:20]:
        segments = connections[key]["segments"]
        # Reassembler records: flags, endpoints (client 0 -> server 1), deltas, payload.
        records = bytearray()
        last = [None, None]
        for direction, seq, ack, flags, payload in segments[:300]:
            delta = 0 if last[direction] is None else (seq - last[direction]) & 0xFFFFFFFF
            delta = delta if delta < 0x8000 else (delta - (1 << 32) if delta >= 0x80000000 else 0x7fff)
            last[direction] = seq
            pair = direction | ((1 - direction) << 2)
            piece = payload[:127]
            records += bytes([flags & 0xFF, pair]) + struct.pack("!hH", max(-32768, min(32767, delta)), ack & 0xFFFF)
            records += bytes([1, len(piece)]) + piece
        write(outdir, "reassembler", bytes(records))
        pieces = [(d, p) for d, _, _, _, p in segments if p]
        streams = [b"".join(p for d, p in pieces if d == 0), b"".join(p for d, p in pieces if d == 1)]
        write(outdir, "http1", chunked(pieces))
        if streams[0][:1] == b"\x16" or streams[1][:1] == b"\x16":
            write(outdir, "tls", chunked(pieces))
        if streams[0].startswith(b"PRI * HTTP/2.0"):
            write(outdir, "http2", b"\x00" + chunked(pieces))
        request_end, response_end = after_head(streams[0]), after_head(streams[1])
        if request_end and response_end and streams[1].startswith(b"HTTP/1.1 101"):
            head = streams[0][:request_end].lower() + streams[1][:response_end].lower()
            post = [(0, streams[0][request_end:]), (1, streams[1][response_end:])]
            if b"upgrade: h2c" in head:
                write(outdir, "http2", b"\x00" + chunked(post))
            elif b"websocket" in head:
                deflate = 1 if b"permessage-deflate" in streams[1][:response_end].lower() else 0
                write(outdir, "websocket", bytes([deflate]) + chunked(post))
                write(outdir, "websocket", bytes([deflate | 2]) + chunked(post))


def main():
    outdir = sys.argv[1]
    for path in sys.argv[2:]:
        try:
            seeds_from(outdir, path)
        except (OSError, struct.error, IndexError) as error:
            print(f"make-seeds: {path}: {error}", file=sys.stderr)
    # The audit: a few exchanges in the harness's 12-byte record format.
    audit = bytes([0x21])
    for index in range(8):
        audit += bytes([index & 1 | (index % 4) << 1, 0xC0 | index, 2, 10 * index, 5, 0x80, 3, 1, 2, 3, 4, 3])
    write(outdir, "audit", audit)
    write(outdir, "audit", bytes([0]) + bytes(range(24)))
    # HPACK: the three requests of RFC 7541 C.4 (Huffman, dynamic table references), with a
    # 4064-byte table (selector 0x7f: 127 x 32) and a 256-byte one with a 512-byte list limit.
    blocks = [bytes.fromhex(text) for text in (
        "828684418cf1e3c2e5f23a6ba0ab90f4ff", "828684be5886a8eb10649cbf",
        "828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf")]
    body = b"".join(bytes([len(block)]) + block for block in blocks)
    write(outdir, "hpack", bytes([0x7f]) + body)
    write(outdir, "hpack", bytes([0x88]) + body)
    # The interpreters: selector byte (bits 0-1 Socket.IO / MQTT / STOMP, bit 2 binary),
    # then one chunk per message.
    socketio = [b'0{"sid":"Ab3","upgrades":[],"pingInterval":25000,"pingTimeout":20000}', b"2probe", b"3probe",
                b"5", b"40", b'40{"sid":"x"}', b'421["chat",{"msg":"hi"}]', b'431[{"ok":true}]',
                b'451-3["up",{"_placeholder":true,"num":0}]', b"2", b"3", b"41", b"1"]
    write(outdir, "interpreters", bytes([0]) + chunked([(i & 1, m) for i, m in enumerate(socketio)]))
    mqtt = [b"\x10\x17\x00\x04MQTT\x04\xc2\x00\x3c\x00\x03sp1\x00\x01u\x00\x01p", b"\x20\x02\x00\x00",
            b"\x82\x0c\x00\x01\x00\x07sp/test\x01", b"\x90\x03\x00\x01\x01",
            b"\x32\x0e\x00\x07sp/test\x00\x02hi", b"\x40\x02\x00\x02", b"\xc0\x00", b"\xd0\x00", b"\xe0\x00"]
    write(outdir, "interpreters", bytes([5]) + chunked([(i & 1, m) for i, m in enumerate(mqtt)]))
    stomp = [b"CONNECT\naccept-version:1.2\nhost:/\n\n\x00", b"CONNECTED\nversion:1.2\n\n\x00",
             b"SUBSCRIBE\nid:1\ndestination:/q\nreceipt:r\n\n\x00", b"RECEIPT\nreceipt-id:r\n\n\x00",
             b"SEND\ndestination:/q\ncontent-length:2\n\nhi\x00", b"MESSAGE\ndestination:/q\n\nhi\x00", b"\n"]
    write(outdir, "interpreters", bytes([2]) + chunked([(i & 1, m) for i, m in enumerate(stomp)]))

    merge_seeds(outdir)
    keylog_seeds(outdir)


def merge_seeds(outdir):
    """Shard outputs for `merge`, inputs separated by 0x1e: a whole set, a set split over
    inputs, a fanout group, and the refusals (another capture, a shard twice)."""
    def summary(shard, capture="00000000000000ff", extra=""):
        return ('{"type":"summary","connections":1,"packets":4,"upgrades":{"websocket":1},"findings":{"f":1},'
                '"messages":{"http1":{"requests":1,"responses":1}},"input_problems":["x"]' + extra
                + ',"capture":"' + capture + '","shard":"' + shard + '"}\n').encode()
    events = [
        b'{"ts":1.000001,"conn":1,"type":"conn.open","client":"10.0.0.1:40000","server":"10.0.0.2:80"}\n',
        b'{"ts":1.5,"conn":1,"type":"http.request","dir":"c2s","method":"GET","target":"/"}\n',
        b'{"ts":2.25,"conn":1,"type":"conn.close","reason":"fin"}\n',
    ]
    one = b"".join(events)
    write(outdir, "merge", one + summary("0/2") + b"\x1e" + one + summary("1/2"))
    write(outdir, "merge", one + summary("0/3") + one + summary("2/3") + b"\x1e" + summary("1/3"))
    write(outdir, "merge", one + summary("0/2") + b"\x1e" + summary("1/2", capture="00000000000000fe"))
    write(outdir, "merge", summary("0/2") + summary("0/2") + b"\x1e" + summary("1/2"))
    group = b'{"type":"summary","connections":1,"captured":9,"fanout_group":7}\n'
    write(outdir, "merge", one + group + b"\x1e" + one + group)


def keylog_seeds(outdir):
    """The samples' key logs (chunk-size byte first) and a few hand-made lines."""
    for path in sorted(glob.glob(os.path.join(os.path.dirname(__file__), "..", "samples", "tls", "*.keylog"))):
        with open(path, "rb") as handle:
            text = handle.read()
        write(outdir, "keylog", bytes([0x3f]) + text)
        write(outdir, "keylog", bytes([0x00]) + text)
    random = "11" * 32
    lines = ["# comment", "CLIENT_RANDOM " + random + " " + "22" * 48, "\tSERVER_TRAFFIC_SECRET_0  " + random + " " + "33" * 32,
             "CLIENT_TRAFFIC_SECRET_1 " + random + " " + "44" * 32, "EXPORTER_SECRET " + random + " " + "55" * 32,
             "BOGUS line", "CLIENT_HANDSHAKE_TRAFFIC_SECRET " + random + " " + "6" * 63, "x" * 1100]
    write(outdir, "keylog", bytes([7]) + "\r\n".join(lines).encode())


if __name__ == "__main__":
    main()
