import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Issue 23: a capture that begins while connections are already open. Every WebSocket and
/// HTTP/2 sample is cut as tcpdump would have cut it had it started late: at packet
/// boundaries (the first k packets dropped) and at random byte offsets inside a packet (the
/// first packet kept starts mid-payload). The cut run is compared with the uncut one.
///
/// Cut points: every data packet when a sample has at most `maxBoundaryCuts` of them;
/// otherwise the first half of that many in order and the rest spread evenly over the
/// remaining packets. Random cuts: `randomCuts` per sample, a data packet and an offset in
/// it drawn from a fixed seed. The reassembly runs once per sample; each cut replays its
/// signals (the dropped packets' data left out, openings marked mid-stream) through a new
/// analyzer.
@Suite("Joining in the middle: cut tests over the samples")
struct JoiningMidStreamTests {
    static let maxBoundaryCuts = 40
    static let randomCuts = 50

    /// A stream signal with its bytes copied out.
    enum Recorded {
        case opened(ConnectionOpening)
        case data(ConnectionID, Direction, offset: UInt64, bytes: [UInt8], capture: CaptureInfo)
        case gap(StreamGap)
        case closed(ConnectionSummary)
    }

    struct Recorder: StreamSignalSink {
        var signals: [Recorded] = []
        mutating func receive(_ signal: StreamSignal) {
            switch signal {
            case .opened(let opening): signals.append(.opened(opening))
            case .data(let chunk):
                signals.append(
                    .data(
                        chunk.connection, chunk.direction, offset: chunk.offset, bytes: Array(chunk.bytes),
                        capture: chunk.capture))
            case .gap(let gap): signals.append(.gap(gap))
            case .anomaly: break
            case .closed(let summary): signals.append(.closed(summary))
            }
        }
    }

    /// A key into the decoded units compared: WebSocket messages and HTTP/2 frame headers.
    struct UnitKey: Hashable {
        var connection: ConnectionID
        var direction: Direction
        var offset: UInt64
        var tag: UInt8
    }

    /// What one cut came to.
    struct CutOutcome {
        var expected = 0
        var equal = 0
        /// Compressed WebSocket messages (their history is the other half of issue 23).
        var compressedExpected = 0
        var compressedEqual = 0
        /// Compressed messages the cut run shows with bytes copied from a history it never
        /// saw (`recovery`), their known and total bytes, and those it could not show at all.
        var compressedPartial = 0
        var compressedKnownBytes: UInt64 = 0
        var compressedBytes: UInt64 = 0
        var compressedLost = 0
        /// Known bytes that differ from the uncut run's, and messages shown as exact (every
        /// byte known) that differ: neither may happen.
        var compressedViolations: [String] = []
        /// Compressed messages after 32 KiB of known output in their direction (the window
        /// whole again), and those of them equal to the uncut run's.
        var healedExpected = 0
        var healedEqual = 0
        /// WebSocket messages inside HTTP/2 streams (RFC 8441) of a cut run: their stream's
        /// extended CONNECT came before the cut or needs HPACK history to be read.
        var unseenStreamExpected = 0
        var unseenStreamEqual = 0
        var contradictions: [String] = []
        var mismatches: [String] = []
    }

    static func replay(
        _ signals: [Recorded], cutPacket: UInt64, skip: Int, keyLog: TLSKeyLog?,
        registry: DissectorRegistry = .standard
    ) -> (EventCollector, [ConnectionID: PerDirection<UInt64?>]) {
        let sink = EventCollector()
        var analyzer = TimelineAnalyzer(output: sink, registry: registry, keyLog: keyLog)
        var fedFrom: [ConnectionID: PerDirection<UInt64?>] = [:]
        var skipped = false
        for signal in signals {
            switch signal {
            case .opened(var opening):
                if opening.capture.packetNumber < cutPacket { opening.roleEvidence = .portHeuristic }
                analyzer.receive(.opened(opening))
            case .data(let connection, let direction, let offset, let bytes, let capture):
                guard capture.packetNumber >= cutPacket else { continue }
                var from = 0
                if capture.packetNumber == cutPacket && !skipped {
                    skipped = true
                    from = min(skip, bytes.count - 1)
                }
                if fedFrom[connection, default: PerDirection(repeating: nil)][direction] == nil {
                    fedFrom[connection, default: PerDirection(repeating: nil)][direction] = offset + UInt64(from)
                }
                bytes[from...].withUnsafeBytes {
                    analyzer.receive(
                        .data(
                            StreamChunk(
                                connection: connection, direction: direction, offset: offset + UInt64(from), bytes: $0,
                                capture: capture)))
                }
            case .gap(let gap):
                guard gap.capture.packetNumber >= cutPacket else { continue }
                analyzer.receive(.gap(gap))
            case .closed(let summary):
                analyzer.receive(.closed(summary))
            }
        }
        return (sink, fedFrom)
    }

