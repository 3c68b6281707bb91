#!/usr/bin/env python3
"""Deterministic content for the HTTP/2 samples (same bytes on every run).

  gen_data.py DOCROOT UPLOAD_FILE

DOCROOT gets index.html, hello.txt, data.json and big.bin (300,000 seeded
random bytes); UPLOAD_FILE gets 10,240 bytes of text (the POST body).
"""
import os
import random
import sys


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    root, upload = sys.argv[1], sys.argv[2]
    os.makedirs(root, exist_ok=True)
    files = {
        "index.html": b"<!doctype html>\n<html><head><title>switchpoint h2 sample</title></head>\n"
                      b"<body><h1>switchpoint</h1><p>Served over HTTP/2 cleartext.</p></body></html>\n",
        "hello.txt": b"hello from the switchpoint HTTP/2 sample server\n",
        "data.json": b'{"sample": "switchpoint", "protocol": "h2c", "items": [1, 2, 3]}\n',
        "big.bin": random.Random(9113).randbytes(300_000),
    }
    for name, data in files.items():
        with open(os.path.join(root, name), "wb") as f:
            f.write(data)
        os.chmod(os.path.join(root, name), 0o644)
    lines = b"".join(b"POST body line %04d: switchpoint upload sample ..........\n" % i for i in range(200))
    with open(upload, "wb") as f:
        f.write(lines[:10_240])


if __name__ == "__main__":
    main()
