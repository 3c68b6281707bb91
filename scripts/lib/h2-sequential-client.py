#!/usr/bin/env python3
"""Sequential HTTP/2 client (python h2, prior knowledge) for
scripts/record-samples-h2-history.

Sends COUNT GET requests one at a time on one connection, each with its own
`:path` and an `x-request-id` of 64 random bits (seeded): python hpack indexes
every field, so each request inserts new entries into the client's dynamic
table and the 4 KiB table turns over (python hpack takes each x-request-id's
name from the previous request's entry). Logs one JSON line per request and per
response (stream, headers, status, body length).

  h2-sequential-client.py HOST PORT COUNT LOG
"""
import json
import random
import socket
import sys
import time

import h2.config
import h2.connection
import h2.events

MAX_SECONDS = 30


def main():
    host, port, count, log_path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    rng = random.Random(7541)
    log = open(log_path, "w", buffering=1)

    def write(**entry):
        log.write(json.dumps({"t": round(time.time(), 6), "side": "client", **entry}) + "\n")

    conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
    sock = socket.create_connection((host, port), timeout=10)
    conn.initiate_connection()
    sock.sendall(conn.data_to_send())
    deadline = time.time() + MAX_SECONDS
    for n in range(count):
        stream = conn.get_next_available_stream_id()
        headers = [(":method", "GET"), (":scheme", "http"), (":authority", f"{host}:{port}"),
                   (":path", f"/item/{n:03d}.txt"), ("user-agent", "switchpoint-sample-h2-client"),
                   ("x-request-id", f"{rng.getrandbits(64):016x}")]
        conn.send_headers(stream, headers, end_stream=True)
        sock.sendall(conn.data_to_send())
        write(type="request", stream=stream, headers=headers)
        status, length, done = None, 0, False
        while not done:
            if time.time() > deadline:
                sys.exit("timed out")
            data = sock.recv(65536)
            if not data:
                sys.exit("connection closed early")
            for event in conn.receive_data(data):
                if isinstance(event, h2.events.ResponseReceived) and event.stream_id == stream:
                    status = dict(event.headers).get(":status")
                elif isinstance(event, h2.events.DataReceived):
                    conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                    length += len(event.data)
                elif isinstance(event, h2.events.StreamEnded) and event.stream_id == stream:
                    done = True
            pending = conn.data_to_send()
            if pending:
                sock.sendall(pending)
        write(type="response", stream=stream, status=status, body_len=length)
    conn.close_connection()
    sock.sendall(conn.data_to_send())
    sock.close()
    write(type="closed", requests=count)


if __name__ == "__main__":
    main()
