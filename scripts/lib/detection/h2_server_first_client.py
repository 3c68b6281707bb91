#!/usr/bin/env python3
"""An HTTP/2 prior-knowledge client that lets the server speak first: it connects, waits
for the server's SETTINGS to arrive, and only then sends the preface and one GET (as a
slow client on a fast server does, and as many captures show it). With --connect HOST:PORT
it first asks the proxy at --port for a CONNECT tunnel to HOST:PORT and speaks HTTP/2
inside it. Loopback only."""
import argparse, json, socket
import h2.config, h2.connection, h2.events

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--path", default="/index.html")
parser.add_argument("--connect", help="HOST:PORT to tunnel to through the proxy at --port")
parser.add_argument("--client-first", action="store_true", help="send the preface at once")
args = parser.parse_args()

sock = socket.create_connection(("127.0.0.1", args.port), timeout=5)
if args.connect:
    sock.sendall(f"CONNECT {args.connect} HTTP/1.1\r\nHost: {args.connect}\r\n\r\n".encode())
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 200"), answer
    leftover = answer.split(b"\r\n\r\n", 1)[1]   # the server's SETTINGS may share the segment
else:
    leftover = b""
# The server's SETTINGS, first on the wire; a server that waits for the preface (Apache
# reads it to tell HTTP/2 from HTTP/1.1) gets it after a second: the log says which.
early = leftover
if not args.client_first and not early:
    sock.settimeout(1)
    try:
        early = sock.recv(65535)
    except TimeoutError:
        early = b""
    sock.settimeout(5)
conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
conn.initiate_connection()
if early:
    conn.receive_data(early)
authority = args.connect or f"127.0.0.1:{args.port}"
stream = conn.get_next_available_stream_id()
conn.send_headers(stream, [(":method", "GET"), (":scheme", "http"), (":authority", authority), (":path", args.path)], end_stream=True)
sock.sendall(conn.data_to_send())
status, body, done = None, 0, False
while not done:
    data = sock.recv(65535)
    if not data:
        break
    for event in conn.receive_data(data):
        if isinstance(event, h2.events.ResponseReceived):
            status = dict(event.headers).get(b":status", b"").decode()
        elif isinstance(event, h2.events.DataReceived):
            body += len(event.data)
            conn.acknowledge_received_data(len(event.data), event.stream_id)
        elif isinstance(event, h2.events.StreamEnded):
            done = True
    sock.sendall(conn.data_to_send())
conn.close_connection()
sock.sendall(conn.data_to_send())
sock.close()
print(json.dumps({"server_first": bool(early), "status": status, "body_bytes": body, "tunnel": args.connect}), flush=True)