    static func units(
        _ sink: EventCollector
    ) -> [UnitKey: (
        line: String, compressed: Bool, packet: UInt64, stream: UInt32?, message: WebSocketMessage?
    )] {
        var result: [UnitKey: (String, Bool, UInt64, UInt32?, WebSocketMessage?)] = [:]
        var ordinals: [UnitKey: UInt64] = [:]
        for event in sink.events {
            guard let direction = event.direction, let offset = event.offset else { continue }
            var compressed = false
            var message: WebSocketMessage?
            switch event.kind {
            case .wsMessage(let decoded):
                compressed = decoded.compressed
                message = decoded
            case .h2Frame: break
            default: continue
            }
            var line = JSONTimelinePrinter.line(event)
            var key = UnitKey(
                connection: event.connection, direction: direction, offset: offset, tag: event.tag.rawValue)
            if event.decrypted {
                // A connection joined after its handshake counts plaintext offsets from its
                // first decrypted byte: decrypted units are keyed by packet and order in it.
                let packet = UnitKey(
                    connection: event.connection, direction: direction, offset: event.firstPacket,
                    tag: event.tag.rawValue)
                let ordinal = ordinals[packet, default: 0]
                ordinals[packet] = ordinal + 1
                key.offset = 1 << 62 + event.firstPacket << 12 + ordinal
                line = line.replacing(/"offset":\d+,/, with: "")
            }
            result[key] = (line, compressed, event.firstPacket, event.stream, message)
        }
        return result
    }

    /// Compares a cut run with the uncut one and checks it contradicts nothing it shows.
    static func compare(
        uncut: EventCollector, cut: EventCollector, fedFrom: [ConnectionID: PerDirection<UInt64?>], cutPacket: UInt64
    ) -> CutOutcome {
        var outcome = CutOutcome()
        let reference = units(uncut)
        let got = units(cut)
        var opened: [ConnectionID: [UInt32: UInt64]] = [:]
        // A stream's DATA reaches it only whole frames at a time: the first HTTP/2 frame that
        // begins at or after the first byte the cut run received, per direction.
        var firstFrame: [ConnectionID: PerDirection<UInt64?>] = [:]
        for event in uncut.events {
            guard case .h2Frame(let frame) = event.kind, !event.decrypted, let direction = event.direction,
                let offset = event.offset
            else { continue }
            if HTTP2FrameType(rawValue: frame.type) == .headers, opened[event.connection]?[frame.stream] == nil {
                opened[event.connection, default: [:]][frame.stream] = event.packet
            }
            if let start = fedFrom[event.connection]?[direction] ?? nil, offset >= start,
                (firstFrame[event.connection]?[direction] ?? nil).map({ offset < $0 }) ?? true
            {
                firstFrame[event.connection, default: PerDirection(repeating: nil)][direction] = offset
            }
        }
        for (key, unit) in reference {
            let decrypted = key.offset >= 1 << 62
            // A decrypted unit counts when it begins in a later packet than the cut; a plain
            // one when it begins at or after the first byte the cut run received.
            if decrypted {
                guard unit.packet > cutPacket else { continue }
            } else {
                guard let start = fedFrom[key.connection]?[key.direction] ?? nil, key.offset >= start else { continue }
            }
            let same = got[key]?.line == unit.line
            // WebSocket inside an HTTP/2 stream (RFC 8441) needs the stream's extended CONNECT
            // decoded, which needs the HPACK history when the cut came after the first request.
            if let stream = unit.stream, let packet = opened[key.connection]?[stream],
                packet < cutPacket || cutPacket > 1
            {
                // Counted from the first frame boundary after the cut inside the stream: a
                // message in a DATA frame whose header was cut off never reaches the stream.
                if !decrypted {
                    guard let boundary = firstFrame[key.connection]?[key.direction] ?? nil, key.offset >= boundary
                    else { continue }
                }
                outcome.unseenStreamExpected += 1
                if same {
                    outcome.unseenStreamEqual += 1
                } else if outcome.mismatches.count < 2 {
                    outcome.mismatches.append("expected \(unit.line) got \(got[key]?.line ?? "nothing")")
                }
            } else if unit.compressed {
                outcome.compressedExpected += 1
                if same { outcome.compressedEqual += 1 }
                checkCompressed(got[key]?.message, against: unit.message, same: same, line: unit.line, into: &outcome)
            } else {
                outcome.expected += 1
                if same {
                    outcome.equal += 1
                } else if outcome.mismatches.count < 2 {
                    outcome.mismatches.append("expected \(unit.line) got \(got[key]?.line ?? "nothing")")
                }
            }
        }
        checkHealing(cut, got: got, reference: reference, into: &outcome)
        outcome.contradictions = contradictions(uncut: uncut, cut: cut)
        return outcome
    }

