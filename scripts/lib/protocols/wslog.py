"""JSON-lines logging shared by the protocol sample programs.

Every line is one JSON object with at least ``t`` (UNIX time), ``side``
(client/server), ``layer`` and ``dir`` (send/recv).  Layers:

  ws-frame    one WebSocket frame as the websockets library sent or parsed it
  ws-message  one whole WebSocket message as the application sent/received it
  http        the HTTP/1.1 handshake (request line, status, extension headers)
  h2          an HTTP/2 frame/event (scripts/lib/protocols/h2_websocket.py)

``install_frame_hooks()`` patches the websockets library (sans-I/O core, so it
covers the asyncio client/server and a bare ``Protocol`` alike) so that every
frame that goes out or comes in is logged, including the pongs and close
replies the library sends by itself:

  * outgoing: ``Protocol.send_frame`` is replaced by a version that serializes
    first (extensions applied, i.e. compressed) and then logs, so the entry
    knows the RSV1 bit and the payload length on the wire;
  * incoming: ``Protocol.recv_frame`` receives the frame after the extensions
    decoded it; a wrapper around ``PerMessageDeflate.decode`` remembers the
    RSV1 bit and compressed length the frame had on the wire just before.

Frame entries: ``type`` (text, binary, continuation, ping, pong, close),
``fin``, ``rsv1`` (as on the wire), ``masked`` (as on the wire), ``len``
(payload bytes after decompression), ``wire_len`` (payload bytes on the wire),
``sha256`` (of the decompressed payload), ``text`` (first 60 characters for
text/continuation-of-text/ping/pong payloads), ``code``/``reason`` (close).
"""
import hashlib
import json
import time

from websockets.extensions.permessage_deflate import PerMessageDeflate
from websockets.frames import Close, Frame, Opcode
from websockets.protocol import Protocol, Side

TYPES = {
    Opcode.CONT: "continuation",
    Opcode.TEXT: "text",
    Opcode.BINARY: "binary",
    Opcode.CLOSE: "close",
    Opcode.PING: "ping",
    Opcode.PONG: "pong",
}


class JsonLog:
    def __init__(self, side, path):
        self.side = side
        self.out = open(path, "a", buffering=1, encoding="utf-8")

    def write(self, layer, **entry):
        line = {"t": round(time.time(), 6), "side": self.side, "layer": layer}
        line.update(entry)
        self.out.write(json.dumps(line, ensure_ascii=False) + "\n")


LOG = None                 # the process' JsonLog, set by install_frame_hooks()
_wire_in = None            # (rsv1, wire_len) of the frame being parsed
_text_msg = {"send": False, "recv": False}   # inside a fragmented text message?


def sha256(data):
    return hashlib.sha256(bytes(data)).hexdigest()


def payload_fields(kind, data, text_like=False):
    """len / sha256 / text (first 60 chars) / close code+reason of a payload."""
    data = bytes(data)
    out = {"len": len(data), "sha256": sha256(data)}
    if kind in ("text", "ping", "pong") or text_like:
        out["text"] = data.decode("utf-8", "replace")[:60]
    elif kind == "close" and data:
        close = Close.parse(data)
        out["code"], out["reason"] = int(close.code), close.reason
    return out


def _log_frame(direction, frame, rsv1, masked, wire_len):
    if LOG is None:
        return
    kind = TYPES.get(frame.opcode, str(frame.opcode))
    text_like = False
    if frame.opcode is Opcode.TEXT:
        _text_msg[direction] = not frame.fin
    elif frame.opcode is Opcode.BINARY:
        _text_msg[direction] = False
    elif frame.opcode is Opcode.CONT:
        text_like = _text_msg[direction]
        if frame.fin:
            _text_msg[direction] = False
    entry = {"dir": direction, "type": kind, "fin": frame.fin, "rsv1": rsv1,
             "masked": masked, "wire_len": wire_len}
    entry.update(payload_fields(kind, frame.data, text_like))
    LOG.write("ws-frame", **entry)


def _wire_header(data):
    """(rsv1, masked, payload length) from a serialized frame's header."""
    rsv1 = bool(data[0] & 0x40)
    masked = bool(data[1] & 0x80)
    n = data[1] & 0x7F
    if n == 126:
        n = int.from_bytes(data[2:4], "big")
    elif n == 127:
        n = int.from_bytes(data[2:10], "big")
    return rsv1, masked, n


def _send_frame(self, frame):
    data = frame.serialize(mask=self.side is Side.CLIENT, extensions=self.extensions)
    rsv1, masked, wire_len = _wire_header(data)
    _log_frame("send", frame, rsv1, masked, wire_len)
    self.writes.append(data)


_orig_recv_frame = Protocol.recv_frame


def _recv_frame(self, frame):
    global _wire_in
    if _wire_in is not None:
        rsv1, wire_len = _wire_in
        _wire_in = None
    else:
        rsv1, wire_len = frame.rsv1, len(frame.data)
    _log_frame("recv", frame, rsv1, self.side is Side.SERVER, wire_len)
    return _orig_recv_frame(self, frame)


_orig_decode = PerMessageDeflate.decode


def _decode(self, frame, *, max_size=None):
    global _wire_in
    _wire_in = (frame.rsv1, len(frame.data))
    return _orig_decode(self, frame, max_size=max_size)


def install_frame_hooks(side, path):
    global LOG
    LOG = JsonLog(side, path)
    Protocol.send_frame = _send_frame
    Protocol.recv_frame = _recv_frame
    PerMessageDeflate.decode = _decode
    return LOG


def log_message(direction, message):
    """Application-level message (str = text, bytes = binary)."""
    if isinstance(message, str):
        entry = payload_fields("text", message.encode())
        entry["chars"] = len(message)
        LOG.write("ws-message", dir=direction, type="text", **entry)
    else:
        LOG.write("ws-message", dir=direction, type="binary", **payload_fields("binary", message))


__all__ = ["JsonLog", "install_frame_hooks", "log_message", "payload_fields", "sha256", "Frame"]
