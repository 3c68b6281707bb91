"""JSON-lines logging shared by the app-protocol peers: one object per line, with the
time, the side, the direction and the message text exactly as sent or received."""
import json
import logging
import sys
import time


def open_log(path):
    return open(path, "a", buffering=1, encoding="utf-8")


def record(log, side, direction, text, **extra):
    entry = {"t": time.time(), "side": side, "dir": direction, "text": text}
    entry.update(extra)
    log.write(json.dumps(entry, ensure_ascii=False) + "\n")


class JSONLinesHandler(logging.Handler):
    """A logging handler writing each record as a JSON line (for a library's own log)."""

    def __init__(self, stream, side):
        super().__init__()
        self.stream = stream
        self.side = side

    def emit(self, record):
        entry = {"t": record.created, "side": self.side, "logger": record.name, "msg": record.getMessage()}
        self.stream.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self.stream.flush()
