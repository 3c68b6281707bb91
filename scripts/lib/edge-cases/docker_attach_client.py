#!/usr/bin/env python3
"""The real client side of the Docker attach sample: the docker SDK for python
(docker-py's low-level APIClient, the code `docker attach` equivalents in python use)
attaches to a container's stdout and stderr with stream=1 and demux=True, so the SDK
itself splits the multiplexed stream. Each (stream, bytes) it yields is logged as a
JSON line on stdout.
Usage: docker_attach_client.py PORT CONTAINER_ID
"""
import json
import sys
import time

import docker

MAX_CHUNKS = 100


def log(**fields):
    print(json.dumps({"t": round(time.time(), 6), "side": "client", **fields}), flush=True)


def main(port, container):
    client = docker.APIClient(base_url=f"tcp://127.0.0.1:{port}", version="1.41", timeout=10)
    log(event="attach", container=container, sdk=docker.__version__)
    chunks = client.attach(container, stdout=True, stderr=True, stream=True, logs=False, demux=True)
    for count, (out, err) in enumerate(chunks):
        for name, data in (("stdout", out), ("stderr", err)):
            if data is not None:
                log(event="frame", stream=name, len=len(data), payload=data.decode("latin-1"))
        if count >= MAX_CHUNKS:
            break
    log(event="stream_ended")
    client.close()


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