    /// A compressed message of a cut run: shown with unknown bytes (each known one must
    /// equal the uncut run's byte there), shown as exact (it must equal the uncut message),
    /// or lost (its inflation needed the history and failed, or it is missing).
    static func checkCompressed(
        _ mine: WebSocketMessage?, against reference: WebSocketMessage?, same: Bool, line: String,
        into outcome: inout CutOutcome
    ) {
        guard let mine, let reference, mine.complete || mine.recovery != nil, !mine.lengthUnknown else {
            outcome.compressedLost += 1
            if outcome.mismatches.count < 2 { outcome.mismatches.append("lost: \(line)") }
            return
        }
        guard let recovery = mine.recovery else {
            if !same { outcome.compressedViolations.append("shown as exact but differs: \(line)") }
            return
        }
        outcome.compressedPartial += 1
        outcome.compressedKnownBytes += recovery.recovered
        outcome.compressedBytes += mine.length
        if mine.length != reference.length {
            outcome.compressedViolations.append("length \(mine.length), uncut \(reference.length): \(line)")
        }
        let shown = min(mine.kept.count, reference.kept.count)
        for range in recovery.known {
            let upper = min(Int(clamping: range.upperBound), shown)
            let lower = Int(clamping: range.lowerBound)
            guard lower < upper else { continue }
            if mine.kept[lower..<upper] != reference.kept[lower..<upper] {
                outcome.compressedViolations.append("known bytes \(lower)..<\(upper) differ: \(line)")
                return
            }
        }
    }

    /// The LZ77 window of permessage-deflate (RFC 7692) is 32 KiB at most: once a direction
    /// of the cut run produced that many known bytes in a row, every later compressed
    /// message of it must be exact.
    static func checkHealing(
        _ cut: EventCollector, got: [UnitKey: (String, Bool, UInt64, UInt32?, WebSocketMessage?)],
        reference: [UnitKey: (String, Bool, UInt64, UInt32?, WebSocketMessage?)], into outcome: inout CutOutcome
    ) {
        let window: UInt64 = 32 * 1024
        var knownRun: [String: UInt64] = [:]
        for event in cut.events {
            guard case .wsMessage(let message) = event.kind, message.compressed, let direction = event.direction,
                let offset = event.offset
            else { continue }
            let side = "\(event.connection) \(direction.shortName) \(event.stream ?? 0)"
            let key = UnitKey(
                connection: event.connection, direction: direction, offset: offset, tag: event.tag.rawValue)
            if knownRun[side, default: 0] >= window, let expected = reference[key] {
                outcome.healedExpected += 1
                if got[key]?.0 == expected.0 {
                    outcome.healedEqual += 1
                } else {
                    outcome.compressedViolations.append("after 32 KiB known, not exact: \(expected.0)")
                }
            }
            if message.lengthUnknown || (!message.complete && message.recovery == nil) {
                knownRun[side] = 0
            } else if let recovery = message.recovery {
                let last = recovery.known.last
                let trailing = last.map { $0.upperBound == message.length ? $0.upperBound - $0.lowerBound : 0 } ?? 0
                knownRun[side] = recovery.knownTruncated ? 0 : trailing
            } else {
                knownRun[side, default: 0] += message.length
            }
        }
    }

