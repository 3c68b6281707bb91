@testable import SwitchpointCore

/// Shared pieces of the libFuzzer harnesses (compiled into each one).
enum FuzzInput {
    /// Named bound: chunks a harness feeds per input (libFuzzer's -max_len bounds it too).
    static let maxChunks = 4096

    static let capture = CaptureInfo(packetNumber: 1, timestamp: Timestamp(nanoseconds: 1_700_000_000_000_000_000))

    /// Splits the input into (direction, bytes) chunks: one header byte (bit 0 the
    /// direction, bits 1-7 a length 1-128), then that many bytes (fewer at the end).
    static func chunks(_ data: UnsafeRawBufferPointer) -> [(Direction, UnsafeRawBufferPointer)] {
        var result: [(Direction, UnsafeRawBufferPointer)] = []
        var index = 0
        while index < data.count, result.count < maxChunks {
            let header = data[index]
            index += 1
            let length = min(Int(header >> 1) + 1, data.count - index)
            let direction: Direction = header & 1 == 0 ? .clientToServer : .serverToClient
            result.append((direction, UnsafeRawBufferPointer(rebasing: data[index..<(index + length)])))
            index += length
        }
        return result
    }

    static func head(_ text: String) -> HTTPHeaders {
        HTTPHeaders(
            text.split(separator: "|").map { field in
                let parts = field.split(separator: ":", maxSplits: 1)
                return HTTPField(name: String(parts[0]), value: parts.count > 1 ? String(parts[1]) : "")
            })
    }

    static func webSocketContext(deflate: Bool) -> UpgradeContext {
        var request =
            "Upgrade:websocket|Connection:Upgrade|Sec-WebSocket-Key:dGhlIHNhbXBsZSBub25jZQ==|Sec-WebSocket-Version:13"
        var response = "Upgrade:websocket|Connection:Upgrade|Sec-WebSocket-Accept:s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        if deflate {
            request += "|Sec-WebSocket-Extensions:permessage-deflate; client_max_window_bits"
            response += "|Sec-WebSocket-Extensions:permessage-deflate"
        }
        return UpgradeContext(
            protocolName: "websocket",
            request: HTTPRequestHead(method: "GET", target: "/", version: "HTTP/1.1", headers: head(request)),
            response: HTTPResponseHead(
                version: "HTTP/1.1", status: 101, reason: "Switching Protocols", headers: head(response)),
            clientToServerOffset: 0, serverToClientOffset: 0)
    }

    /// Feeds chunks to an upgraded-stream dissector at running offsets, dropping events as
    /// they come so memory stays flat; a chunk header with all length bits set is a gap.
    static func drive<D: UpgradedStreamDissector>(_ dissector: inout D, _ data: UnsafeRawBufferPointer) {
        var events = EventBuffer(connection: 1)
        var offsets: [UInt64] = [0, 0]
        for (direction, bytes) in chunks(data) {
            if bytes.count == 128, let first = bytes.first, first & 0x3f == 0x3f {
                dissector.receiveGap(
                    direction: direction, offset: offsets[direction.rawValue], length: UInt64(first), capture: capture,
                    events: &events)
                offsets[direction.rawValue] += UInt64(first)
            } else {
                dissector.receive(
                    bytes, direction: direction, offset: offsets[direction.rawValue], capture: capture, events: &events)
                offsets[direction.rawValue] += UInt64(bytes.count)
            }
            events.removeAll()
        }
        dissector.finish(capture: capture, events: &events)
    }
}
