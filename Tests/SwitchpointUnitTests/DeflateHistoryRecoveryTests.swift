import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Issue 23 #3: a permessage-deflate session with context takeover, captured from its
/// 11th message on. Messages that copy from the unseen window are inflated against a
/// placeholder window; the bytes copied from it are unknown, the rest exact.
@Suite("permessage-deflate without the compression history")
struct DeflateHistoryRecoveryTests {
    /// Binary blocks repeated across messages, new ones coming in: the window heals.
    static let sample = "websocket/ws-deflate-takeover.pcap"
    /// Log-like text over a small vocabulary: what is copied from before the cut is copied
    /// on and on, so the window never heals.
    static let textSample = "websocket/ws-deflate-takeover-text.pcap"
    /// Messages (both directions, in capture order) before the cut.
    static let messagesBeforeCut = 10

    /// Every data chunk of a capture in arrival order.
    struct ChunkCollector: StreamSignalSink {
        var chunks: [(direction: Direction, offset: UInt64, bytes: [UInt8])] = []
        mutating func receive(_ signal: StreamSignal) {
            if case .data(let chunk) = signal { chunks.append((chunk.direction, chunk.offset, Array(chunk.bytes))) }
        }
    }

    struct Decoded {
        var direction: Direction
        var offset: UInt64
        var message: WebSocketMessage
    }

    static var registry: DissectorRegistry {
        var options = WebSocketOptions()
        options.keepFullPayload = true
        return .standard(webSocket: options)
    }

    static func chunks(_ sample: String) throws -> [(direction: Direction, offset: UInt64, bytes: [UInt8])] {
        let path = TestEnvironment.samplesDirectory.appendingPathComponent(sample).path
        var collector = ChunkCollector()
        var runner = CaptureRunner()
        runner.drive(try TestEnvironment.fixtureSource(paths: [path]), into: &collector)
        return collector.chunks
    }

    static func messages(_ sink: CollectingEventSink) -> [Decoded] {
        sink.events.compactMap {
            guard case .wsMessage(let message) = $0.kind, let direction = $0.direction, let offset = $0.offset else {
                return nil
            }
            return Decoded(direction: direction, offset: offset, message: message)
        }
    }

    /// The uncut decode, and the decode of the same chunks from the 11th message on (the
    /// packets before it dropped), fed whole, byte by byte and in random splits.
    static func decodeUncutAndCut(_ sample: String) throws -> (full: [Decoded], cut: [Decoded]) {
        let chunks = try chunks(sample)
        var whole = Conversation(bytes: chunks.map { ($0.direction, $0.bytes) })
        whole.registry = registry
        let full = messages(whole.run(.whole))
        try #require(full.count > messagesBeforeCut + 20)
        var cuts = PerDirection(repeating: UInt64.max)
        for decoded in full.dropFirst(messagesBeforeCut) where cuts[decoded.direction] == .max {
            cuts[decoded.direction] = decoded.offset
        }
        // Each message is one packet here: the cut drops whole packets.
        let kept = chunks.filter { $0.offset >= cuts[$0.direction] }
        #expect(kept.count + messagesBeforeCut + 2 == chunks.count, "one packet per message and per handshake head")
        var late = Conversation(bytes: kept.map { ($0.direction, $0.bytes) })
        late.registry = registry
        let sink = late.runAllSplittings()
        #expect(sink.findings.contains { $0.code == .detectedByContent })
        let errors = sink.findings.filter { $0.severity == .error }
        #expect(errors.isEmpty, "\(errors)")
        // Offsets restart at the cut in the late run.
        let cut = messages(sink).map {
            Decoded(direction: $0.direction, offset: $0.offset + cuts[$0.direction], message: $0.message)
        }
        return (full, cut)
    }

    /// A message with unknown bytes against the uncut decode: same length, and every byte
    /// said to be known (as far as both kept it) the true byte.
    static func knownBytesAgree(_ message: WebSocketMessage, _ reference: WebSocketMessage) -> Bool {
        guard let recovery = message.recovery, message.length == reference.length else { return false }
        let shown = min(message.kept.count, reference.kept.count)
        return recovery.known.allSatisfy { range in
            let bounds = min(Int(range.lowerBound), shown)..<min(Int(range.upperBound), shown)
            return message.kept[bounds] == reference.kept[bounds]
        }
    }

