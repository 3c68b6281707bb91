#!/usr/bin/env python3
"""paho-mqtt over WebSocket (MQTT 3.1.1) against a broker on 127.0.0.1:PORT/ws.

Logs every packet paho sends and receives (its on_log, which names each packet,
its packet id and topic) into LOG: CONNECT with credentials, SUBSCRIBE (QoS 1),
PUBLISH QoS 0 and 1 to the subscribed topic (the broker delivers both back), a
PINGREQ after the 2 s keepalive, UNSUBSCRIBE, DISCONNECT. With a third argument `5`:
MQTT 5.0, plus a subscription the stub broker refuses and a QoS 2 PUBLISH.
"""
import sys
import threading
import time

import paho.mqtt.client as mqtt


def main(port, log_path, version5=False):
    log = open(log_path, "w")
    lock = threading.Lock()

    def on_log(client, userdata, level, buf):
        with lock:
            log.write(f"{time.time():.6f} client paho {buf}\n")
            log.flush()

    received = threading.Event()
    count = [0]

    def on_message(client, userdata, message):
        count[0] += 1
        if count[0] >= 2:
            received.set()

    client = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2, client_id="sp-paho-ws5" if version5 else "sp-paho-ws",
        transport="websockets", protocol=mqtt.MQTTv5 if version5 else mqtt.MQTTv311)
    client.ws_set_options(path="/ws")
    client.username_pw_set("guest", "guest")
    client.on_log = on_log
    client.on_message = on_message
    client.connect("127.0.0.1", port, keepalive=2)
    client.loop_start()
    time.sleep(0.5)
    client.subscribe("sp/test", qos=1)
    time.sleep(0.3)
    if version5:
        client.subscribe("forbidden/topic", qos=0)  # the stub broker refuses it
        time.sleep(0.2)
        client.publish("sp/test", b"hello qos2", qos=2).wait_for_publish(5)
    client.publish("sp/test", b"hello qos0", qos=0)
    client.publish("sp/test", b"hello qos1", qos=1).wait_for_publish(5)
    received.wait(5)
    time.sleep(0.3)
    time.sleep(3.2)  # one keepalive: PINGREQ / PINGRESP
    client.unsubscribe("sp/test")
    time.sleep(0.3)
    client.disconnect()
    client.loop_stop()


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], version5=len(sys.argv) > 3 and sys.argv[3] == "5")
