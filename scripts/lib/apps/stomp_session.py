#!/usr/bin/env python3
"""stomp.py over WebSocket (WSStompConnection, STOMP 1.2) against a broker on
127.0.0.1:PORT/ws.

Logs every frame stomp.py sends and receives (its debug logger: "Sending frame",
"Received frame") into LOG: CONNECT, SUBSCRIBE with a receipt, three SENDs (the
last with a receipt) delivered back as MESSAGEs, UNSUBSCRIBE, DISCONNECT with a
receipt.
"""
import logging
import sys
import threading
import time

import stomp


class Listener(stomp.ConnectionListener):
    def __init__(self):
        self.messages = 0
        self.done = threading.Event()

    def on_message(self, frame):
        self.messages += 1
        if self.messages >= 3:
            self.done.set()


def main(port, log_path):
    handler = logging.FileHandler(log_path, mode="w")
    handler.setFormatter(logging.Formatter("%(created).6f client %(name)s %(levelname)s %(message)s"))
    logger = logging.getLogger("stomp.py")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    connection = stomp.WSStompConnection(
        [("127.0.0.1", port)], ws_path="/ws", heartbeats=(0, 0), vhost="/", header={"Sec-WebSocket-Protocol": "v12.stomp"})
    listener = Listener()
    connection.set_listener("sp", listener)
    connection.connect("guest", "guest", wait=True)
    connection.subscribe("/queue/sp-test", id="sub-1", ack="auto", headers={"receipt": "sub-receipt"})
    time.sleep(0.3)
    for number in range(3):
        headers = {"receipt": "send-receipt"} if number == 2 else {}
        connection.send("/queue/sp-test", f"hello {number}", content_type="text/plain", headers=headers)
    listener.done.wait(5)
    time.sleep(0.3)
    connection.unsubscribe("sub-1")
    connection.disconnect(receipt="bye")


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
