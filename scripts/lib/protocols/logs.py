#!/usr/bin/env python3
"""Builds the NAME.log files next to the captures.

  logs.py merge OUT IN.jsonl...
      JSON lines of several programs -> one file, sorted by "t" (stable).

  logs.py http OUT CURL.jsonl SERVER.jsonl DOCROOT [UPLOAD_FILE]
      curl --write-out lines (one per request, side "client") + the server's
      access log lines (side "server") -> one file.  Each curl line gets the
      sha256 of the body it downloaded (its -o file), the sha256 of what the
      server should have sent (DOCROOT file for GET; for POST the server
      echoes the upload, so UPLOAD_FILE) and "body_ok"; POST lines also get
      "upload_sha256".  Exit status 1 if a body does not match.
"""
import hashlib
import json
import os
import sys


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def read_jsonl(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as e:
                sys.exit(f"{path}:{n}: not JSON ({e}): {line[:120]}")
    return out


def write_jsonl(path, entries):
    with open(path, "w", encoding="utf-8") as f:
        for e in entries:
            f.write(json.dumps(e, ensure_ascii=False) + "\n")


def merge(out, inputs):
    entries = [e for p in inputs for e in read_jsonl(p)]
    entries.sort(key=lambda e: e.get("t", float("inf")))
    write_jsonl(out, entries)


def http(out, curl_log, server_log, docroot, upload=None):
    ok = True
    entries = []
    for e in read_jsonl(curl_log):
        body = e.pop("file", None)
        if body and os.path.exists(body):
            e["body_sha256"] = sha256_file(body)
        if e.get("method") == "POST" and upload:
            e["upload_sha256"] = sha256_file(upload)
            e["expected_sha256"] = e["upload_sha256"]      # the server echoes it
        else:
            path = e["url"].split("/", 3)[3] if e["url"].count("/") >= 3 else ""
            served = os.path.join(docroot, path)
            if os.path.isfile(served):
                e["expected_sha256"] = sha256_file(served)
        if "expected_sha256" in e:
            e["body_ok"] = e.get("body_sha256") == e["expected_sha256"]
            ok &= e["body_ok"]
        entries.append(e)
    entries += read_jsonl(server_log)
    write_jsonl(out, entries)
    return ok


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "merge":
        merge(sys.argv[2], sys.argv[3:])
    elif len(sys.argv) in (6, 7) and sys.argv[1] == "http":
        if not http(*sys.argv[2:]):
            sys.exit("logs.py: a downloaded body does not match what the server serves")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
