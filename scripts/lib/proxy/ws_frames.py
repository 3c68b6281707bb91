"""Hand-made WebSocket framing (RFC 6455) and a JSON-lines log for the raw
clients of scripts/record-samples-proxy-peers (h2-ws-client.py,
keepalive-client.py).

The clients build their frames themselves (so the bytes on the wire are
exactly what is logged, mask keys included) instead of going through a
WebSocket library. Log lines have the same shape as ws-peer.py's: "t", "who",
"event" and the event's fields.
"""
import json
import os
import struct
import time

OPCODES = {0x0: "continuation", 0x1: "text", 0x2: "binary", 0x8: "close", 0x9: "ping", 0xA: "pong"}
MAX_FRAME_PAYLOAD = 1 << 20  # these clients only ever expect small echoes


class JsonLines:
    def __init__(self, who, path):
        self.who = who
        self.out = open(path, "w", buffering=1)

    def write(self, event, **entry):
        self.out.write(json.dumps({"t": round(time.time(), 6), "who": self.who,
                                   "event": event, **entry}) + "\n")


def encode(opcode, payload, mask=True):
    """One FIN frame; client frames masked with a fresh random key."""
    head = bytes([0x80 | opcode])
    n = len(payload)
    mbit = 0x80 if mask else 0
    if n < 126:
        head += bytes([mbit | n])
    elif n < 1 << 16:
        head += bytes([mbit | 126]) + struct.pack("!H", n)
    else:
        head += bytes([mbit | 127]) + struct.pack("!Q", n)
    if not mask:
        return head + payload, None
    key = os.urandom(4)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload)), key


def close_payload(code, reason):
    return struct.pack("!H", code) + reason.encode()


def decode(buf):
    """(fin, opcode, payload, consumed) for the first whole frame in buf, or
    None when more bytes are needed. Unmasks when the frame is masked."""
    if len(buf) < 2:
        return None
    fin, opcode = bool(buf[0] & 0x80), buf[0] & 0x0F
    masked, n, pos = bool(buf[1] & 0x80), buf[1] & 0x7F, 2
    if n == 126:
        if len(buf) < 4:
            return None
        n, pos = struct.unpack("!H", buf[2:4])[0], 4
    elif n == 127:
        if len(buf) < 10:
            return None
        n, pos = struct.unpack("!Q", buf[2:10])[0], 10
    if n > MAX_FRAME_PAYLOAD:
        raise ValueError(f"frame of {n} bytes")
    key = b""
    if masked:
        if len(buf) < pos + 4:
            return None
        key, pos = buf[pos:pos + 4], pos + 4
    if len(buf) < pos + n:
        return None
    payload = buf[pos:pos + n]
    if masked:
        payload = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
    return fin, opcode, payload, pos + n


def frame_entry(direction, opcode, payload, key=None, conn="A"):
    """ws-peer.py-style "frame" fields."""
    entry = {"conn": conn, "dir": direction, "type": OPCODES.get(opcode, str(opcode)),
             "len": len(payload)}
    if opcode == 0x1:
        entry["text"] = payload.decode("utf-8", "replace")[:60]
    elif opcode == 0x8 and len(payload) >= 2:
        entry["code"] = struct.unpack("!H", payload[:2])[0]
        entry["reason"] = payload[2:].decode("utf-8", "replace")
    if key is not None:
        entry["mask_key"] = key.hex()
    return entry