    static func contradictions(uncut: EventCollector, cut: EventCollector) -> [String] {
        var found: [String] = []
        var uncutClosings: [ConnectionID: WebSocketClosing] = [:]
        for event in uncut.events {
            if case .wsClosing(let closing) = event.kind { uncutClosings[event.connection] = closing }
        }
        let uncutErrors = Set(uncut.findings.filter { $0.severity == .error }.map(\.code))
        let uncutUnanswered = Set(
            uncut.events.filter {
                if case .finding(let finding) = $0.kind { finding.code == .websocketPingUnanswered } else { false }
            }.map(\.connection))
        var runs: [String: Int] = [:]
        var lastPacket: [ConnectionID: UInt64] = [:]
        for event in cut.events {
            // Capture order across both directions: a connection's events never go back.
            if event.tag != .connectionClosed, event.packet < lastPacket[event.connection] ?? 0 {
                found.append("event of packet \(event.packet) after one of packet \(lastPacket[event.connection] ?? 0)")
            }
            lastPacket[event.connection] = max(lastPacket[event.connection] ?? 0, event.packet)
            switch event.kind {
            case .wsClosing(let closing):
                if let after = closing.answerMilliseconds, after < 0 { found.append("negative close answer \(after)") }
                if closing.answered, let reference = uncutClosings[event.connection], reference.answered,
                    reference.firstDirection != closing.firstDirection
                {
                    found.append("close initiator \(closing.firstDirection) but uncut \(reference.firstDirection)")
                }
            case .wsControl(let control):
                if let trip = control.roundTripMilliseconds, trip < 0 { found.append("negative pong round trip") }
            case .h2Ping(_, let trip):
                if let trip, trip < 0 { found.append("negative h2 ping round trip") }
            case .finding(let finding):
                // HPACK without its history is the other half of issue 23 (its own tests).
                if finding.severity == .error && !uncutErrors.contains(finding.code)
                    && finding.code != .http2HPACKFailed
                {
                    found.append("error \(finding.code.rawValue): \(finding.message)")
                }
                if finding.code == .websocketPingUnanswered && !uncutUnanswered.contains(event.connection) {
                    found.append("ping unanswered, answered uncut: \(finding.message)")
                }
            case .rawData(let chunk):
                if chunk.notRecognised {
                    // A decrypted stream is a layer of its own, with its own runs.
                    let layer = event.decrypted ? " decrypted" : ""
                    runs["\(event.connection) \(event.direction?.shortName ?? "-")\(layer)", default: 0] += 1
                } else if chunk.protocolName == "unknown" {
                    found.append("an unknown chunk outside a run")
                }
            default:
                break
            }
        }
        for (side, count) in runs where count > 1 { found.append("\(count) runs not recognised on \(side)") }
        return found
    }

    /// The samples: every WebSocket sample (plain, deflate, fragmented, 1 MiB frames,
    /// through proxies) and every HTTP/2 sample (h2c upgrade, prior knowledge, over TLS
    /// with its key log).
    static let webSocketSamples = [
        "ws-echo-veth.pcap", "websocket/ws-session-plain.pcap", "websocket/ws-session-deflate.pcap",
        "websocket/ws-session-deflate-params.pcap", "proxy/ws-proxy-ok.pcap", "proxy/ws-proxy-nginx-default.pcap",
        "proxy/ws-proxy-two-clients.pcap", "proxy/ws-proxy-http10.pcap", "proxy/ws-proxy-idle-timeout.pcap",
        "proxy/ws-proxy-no-upgrade-headers.pcap", "proxy/upgrade-refused-then-retry.pcap",
        "tls/tls13-wss-websockets.pcap", "tls/tls13-wss-websockets-deflate.pcap",
    ]
    /// (`http2/h2c-upgrade-ignored.pcap` is HTTP/1.1: its server ignored the upgrade. It has
    /// no units to compare; it is here for its contradictions, of which there must be none.)
    static let http2Samples = [
        "http2/h2-prior-knowledge-curl.pcap", "http2/h2c-upgrade-curl.pcap", "http2/rfc8441-websocket-over-h2.pcap",
        "http2/h2c-upgrade-ignored.pcap",
        "tls/tls12-h2-curl-nghttpd.pcap", "tls/tls13-h2-curl-nghttpd.pcap",
        "tls/tls13-h2-curl-nginx.pcap",
    ]

