#!/usr/bin/env python3
"""Writes the hostile-but-cheap captures of issue 16 as pcap files (standard library only).

Usage: adversarial-pcaps.py KIND SCALE OUT.pcap

KIND and what SCALE counts:
  relief     out-of-order segments sent after 97,000 connections each hold 700 B behind a
             hole (68 MB, over reassembly's 64 MiB total limit)
  eviction   flows of SYN + a few bytes (the cap is 100,000 connections)
  deflate    megabytes of one permessage-deflate WebSocket message (server to client)
  open       WebSocket connections left open, 40 interleaved messages each
  audit-mem  empty WebSocket messages on one upgraded connection
  pairing    exchanges through a proxy (front and back leg each), half with
             Sec-WebSocket-Key, half paired by method, target and timing
  held       WebSocket connections left open, 60 rounds of 32 empty pings each,
             interleaved (text blocks held per connection; dense JSON)
  bomb       megabytes a permessage-deflate message of one repeated byte inflates
             to (a deflate bomb: a few kilobytes on the wire)
  keylog     lines of an NSS key log (OUT is the key log, not a capture): five TLS 1.3
             secrets per client random, every sixth connection one TLS 1.2 line
"""
import base64
import hashlib
import random
import struct
import sys
import zlib

MSS = 1400
GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class PcapWriter:
    """Ethernet/IPv4/TCP packets, microsecond timestamps, advancing 10 µs per packet."""

    def __init__(self, path):
        self.file = open(path, "wb", buffering=1 << 20)
        self.file.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        self.time = 1_700_000_000 * 1_000_000

    def tcp(self, src, dst, sport, dport, seq, ack, flags, payload=b"", advance=10):
        self.time += advance
        tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags, 65535, 0, 0)
        total = 20 + len(tcp) + len(payload)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, 0, 0x4000, 64, 6, 0, bytes(src), bytes(dst))
        frame = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00" + ip + tcp + payload
        self.file.write(struct.pack("<IIII", self.time // 1_000_000, self.time % 1_000_000, len(frame), len(frame)))
        self.file.write(frame)

    def close(self):
        self.file.close()


SYN, ACK, PSH, FIN = 0x02, 0x10, 0x08, 0x01


def address(index, net=10):
    return [net, (index >> 16) & 0xFF, (index >> 8) & 0xFF, index & 0xFF]


class Flow:
    """One TCP connection with its sequence numbers; `send` splits payloads at the MSS."""

    def __init__(self, pcap, client, server, cport, sport):
        self.pcap, self.client, self.server, self.cport, self.sport = pcap, client, server, cport, sport
        self.cseq, self.sseq = 1000, 5000

    def handshake(self):
        self.pcap.tcp(self.client, self.server, self.cport, self.sport, self.cseq, 0, SYN)
        self.pcap.tcp(self.server, self.client, self.sport, self.cport, self.sseq, self.cseq + 1, SYN | ACK)
        self.cseq += 1
        self.sseq += 1
        self.pcap.tcp(self.client, self.server, self.cport, self.sport, self.cseq, self.sseq, ACK)

    def send(self, from_client, data, advance=10):
        for start in range(0, len(data), MSS):
            piece = data[start:start + MSS]
            if from_client:
                self.pcap.tcp(self.client, self.server, self.cport, self.sport, self.cseq, self.sseq, ACK | PSH, piece, advance)
                self.cseq += len(piece)
            else:
                self.pcap.tcp(self.server, self.client, self.sport, self.cport, self.sseq, self.cseq, ACK | PSH, piece, advance)
                self.sseq += len(piece)

    def close(self):
        self.pcap.tcp(self.client, self.server, self.cport, self.sport, self.cseq, self.sseq, FIN | ACK)
        self.cseq += 1
        self.pcap.tcp(self.server, self.client, self.sport, self.cport, self.sseq, self.cseq, FIN | ACK)
        self.sseq += 1
        self.pcap.tcp(self.client, self.server, self.cport, self.sport, self.cseq, self.sseq, ACK)


def ws_request(key, extensions=None, target="/echo"):
    text = f"GET {target} HTTP/1.1\r\nHost: example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    text += f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
    if extensions:
        text += f"Sec-WebSocket-Extensions: {extensions}\r\n"
    return (text + "\r\n").encode()


def ws_response(key, extensions=None):
    accept = base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()
    text = f"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n"
    if extensions:
        text += f"Sec-WebSocket-Extensions: {extensions}\r\n"
    return (text + "\r\n").encode()


def ws_frame(payload, opcode=1, masked=False, rsv1=False):
    first = 0x80 | (0x40 if rsv1 else 0) | opcode
    length = len(payload)
    mask_bit = 0x80 if masked else 0
    if length < 126:
        header = struct.pack("!BB", first, mask_bit | length)
    elif length < 65536:
        header = struct.pack("!BBH", first, mask_bit | 126, length)
    else:
        header = struct.pack("!BBQ", first, mask_bit | 127, length)
    if not masked:
        return header + payload
    key = b"\x11\x22\x33\x44"
    return header + key + bytes(b ^ key[i & 3] for i, b in enumerate(payload))


def key_for(index):
    return base64.b64encode(index.to_bytes(16, "big")).decode()


def relief(pcap, extra):
    server = [10, 200, 0, 2]
    holders = 97_000
    hole_payload = b"h" * 700
    # Each connection: a SYN, then 700 B one byte past the next expected byte (a hole).
    for index in range(holders):
        client = address(index, 11)
        pcap.tcp(client, server, 40000 + index % 20000, 80, 1000, 0, SYN)
        pcap.tcp(client, server, 40000 + index % 20000, 80, 1002, 0, ACK | PSH, hole_payload)
    # Then more out-of-order segments, round robin: every one lands over the total limit.
    for step in range(extra):
        index = step % holders
        client = address(index, 11)
        pcap.tcp(client, server, 40000 + index % 20000, 80, 1002 + 700 * (1 + step // holders) + 1, 0, ACK | PSH, hole_payload)


def eviction(pcap, flows):
    server = [10, 200, 0, 2]
    for index in range(flows):
        client = address(index, 12)
        port = 1024 + index % 60000
        pcap.tcp(client, server, port, 80, 1000, 0, SYN)
        pcap.tcp(client, server, port, 80, 1001, 0, ACK | PSH, b"GET /")


def deflate(pcap, megabytes):
    rng = random.Random(16)
    words = [bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9))) for _ in range(4000)]
    size = megabytes * 1_000_000
    parts, total = [], 0
    while total < size:
        word = rng.choice(words) + b" "
        parts.append(word)
        total += len(word)
    message = b"".join(parts)[:size]
    deflated_message_flow(pcap, message, level=6, net=201, key_index=1)


def deflated_message_flow(pcap, message, level, net, key_index):
    """One permessage-deflate WebSocket carrying MESSAGE server to client, then closed."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    compressed = compressor.compress(message) + compressor.flush(zlib.Z_SYNC_FLUSH)
    assert compressed.endswith(b"\x00\x00\xff\xff")
    compressed = compressed[:-4]
    flow = Flow(pcap, [10, net, 0, 1], [10, net, 0, 2], 50000, 8080)
    flow.handshake()
    key = key_for(key_index)
    flow.send(True, ws_request(key, "permessage-deflate"))
    flow.send(False, ws_response(key, "permessage-deflate"))
    flow.send(False, ws_frame(compressed, opcode=1, rsv1=True))
    flow.close()


def open_connections(pcap, count):
    flows = []
    for index in range(count):
        flow = Flow(pcap, address(index, 13), [10, 202, 0, 2], 40000 + index, 8080)
        flow.handshake()
        key = key_for(index)
        flow.send(True, ws_request(key))
        flow.send(False, ws_response(key))
        flows.append(flow)
    text = b"message payload " * 16
    for round_ in range(40):
        for flow in flows:
            flow.send(True, ws_frame(text, masked=True))
            flow.send(False, ws_frame(text))
    # never closed: every connection stays open until the end of the capture


def audit_memory(pcap, messages):
    flow = Flow(pcap, [10, 203, 0, 1], [10, 203, 0, 2], 50000, 8080)
    flow.handshake()
    key = key_for(7)
    flow.send(True, ws_request(key))
    flow.send(False, ws_response(key))
    empty = ws_frame(b"", masked=True)
    batch = empty * (MSS // len(empty))
    per_batch = MSS // len(empty)
    sent = 0
    while sent < messages:
        count = min(per_batch, messages - sent)
        flow.send(True, empty * count if count < per_batch else batch)
        sent += count
    flow.close()


def pairing(pcap, exchanges):
    proxy, upstream = [10, 204, 0, 2], [127, 0, 0, 1]
    for index in range(exchanges):
        keyed = index % 2 == 0
        key = key_for(index)
        target = "/echo" if keyed else "/plain"
        front = Flow(pcap, address(index, 14), proxy, 32768 + index % 28000, 8080)
        front.handshake()
        if keyed:
            request = ws_request(key, target=target)
        else:
            request = f"GET {target} HTTP/1.1\r\nHost: example\r\n\r\n".encode()
        front.send(True, request)
        back = Flow(pcap, upstream, upstream, 32768 + (index + 14000) % 28000, 9001)
        back.handshake()
        back.send(True, request)
        if keyed:
            back.send(False, ws_response(key))
            front.send(False, ws_response(key))
        else:
            answer = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
            back.send(False, answer)
            front.send(False, answer)
        back.close()
        front.close()


def held(pcap, count):
    flows = []
    for index in range(count):
        flow = Flow(pcap, address(index, 15), [10, 205, 0, 2], 20000 + index % 40000, 8080)
        flow.handshake()
        key = key_for(index)
        flow.send(True, ws_request(key))
        flow.send(False, ws_response(key))
        flows.append(flow)
    pings = ws_frame(b"", opcode=9, masked=True) * 32
    for _ in range(60):
        for flow in flows:
            flow.send(True, pings)
    # never closed: every connection stays open until the end of the capture


def bomb(pcap, megabytes):
    deflated_message_flow(pcap, b"a" * (megabytes * 1_000_000), level=9, net=206, key_index=2)


def keylog(path, lines):
    """As browsers write them: per TLS 1.3 connection five secrets under one client
    random; every sixth connection TLS 1.2, one CLIENT_RANDOM line."""
    rng = random.Random(27)
    tls13 = ["CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0",
             "SERVER_TRAFFIC_SECRET_0", "EXPORTER_SECRET"]
    written, connection = 0, 0
    with open(path, "w") as out:
        while written < lines:
            client_random = rng.randbytes(32).hex()
            labels = ["CLIENT_RANDOM"] if connection % 6 == 5 else tls13
            for label in labels[:lines - written]:
                secret = rng.randbytes(48 if label == "CLIENT_RANDOM" else 32).hex()
                out.write(f"{label} {client_random} {secret}\n")
                written += 1
            connection += 1


KINDS = {"relief": relief, "eviction": eviction, "deflate": deflate, "open": open_connections,
         "audit-mem": audit_memory, "pairing": pairing, "held": held, "bomb": bomb}


def main():
    if len(sys.argv) != 4 or (sys.argv[1] not in KINDS and sys.argv[1] != "keylog"):
        sys.exit(__doc__)
    if sys.argv[1] == "keylog":
        keylog(sys.argv[3], int(sys.argv[2]))
        return
    pcap = PcapWriter(sys.argv[3])
    KINDS[sys.argv[1]](pcap, int(sys.argv[2]))
    pcap.close()


if __name__ == "__main__":
    main()