    /// Checks every message of the cut run against the uncut run's: same length, every byte
    /// said to be known the true byte. Returns each message's recovered bytes and length,
    /// with how much that direction had inflated since the cut before it.
    static func checkRecovery(_ sample: String) throws -> [(decoded: Decoded, recovered: UInt64, before: UInt64)] {
        let (full, cut) = try decodeUncutAndCut(sample)
        #expect(cut.count == full.count - messagesBeforeCut)
        let reference = Dictionary(uniqueKeysWithValues: full.map { ("\($0.direction)@\($0.offset)", $0.message) })
        var output = PerDirection<UInt64>(repeating: 0)
        var result: [(decoded: Decoded, recovered: UInt64, before: UInt64)] = []
        for decoded in cut {
            let truth = try #require(reference["\(decoded.direction)@\(decoded.offset)"])
            let message = decoded.message
            #expect(message.length == truth.length)
            #expect(!message.lengthUnknown && message.problem == nil)
            if let recovery = message.recovery {
                var counted: UInt64 = 0
                for range in recovery.known {
                    let bounds = Int(range.lowerBound)..<Int(range.upperBound)
                    #expect(Array(message.kept[bounds]) == Array(truth.kept[bounds]), "known \(range)")
                    counted += UInt64(range.count)
                }
                if !recovery.knownTruncated { #expect(counted == recovery.recovered) }
                #expect(recovery.recovered < message.length)
                result.append((decoded, recovery.recovered, output[decoded.direction]))
            } else {
                #expect(message == truth)
                result.append((decoded, message.length, output[decoded.direction]))
            }
            output[decoded.direction] += message.length
        }
        print("deflate history recovery, \(sample) cut after \(messagesBeforeCut) messages:")
        for entry in result {
            let length = entry.decoded.message.length
            print(
                "  \(entry.decoded.direction.shortName) @\(entry.decoded.offset) (after \(entry.before) B): \(entry.recovered) of \(length) bytes recovered (\(entry.recovered * 100 / max(1, length))%)"
            )
        }
        return result
    }

    @Test("cut after the 10th message: known bytes are true bytes, every message after 32 KiB of output is exact")
    func cutAfterTenthMessage() throws {
        let result = try Self.checkRecovery(Self.sample)
        #expect(result.contains { $0.recovered < $0.decoded.message.length }, "some messages reach back before the cut")
        for entry in result where entry.before >= UInt64(Inflater.windowSize) {
            #expect(entry.decoded.message.recovery == nil, "exact after 32 KiB: \(entry.decoded.offset)")
        }
    }

    @Test("a text feed over a small vocabulary: known bytes are true bytes; the unknown ones are copied on")
    func textFeed() throws {
        let result = try Self.checkRecovery(Self.textSample)
        let recovered = result.reduce(0) { $0 + $1.recovered }
        let total = result.reduce(0) { $0 + $1.decoded.message.length }
        #expect(recovered > 0 && recovered < total)
    }

    @Test("the text line says n of m bytes recovered and shows unknown bytes as ·; JSON lists the known ranges")
    func printing() throws {
        let (_, cut) = try Self.decodeUncutAndCut(Self.textSample)
        let decoded = try #require(cut.first { $0.message.recovery != nil })
        let recovery = try #require(decoded.message.recovery)
        let event = TimelineEvent(
            timestamp: .zero, connection: 1, packet: 1, direction: decoded.direction, offset: decoded.offset,
            kind: .wsMessage(decoded.message))
        let json = JSONTimelinePrinter.line(event)
        #expect(json.contains("\"known\":[[\(recovery.known[0].lowerBound),\(recovery.known[0].upperBound)]"))
        #expect(json.contains("\"recovered\":\(recovery.recovered)"))
        #expect(json.contains("·"))
        let text = try Self.renderText(event)
        #expect(text.contains("[\(recovery.recovered) of \(decoded.message.length) bytes recovered]"), "\(text)")
        #expect(text.contains("·"))
    }

    static func renderText(_ event: TimelineEvent) throws -> String {
        try TextRendering.render([event])
    }

    @Test("a placeholder window marks exactly the bytes copied from it")
    func placeholderWindow() throws {
        // "Hello" then a message that copies it (RFC 7692 §7.2.3.2), the first never seen.
        let second: [UInt8] = [0xf2, 0x00, 0x11, 0x00, 0x00, 0x00, 0xff, 0xff]
        let inflater = Inflater()
        inflater.resetWithoutHistory()
        var known: [Bool] = []
        _ = try second.withUnsafeBytes { input in
            try inflater.inflate(input) { piece, placeholder in
                for index in 0..<piece.count { known.append(placeholder.map { $0[index] == piece[index] } ?? true) }
                return true
            }
        }
        // "H" is a literal, "ello" a copy of the unseen "Hello" (distance 5).
        #expect(known == [true, false, false, false, false])
        #expect(inflater.windowHasUnknownBytes)
    }
}