    static func keyLog(for sample: String) throws -> TLSKeyLog? {
        let path = TestEnvironment.samplesDirectory.appendingPathComponent(sample).deletingPathExtension()
            .appendingPathExtension("keylog")
        guard sample.hasPrefix("tls/") else { return nil }
        try #require(FileManager.default.fileExists(atPath: path.path), "fixture missing: \(path.path)")
        return TLSKeyLog(text: try String(contentsOf: path, encoding: .utf8))
    }

    /// Cut points at packet boundaries (see the suite's comment) and random ones.
    static func cuts(_ signals: [Recorded], seed: UInt64) -> [(packet: UInt64, skip: Int, random: Bool)] {
        var packets: [(UInt64, Int)] = []
        for signal in signals {
            if case .data(_, _, _, let bytes, let capture) = signal, packets.last?.0 != capture.packetNumber {
                packets.append((capture.packetNumber, bytes.count))
            }
        }
        var boundary = packets.map(\.0)
        if boundary.count > maxBoundaryCuts {
            let head = maxBoundaryCuts / 2
            let rest = Array(boundary[head...])
            let spread = (0..<(maxBoundaryCuts - head)).map { rest[$0 * rest.count / (maxBoundaryCuts - head)] }
            boundary = Array(boundary[..<head]) + spread
        }
        var result = boundary.map { (packet: $0, skip: 0, random: false) }
        var random = SplitRandom(seed: seed)
        let splittable = packets.filter { $0.1 > 1 }
        for _ in 0..<randomCuts where !splittable.isEmpty {
            let (packet, length) = splittable[Int(random.next() % UInt64(splittable.count))]
            result.append((packet, 1 + Int(random.next() % UInt64(length - 1)), true))
        }
        return result
    }

    struct Totals: CustomStringConvertible {
        var cuts = 0
        var expected = 0
        var equal = 0
        var compressedExpected = 0
        var compressedEqual = 0
        var compressedPartial = 0
        var compressedKnownBytes: UInt64 = 0
        var compressedBytes: UInt64 = 0
        var compressedLost = 0
        var compressedViolations: [String] = []
        var healedExpected = 0
        var healedEqual = 0
        var unseenStreamExpected = 0
        var unseenStreamEqual = 0
        var description: String {
            var text =
                "\(cuts) cuts: \(equal)/\(expected) messages equal, compressed \(compressedEqual)/\(compressedExpected)"
            if compressedExpected > 0 {
                text +=
                    " (\(compressedPartial) with unknown bytes, \(compressedKnownBytes) of \(compressedBytes) bytes known; \(compressedLost) lost; after 32 KiB known \(healedEqual)/\(healedExpected) exact; \(compressedViolations.count) violations)"
            }
            return text + ", inside HTTP/2 streams \(unseenStreamEqual)/\(unseenStreamExpected)"
        }
    }

    static func runCuts(_ sample: String) throws -> (boundary: Totals, random: Totals, contradictions: [String]) {
        let (boundary, random, contradictions, _) = try runCutsWithHandshake(sample)
        return (boundary, random, contradictions)
    }

