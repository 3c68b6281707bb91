import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Issue 23's property for WebSocket inside HTTP/2 streams whose request was not seen: the
/// per-stream content verdict never calls random DATA WebSocket.
@Suite("WebSocket inside HTTP/2 streams by content: no verdict on random DATA")
struct StreamContentPropertyTests {
    /// Random lengths, short ones often: a short DATA payload is where a chain of a few
    /// frame headers is likeliest by chance.
    static func randomLength(_ random: inout SplitRandom) -> Int {
        random.next() % 2 == 0 ? 1 + Int(random.next() % 64) : 1 + Int(random.next() % 2048)
    }

    @Test("10,000 random byte strings per direction, alone and both, ended or not: no websocket verdict")
    func randomStrings() {
        var random = SplitRandom(seed: 8441)
        var falsePositives: [String] = []
        var previous: [UInt8] = [0x81, 0x05]
        for index in 0..<10_000 {
            let bytes = random.bytes(count: Self.randomLength(&random))
            for (client, server) in [(bytes, [UInt8]()), ([], bytes), (bytes, previous), (previous, bytes)] {
                for ended in [false, true] {
                    var classifier = WebSocketStreamClassifier()
                    // Grown in two steps, as pieces arrive, then all of it.
                    let half = PerDirection(clientToServer: client.count / 2, serverToClient: server.count / 2)
                    let first = classifier.classify(
                        client: Array(client.prefix(half.clientToServer)),
                        server: Array(server.prefix(half.serverToClient)), ended: PerDirection(repeating: false),
                        final: false)
                    let last = classifier.classify(
                        client: client, server: server, ended: PerDirection(repeating: ended), final: ended)
                    for outcome in [first, last] {
                        if case .webSocket(_, let evidence) = outcome {
                            falsePositives.append("string \(index): \(evidence)")
                        }
                    }
                }
            }
            previous = bytes
        }
        #expect(falsePositives.isEmpty, "\(falsePositives.count) false positives: \(falsePositives.prefix(5))")
    }

    /// One HTTP/2 frame (RFC 9113 §4.1).
    static func frame(type: HTTP2FrameType, flags: UInt8, stream: UInt32, _ payload: [UInt8]) -> [UInt8] {
        let length = payload.count
        return [
            UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff), type.rawValue, flags,
            UInt8(stream >> 24 & 0x7f), UInt8(stream >> 16 & 0xff), UInt8(stream >> 8 & 0xff), UInt8(stream & 0xff),
        ] + payload
    }

    @Test("2,000 streams of random DATA on a connection joined mid-stream: plain DATA, no WebSocket")
    func randomStreamsThroughTheDissector() {
        var random = SplitRandom(seed: 6455)
        var context = UpgradeContext(
            protocolName: ProtocolID.http2.token, request: nil, response: nil, clientToServerOffset: 0,
            serverToClientOffset: 0)
        context.midConnection = true
        var dissector = HTTP2Dissector(context: context)
        var events = EventBuffer(connection: 1)
        var offsets = PerDirection<UInt64>(repeating: 0)
        var packet: UInt64 = 1
        var sent = PerDirection<UInt64>(repeating: 0)
        for index in 0..<2_000 {
            let stream = UInt32(2 * index + 1)
            for direction in [Direction.clientToServer, .serverToClient] {
                var bytes: [UInt8] = []
                let frames = 1 + Int(random.next() % 3)
                for number in 0..<frames {
                    let payload = random.bytes(count: Self.randomLength(&random))
                    sent[direction] += UInt64(payload.count)
                    let flags: UInt8 = number == frames - 1 ? HTTP2Flags.endStream.rawValue : 0
                    bytes += Self.frame(type: .data, flags: flags, stream: stream, payload)
                }
                bytes.withUnsafeBytes {
                    dissector.receive(
                        $0, direction: direction, offset: offsets[direction],
                        capture: CaptureInfo(packetNumber: packet, timestamp: .zero), events: &events)
                }
                offsets[direction] += UInt64(bytes.count)
                packet += 1
            }
        }
        dissector.finish(capture: CaptureInfo(packetNumber: packet, timestamp: .zero), events: &events)
        let webSocket = events.events.filter {
            switch $0.kind {
            case .wsFrame, .wsMessage, .wsControl, .wsClose, .wsClosing: true
            case .finding(let finding): finding.code == .detectedByContent
            default: false
            }
        }
        #expect(webSocket.isEmpty, "\(webSocket.count) WebSocket events: \(webSocket.prefix(3))")
        // Every stream is there, its DATA counted as plain body bytes.
        var counted = PerDirection<UInt64>(repeating: 0)
        var streams = 0
        for event in events.events {
            if case .h2Stream(let summary) = event.kind {
                streams += 1
                counted[.clientToServer] += summary.requestBodyBytes
                counted[.serverToClient] += summary.responseBodyBytes
            }
        }
        #expect(streams == 2_000)
        #expect(counted == sent)
    }
}
