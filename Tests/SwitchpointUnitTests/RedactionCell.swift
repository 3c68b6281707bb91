import Foundation
import NIOCore
import NIOHPACK

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// One place a secret travels in (issue 27, item 6): a one-connection capture carrying
/// `marker` there and nowhere else. `RedactionMatrixTests` runs every output over it.
struct RedactionCell: Sendable, CustomStringConvertible {
    var name: String
    var marker: String
    /// The conversation: what each side sent, one segment per element.
    var segments: @Sendable (String) throws -> [(Direction, [UInt8])]

    var description: String { name }

    /// Other spellings of the marker an output may hold (a binary payload as base64 or hex).
    var spellings: [String] {
        let bytes = Array(marker.utf8)
        return [
            marker, Base64.encode(bytes), bytes.map { String(format: "%02x", $0) }.joined(separator: " "),
            bytes.map { String(format: "%02x", $0) }.joined(),
        ]
    }

    func writeCapture(in directory: URL) throws -> String {
        var capture = CaptureFileBuilder()
        for (direction, bytes) in try segments(marker) { capture.send(direction, bytes) }
        capture.close()
        let url = directory.appendingPathComponent("\(name).pcap")
        try capture.write(to: url)
        return url.path
    }
}

// MARK: HTTP/1 and WebSocket conversations

extension RedactionCell {
    static let upgradeRequestTail =
        "Host: example.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"

    /// An upgrade request with `target` and `extra` header lines, answered 101.
    static func upgrade(
        target: String = "/chat", extra: String = "", response: String? = nil
    ) -> [(
        Direction, [UInt8]
    )] {
        [
            (.clientToServer, Array("GET \(target) HTTP/1.1\r\n\(upgradeRequestTail)\(extra)\r\n".utf8)),
            (.serverToClient, Array((response ?? CaptureFileBuilder.upgradeResponse).utf8)),
        ]
    }

    /// A plain request and its answer.
    static func exchange(_ request: String, _ response: String) -> [(Direction, [UInt8])] {
        [(.clientToServer, Array(request.utf8)), (.serverToClient, Array(response.utf8))]
    }

    /// A WebSocket connection whose client sends `frame` after the switch.
    static func webSocket(client frame: [UInt8]) -> [(Direction, [UInt8])] {
        upgrade() + [(.clientToServer, frame)]
    }

    static func masked(opcode: UInt8, _ payload: [UInt8]) -> [UInt8] {
        CaptureFileBuilder.webSocketFrame(opcode: opcode, payload, maskKey: [0x11, 0x22, 0x33, 0x44])
    }

    static func refusal(status: String, body: String) -> String {
        "HTTP/1.1 \(status)\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }
}

// MARK: HTTP/2 conversations (HPACK with Huffman, as clients send it)

extension RedactionCell {
    enum Frame {
        static let data: UInt8 = 0
        static let headers: UInt8 = 1
        static let settings: UInt8 = 4
        static let pushPromise: UInt8 = 5
        static let goAway: UInt8 = 7
        static let continuation: UInt8 = 9
        static let endStream: UInt8 = 0x1
        static let endHeaders: UInt8 = 0x4
    }

    static func block(_ fields: [(String, String)], _ encoder: inout HPACKEncoder) throws -> [UInt8] {
        var buffer = ByteBufferAllocator().buffer(capacity: 256)
        try encoder.encode(headers: HPACKHeaders(fields), to: &buffer)
        return Array(buffer.readableBytesView)
    }

    static func requestFields(path: String, _ extra: [(String, String)] = []) -> [(String, String)] {
        [(":method", "GET"), (":scheme", "http"), (":authority", "example.test"), (":path", path)] + extra
    }

    /// A prior-knowledge HTTP/2 connection: one request on stream 1 and its answer.
    /// `clientFrames`/`serverFrames` come after the request's and the answer's HEADERS.
    static func http2(
        request: [(String, String)], requestEnds: Bool = true, splitRequest: Bool = false,
        response: [(String, String)] = [(":status", "200")],
        clientFrames: (inout HPACKEncoder) throws -> [UInt8] = { _ in [] },
        serverFrames: (inout HPACKEncoder) throws -> [UInt8] = { _ in
            H2.frame(Frame.data, flags: Frame.endStream, stream: 1, Array("ok".utf8))
        }
    ) throws -> [(Direction, [UInt8])] {
        var client = HPACKEncoder(allocator: ByteBufferAllocator(), useHuffmanEncoding: true)
        var server = HPACKEncoder(allocator: ByteBufferAllocator(), useHuffmanEncoding: true)
        let flags = Frame.endHeaders | (requestEnds ? Frame.endStream : 0)
        let requestBlock = try block(request, &client)
        // CONTINUATION: the block cut in two, inside the fields.
        let headers =
            splitRequest
            ? H2.frame(
                Frame.headers, flags: flags & ~Frame.endHeaders, stream: 1,
                Array(requestBlock[..<(requestBlock.count / 2)]))
                + H2.frame(
                    Frame.continuation, flags: Frame.endHeaders, stream: 1,
                    Array(requestBlock[(requestBlock.count / 2)...]))
            : H2.frame(Frame.headers, flags: flags, stream: 1, requestBlock)
        let clientBytes = H2.preface + H2.settings() + headers + (try clientFrames(&client))
        let serverBytes =
            H2.settings() + H2.frame(Frame.headers, flags: Frame.endHeaders, stream: 1, try block(response, &server))
            + (try serverFrames(&server))
        return [(.clientToServer, clientBytes), (.serverToClient, serverBytes)]
    }
}