    /// The same, with whether the uncut run's WebSocket handshake agreed on permessage-deflate
    /// without context takeover in both directions (RFC 7692 §7.1.1).
    static func runCutsWithHandshake(
        _ sample: String
    ) throws -> (boundary: Totals, random: Totals, contradictions: [String], noContextTakeover: Bool) {
        let path = TestEnvironment.samplesDirectory.appendingPathComponent(sample).path
        try #require(FileManager.default.fileExists(atPath: path), "fixture missing: \(path)")
        var recorder = Recorder()
        var runner = CaptureRunner()
        runner.drive(try TestEnvironment.fixtureSource(paths: [path]), into: &recorder)
        let keys = try keyLog(for: sample)
        // Deflate samples keep whole payloads: every known byte of a message is compared.
        var options = WebSocketOptions()
        options.keepFullPayload = sample.contains("deflate")
        let registry = DissectorRegistry.standard(webSocket: options)
        let (uncut, _) = replay(recorder.signals, cutPacket: 0, skip: 0, keyLog: keys, registry: registry)
        var boundary = Totals()
        var random = Totals()
        var contradictions: [String] = []
        for cut in cuts(recorder.signals, seed: UInt64(sample.utf8.count)) {
            let (run, fedFrom) = replay(
                recorder.signals, cutPacket: cut.packet, skip: cut.skip, keyLog: keys, registry: registry)
            let outcome = compare(uncut: uncut, cut: run, fedFrom: fedFrom, cutPacket: cut.packet)
            contradictions += outcome.contradictions.map { "cut at packet \(cut.packet)+\(cut.skip): \($0)" }
            if !outcome.mismatches.isEmpty || !outcome.contradictions.isEmpty,
                let wanted = ProcessInfo.processInfo.environment["CUT_DEBUG"]
            {
                print("cut at packet \(cut.packet)+\(cut.skip) of \(sample): \(outcome.mismatches)")
                if wanted == "\(cut.packet)+\(cut.skip)" {
                    for event in run.events where event.tag != .h2Frame {
                        print("  " + JSONTimelinePrinter.line(event))
                    }
                }
            }
            func add(_ totals: inout Totals) {
                totals.cuts += 1
                totals.expected += outcome.expected
                totals.equal += outcome.equal
                totals.compressedExpected += outcome.compressedExpected
                totals.compressedEqual += outcome.compressedEqual
                totals.compressedPartial += outcome.compressedPartial
                totals.compressedKnownBytes += outcome.compressedKnownBytes
                totals.compressedBytes += outcome.compressedBytes
                totals.compressedLost += outcome.compressedLost
                totals.healedExpected += outcome.healedExpected
                totals.healedEqual += outcome.healedEqual
                totals.compressedViolations += outcome.compressedViolations.map {
                    "cut at \(cut.packet)+\(cut.skip): \($0)"
                }
                totals.unseenStreamExpected += outcome.unseenStreamExpected
                totals.unseenStreamEqual += outcome.unseenStreamEqual
            }
            if cut.random { add(&random) } else { add(&boundary) }
        }
        print("cut test \(sample): boundary \(boundary); random \(random); \(contradictions.count) contradictions")
        let noContextTakeover = uncut.events.contains {
            guard case .httpResponse(let response) = $0.kind,
                let compression = WebSocketCompression.negotiated(response.headers)
            else { return false }
            return compression.clientNoContextTakeover && compression.serverNoContextTakeover
        }
        return (boundary, random, contradictions, noContextTakeover)
    }

