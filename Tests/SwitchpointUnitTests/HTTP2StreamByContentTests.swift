import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Issue 23: an HTTP/2 connection joined mid-stream whose RFC 8441 stream was opened before
/// the capture: the stream's DATA is held, told WebSocket by its content and decoded from
/// its first frame, each message with its own packet; a stream of other DATA stays plain.
@Suite("HTTP/2 streams whose request was not seen: WebSocket by content")
struct HTTP2StreamByContentTests {
    static let webSocketStream: UInt32 = 5
    static let plainStream: UInt32 = 7
    static let data: UInt8 = 0
    static let endStream: UInt8 = 0x1

    /// One HTTP/2 frame per packet, in capture order: WebSocket frames inside DATA on
    /// stream 5 (masked from the client), random bytes on stream 7.
    static var packets: [(Direction, [UInt8])] {
        var random = SplitRandom(seed: 8441)
        let ws = WSFixtures.self
        let key = WSFixtures.key
        func onStream(_ stream: UInt32, _ payload: [UInt8], end: Bool = false) -> [UInt8] {
            H2.frame(data, flags: end ? endStream : 0, stream: stream, payload)
        }
        return [
            (.clientToServer, onStream(webSocketStream, ws.text("first message seen by the capture", client: true))),
            (.serverToClient, onStream(webSocketStream, ws.text("first message seen by the capture"))),
            (.clientToServer, onStream(plainStream, random.bytes(count: 300))),
            (.clientToServer, onStream(webSocketStream, ws.frame(9, Array("ping".utf8), mask: key))),
            (.serverToClient, onStream(webSocketStream, ws.frame(10, Array("ping".utf8)))),
            (.serverToClient, onStream(plainStream, random.bytes(count: 700), end: true)),
            (.clientToServer, onStream(plainStream, [], end: true)),
            (.clientToServer, onStream(webSocketStream, ws.close(1000, "bye", client: true))),
            (.serverToClient, onStream(webSocketStream, ws.close(1000, "bye"))),
            (.serverToClient, onStream(webSocketStream, [], end: true)),
            (.clientToServer, onStream(webSocketStream, [], end: true)),
        ]
    }

    /// The dissector of a connection joined mid-stream, fed packet by packet, each packet
    /// cut into pieces by `split` (piece lengths; nil: whole).
    static func run(split: ((Int) -> [Int])? = nil) -> [TimelineEvent] {
        var context = UpgradeContext(
            protocolName: ProtocolID.http2.token, request: nil, response: nil, clientToServerOffset: 0,
            serverToClientOffset: 0)
        context.midConnection = true
        var dissector = HTTP2Dissector(context: context)
        var events = EventBuffer(connection: 1)
        var offsets = PerDirection<UInt64>(repeating: 0)
        for (number, (direction, bytes)) in packets.enumerated() {
            let capture = CaptureInfo(packetNumber: UInt64(number + 1), timestamp: .zero)
            var start = 0
            for length in split?(bytes.count) ?? [bytes.count] {
                bytes[start..<(start + length)].withUnsafeBytes {
                    dissector.receive(
                        $0, direction: direction, offset: offsets[direction], capture: capture, events: &events)
                }
                offsets[direction] += UInt64(length)
                start += length
            }
        }
        dissector.finish(
            capture: CaptureInfo(packetNumber: UInt64(packets.count + 1), timestamp: .zero), events: &events)
        return events.events
    }

    @Test("messages of a stream opened before the capture, with their packets; the other stream plain")
    func webSocketByContent() {
        let events = Self.run()
        let messages = events.compactMap { event -> (UInt64, Direction?, UInt32?, String)? in
            guard case .wsMessage(let message) = event.kind else { return nil }
            return (event.packet, event.direction, event.stream, String(decoding: message.kept, as: UTF8.self))
        }
        #expect(messages.map(\.0) == [1, 2])
        #expect(messages.map(\.1) == [.clientToServer, .serverToClient])
        #expect(messages.allSatisfy { $0.2 == Self.webSocketStream && $0.3 == "first message seen by the capture" })
        let closing = events.compactMap { event -> WebSocketClosing? in
            if case .wsClosing(let closing) = event.kind { closing } else { nil }
        }
        #expect(closing.map(\.firstDirection) == [.clientToServer])
        let evidence = events.compactMap { event -> String? in
            if case .finding(let finding) = event.kind, finding.code == .detectedByContent {
                finding.message
            } else {
                nil
            }
        }
        #expect(evidence.count == 1 && evidence[0].hasPrefix("websocket by content inside the stream"), "\(evidence)")
        // Stream 7's bytes are counted as DATA, and nothing WebSocket comes of them.
        let plain = events.compactMap { event -> HTTP2StreamSummary? in
            if case .h2Stream(let summary) = event.kind, summary.stream == Self.plainStream { summary } else { nil }
        }
        #expect(plain.map(\.requestBodyBytes) == [300] && plain.map(\.responseBodyBytes) == [700])
        #expect(!events.contains { $0.stream == Self.plainStream })
        // Capture order: no event names an earlier packet than one before it.
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.packet <= $1.packet })
    }

    @Test("the same events whole, byte by byte and in random splits")
    func splittings() {
        let whole = Self.run().map { JSONTimelinePrinter.line($0) }
        let byByte = Self.run { Array(repeating: 1, count: $0) }.map { JSONTimelinePrinter.line($0) }
        var random = SplitRandom(seed: 23)
        let randomly = Self.run { count in
            var pieces: [Int] = []
            var left = count
            while left > 0 {
                let piece = min(left, 1 + Int(random.next() % 16))
                pieces.append(piece)
                left -= piece
            }
            return pieces.isEmpty ? [0] : pieces
        }.map { JSONTimelinePrinter.line($0) }
        #expect(byByte == whole)
        #expect(randomly == whole)
    }
}
