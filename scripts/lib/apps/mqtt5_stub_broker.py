#!/usr/bin/env python3
"""A small MQTT 5.0 broker over WebSocket (python `websockets`), for the MQTT 5.0 sample:
no broker with a WebSocket listener and MQTT 5.0 could be had here (RabbitMQ 3.10 in
Debian 12 speaks 3.1.1 only, Debian's mosquitto 2.0.11 is built without WebSockets,
amqtt is 3.1.1 only), so the broker side is this stub and the client is the real
paho-mqtt (MQTTv5): the client's bytes are paho's own.

It answers CONNECT, SUBSCRIBE (refusing filters under `forbidden/` with 0x87 not
authorized), UNSUBSCRIBE, PINGREQ, PUBLISH (QoS 0/1/2, delivered back to matching
subscriptions of the same connection) and DISCONNECT, and logs every packet it sends and
receives as one line: `TIME broker (Sending|Received) TYPE key=value...`.

Usage: mqtt5_stub_broker.py PORT LOG     (serves ws://127.0.0.1:PORT/ws for at most 60 s)
"""
import asyncio
import struct
import sys
import time

import websockets

NAMES = {1: "CONNECT", 2: "CONNACK", 3: "PUBLISH", 4: "PUBACK", 5: "PUBREC", 6: "PUBREL", 7: "PUBCOMP",
         8: "SUBSCRIBE", 9: "SUBACK", 10: "UNSUBSCRIBE", 11: "UNSUBACK", 12: "PINGREQ", 13: "PINGRESP",
         14: "DISCONNECT", 15: "AUTH"}


def varint(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def read_varint(data, i):
    value, shift = 0, 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, i


def string(s):
    b = s.encode()
    return struct.pack(">H", len(b)) + b


def read_string(data, i):
    n = struct.unpack(">H", data[i:i + 2])[0]
    return data[i + 2:i + 2 + n].decode(), i + 2 + n


class Session:
    def __init__(self, ws, log):
        self.ws, self.log, self.buffer, self.subscriptions, self.next_id = ws, log, b"", [], 1

    def note(self, verb, kind, **facts):
        self.log.write(f"{time.time():.6f} broker {verb} {NAMES[kind]} "
                       + " ".join(f"{k}={v}" for k, v in facts.items()) + "\n")
        self.log.flush()

    async def send(self, kind, flags, body, **facts):
        self.note("Sending", kind, **facts)
        await self.ws.send(bytes([kind << 4 | flags]) + varint(len(body)) + body)

    async def run(self):
        async for message in self.ws:
            self.buffer += message if isinstance(message, bytes) else message.encode()
            while len(self.buffer) >= 2:
                try:
                    length, start = read_varint(self.buffer, 1)
                except IndexError:
                    break
                if len(self.buffer) < start + length:
                    break
                header, body = self.buffer[0], self.buffer[start:start + length]
                self.buffer = self.buffer[start + length:]
                if await self.packet(header >> 4, header & 0x0F, body):
                    return

    async def packet(self, kind, flags, body):
        if kind == 1:
            _, i = read_string(body, 0)
            properties, i = read_varint(body, i + 4)
            client_id, _ = read_string(body, i + properties)
            self.note("Received", kind, client_id=client_id)
            await self.send(2, 0, bytes([0, 0, 0]), reason=0)
        elif kind == 8:
            packet_id = struct.unpack(">H", body[:2])[0]
            properties, i = read_varint(body, 2)
            i += properties
            codes, filters = [], []
            while i < len(body):
                topic, i = read_string(body, i)
                qos = body[i] & 3
                i += 1
                filters.append(topic)
                if topic.startswith("forbidden/"):
                    codes.append(0x87)
                else:
                    codes.append(qos)
                    self.subscriptions.append((topic, qos))
            self.note("Received", kind, id=packet_id, filters=",".join(filters))
            await self.send(9, 0, struct.pack(">H", packet_id) + b"\x00" + bytes(codes), id=packet_id,
                            codes=",".join(map(str, codes)))
        elif kind == 10:
            packet_id = struct.unpack(">H", body[:2])[0]
            self.note("Received", kind, id=packet_id)
            await self.send(11, 0, struct.pack(">H", packet_id) + b"\x00\x00", id=packet_id)
        elif kind == 12:
            self.note("Received", kind)
            await self.send(13, 0, b"")
        elif kind == 3:
            await self.publish(flags, body)
        elif kind in (4, 5, 7):
            self.note("Received", kind, id=struct.unpack(">H", body[:2])[0])
            if kind == 5:
                await self.send(6, 2, body[:2] + b"\x00\x00", id=struct.unpack(">H", body[:2])[0])
        elif kind == 6:
            packet_id = struct.unpack(">H", body[:2])[0]
            self.note("Received", kind, id=packet_id)
            await self.send(7, 0, body[:2] + b"\x00\x00", id=packet_id)
        elif kind == 14:
            self.note("Received", kind)
            return True
        return False

    async def publish(self, flags, body):
        qos = (flags >> 1) & 3
        topic, i = read_string(body, 0)
        packet_id = None
        if qos:
            packet_id = struct.unpack(">H", body[i:i + 2])[0]
            i += 2
        properties, i = read_varint(body, i)
        payload = body[i + properties:]
        self.note("Received", 3, topic=topic, qos=qos, id=packet_id)
        if qos == 1:
            await self.send(4, 0, struct.pack(">H", packet_id) + b"\x00\x00", id=packet_id)
        elif qos == 2:
            await self.send(5, 0, struct.pack(">H", packet_id) + b"\x00\x00", id=packet_id)
        for subscribed, granted in self.subscriptions:
            if subscribed == topic or subscribed.endswith("#") and topic.startswith(subscribed[:-1]):
                out_qos = min(qos, granted)
                out = string(topic)
                facts = {"topic": topic, "qos": out_qos}
                if out_qos:
                    out += struct.pack(">H", self.next_id)
                    facts["id"] = self.next_id
                    self.next_id += 1
                await self.send(3, out_qos << 1, out + b"\x00" + payload, **facts)


async def main(port, log_path):
    log = open(log_path, "w")
    done = asyncio.Event()

    async def handler(ws):
        await Session(ws, log).run()
        done.set()

    async with websockets.serve(handler, "127.0.0.1", port, subprotocols=["mqtt"]):
        await asyncio.wait_for(done.wait(), 60)
        await asyncio.sleep(0.3)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2]))