    @Test("WebSocket samples cut at packet boundaries and random offsets", arguments: webSocketSamples)
    func webSocketCuts(_ sample: String) throws {
        let (boundary, random, contradictions, noContextTakeover) = try Self.runCutsWithHandshake(sample)
        #expect(boundary.equal == boundary.expected, "\(sample): \(boundary)")
        #expect(Double(random.equal) >= 0.99 * Double(random.expected), "\(sample): \(random)")
        // permessage-deflate: every byte a cut run calls known equals the uncut run's there,
        // every message it shows without unknown bytes (all that did not reach into the
        // history before the cut, and all after 32 KiB of known output) is equal.
        for totals in [boundary, random] {
            #expect(totals.compressedViolations.isEmpty, "\(sample): \(totals.compressedViolations.prefix(4))")
            #expect(totals.healedEqual == totals.healedExpected, "\(sample): \(totals)")
        }
        if sample.contains("deflate") { #expect(boundary.compressedExpected > 0 && random.compressedExpected > 0) }
        // samples/websocket/README.md: the -params session agreed on no context takeover both ways.
        #expect(noContextTakeover == sample.hasSuffix("ws-session-deflate-params.pcap"))
        if noContextTakeover {
            // No history to miss: every message is exact.
            #expect(boundary.compressedEqual == boundary.compressedExpected, "\(sample): \(boundary)")
            #expect(random.compressedEqual == random.compressedExpected, "\(sample): \(random)")
            #expect(boundary.compressedPartial + random.compressedPartial == 0, "\(sample): \(boundary) \(random)")
        }
        #expect(contradictions.isEmpty, "\(sample): \(contradictions.prefix(8))")
    }

    @Test("a mid-stream connection of random bytes: one run per direction, and the --decode-as that would apply")
    func notRecognisedRuns() {
        var random = SplitRandom(seed: 23)
        let sink = EventCollector()
        var analyzer = TimelineAnalyzer(output: sink)
        let client = Endpoint(address: IPAddress("10.0.0.1")!, port: 40000)
        let server = Endpoint(address: IPAddress("10.0.0.2")!, port: 8765)
        let start = CaptureInfo(packetNumber: 1, timestamp: .zero)
        analyzer.receive(
            .opened(
                ConnectionOpening(
                    connection: 1, client: client, server: server, roleEvidence: .portHeuristic, capture: start)))
        let length = 12 * 1448
        let streams = [
            random.bytes(count: length),
            random.bytes(count: length),
        ]
        var packet: UInt64 = 2
        for offset in stride(from: 0, to: length, by: 1448) {
            for direction in [Direction.clientToServer, .serverToClient] {
                streams[direction.rawValue][offset..<(offset + 1448)].withUnsafeBytes {
                    analyzer.receive(
                        .data(
                            StreamChunk(
                                connection: 1, direction: direction, offset: UInt64(offset), bytes: $0,
                                capture: CaptureInfo(packetNumber: packet, timestamp: .zero))))
                }
                packet += 1
            }
        }
        analyzer.receive(
            .closed(
                ConnectionSummary(
                    connection: 1, client: client, server: server, roleEvidence: .portHeuristic, handshake: .none,
                    start: .zero, end: .zero, reason: .fin, clientToServer: DirectionStats(),
                    serverToClient: DirectionStats(), capture: CaptureInfo(packetNumber: packet, timestamp: .zero))))
        let runs = sink.events.compactMap { event -> (Direction?, RawChunk)? in
            if case .rawData(let chunk) = event.kind { (event.direction, chunk) } else { nil }
        }
        #expect(runs.map(\.0) == [.clientToServer, .serverToClient])
        #expect(runs.allSatisfy { $0.1.notRecognised && $0.1.packets == 12 && $0.1.length == length })
        let unknown = sink.findings.first { $0.code == .detectedNothing }
        #expect(unknown?.message.contains("--decode-as websocket=8765") == true, "\(sink.findings)")
        let line = JSONTimelinePrinter.line(sink.events.first { $0.tag == .rawData }!)
        #expect(line.contains(#""packets":12,"not_recognised":true"#), "\(line)")
    }

    @Test("HTTP/2 samples cut at packet boundaries and random offsets", arguments: http2Samples)
    func http2Cuts(_ sample: String) throws {
        let (boundary, random, contradictions) = try Self.runCuts(sample)
        if sample.hasPrefix("tls/tls12") {
            // TLS 1.2 keys need both hellos' randoms: after a cut that lost them, nothing
            // can be decrypted. The figures are reported, and nothing may be contradicted.
            #expect(contradictions.isEmpty, "\(sample): \(contradictions.prefix(8))")
            return
        }
        #expect(boundary.equal == boundary.expected, "\(sample): \(boundary)")
        #expect(Double(random.equal) >= 0.99 * Double(random.expected), "\(sample): \(random)")
        // WebSocket inside HTTP/2 streams (RFC 8441), whether or not the extended CONNECT was
        // seen or could be decoded: told by the stream's content when it was not.
        #expect(boundary.unseenStreamEqual == boundary.unseenStreamExpected, "\(sample): \(boundary)")
        #expect(
            Double(random.unseenStreamEqual) >= 0.99 * Double(random.unseenStreamExpected), "\(sample): \(random)")
        if sample.contains("rfc8441") { #expect(boundary.unseenStreamExpected > 0 && random.unseenStreamExpected > 0) }
        #expect(contradictions.isEmpty, "\(sample): \(contradictions.prefix(8))")
    }
}
