import Testing

@testable import SwitchpointCore

/// The library's collector, with the views tests compare.
typealias CollectingEventSink = EventCollector

extension EventCollector {
    /// Events as JSON lines (a stable, comparable form).
    var lines: [String] { events.map { JSONTimelinePrinter.line($0) } }

    /// Lines for comparing runs split differently: raw chunks are what TCP delivered, so
    /// consecutive raw chunks of one packet and direction count as one (previews dropped).
    var normalizedLines: [String] {
        var result: [String] = []
        var pendingRaw: (direction: Direction?, packet: UInt64, offset: UInt64, length: Int, name: String)?
        func flush() {
            if let raw = pendingRaw {
                result.append(
                    "raw.data \(raw.direction?.shortName ?? "-") @\(raw.offset) +\(raw.length) \(raw.name) pkt \(raw.packet)"
                )
            }
            pendingRaw = nil
        }
        for event in events {
            if case .rawData(let chunk) = event.kind {
                if let raw = pendingRaw, raw.direction == event.direction, raw.packet == event.packet,
                    raw.offset + UInt64(raw.length) == event.offset, raw.name == chunk.protocolName
                {
                    pendingRaw?.length += chunk.length
                } else {
                    flush()
                    pendingRaw = (event.direction, event.packet, event.offset ?? 0, chunk.length, chunk.protocolName)
                }
                continue
            }
            flush()
            result.append(JSONTimelinePrinter.line(event))
        }
        flush()
        return result
    }

    var findingCodes: [String] {
        events.compactMap { if case .finding(let finding) = $0.kind { finding.code.rawValue } else { nil } }
    }

    var findings: [Finding] {
        events.compactMap { if case .finding(let finding) = $0.kind { finding } else { nil } }
    }

    var upgrades: [UpgradeSwitch] {
        events.compactMap { if case .upgrade(let upgrade) = $0.kind { upgrade } else { nil } }
    }
}

/// Plays a scripted conversation through the timeline analyzer, cut into chunks in
/// different ways, so tests can require identical events however TCP split the bytes.
struct Conversation {
    enum Splitting: CustomStringConvertible {
        case whole
        case byteByByte
        case random(seed: UInt64)

        var description: String {
            switch self {
            case .whole: "whole"
            case .byteByByte: "byte by byte"
            case .random(let seed): "random splits (seed \(seed))"
            }
        }
    }

    /// One send: a direction and its bytes, all carried by one packet number.
    var messages: [(Direction, [UInt8])]
    var gaps: [Int: UInt64] = [:]  // message index → a gap of that many bytes before it
    var limits = HTTP1Limits()
    /// Raw views by default, so HTTP-layer tests see only the switch; dissector tests set their own.
    var registry = DissectorRegistry()
    /// TLS secrets (nil: no key log given).
    var keyLog: TLSKeyLog?

    init(_ messages: [(Direction, String)]) {
        self.messages = messages.map { ($0.0, Array($0.1.utf8)) }
    }

    init(bytes messages: [(Direction, [UInt8])]) {
        self.messages = messages
    }

    static let splittings: [Splitting] = [.whole, .byteByByte, .random(seed: 1), .random(seed: 7), .random(seed: 42)]

    /// Runs the conversation and returns the sink holding the events.
    func run(_ splitting: Splitting) -> CollectingEventSink {
        let sink = CollectingEventSink()
        var analyzer = TimelineAnalyzer(output: sink, registry: registry, limits: limits, keyLog: keyLog)
        var random = SplitRandom(seed: { if case .random(let seed) = splitting { seed } else { 0 } }())
        let client = Endpoint(address: IPAddress("10.0.0.1")!, port: 40000)
        let server = Endpoint(address: IPAddress("10.0.0.2")!, port: 80)
        var offsets: [UInt64] = [0, 0]
        let start = Timestamp(nanoseconds: 1_700_000_000_000_000_000)
        analyzer.receive(
            .opened(
                ConnectionOpening(
                    connection: 1, client: client, server: server, roleEvidence: .syn,
                    capture: CaptureInfo(packetNumber: 1, timestamp: start))))
        for (index, (direction, bytes)) in messages.enumerated() {
            let capture = CaptureInfo(
                packetNumber: UInt64(index + 2), timestamp: start.adding(nanoseconds: Int64(index + 1) * 1_000_000))
            if let gap = gaps[index] {
                analyzer.receive(
                    .gap(
                        StreamGap(
                            connection: 1, direction: direction, offset: offsets[direction.rawValue],
                            length: gap, reason: .acknowledgedUnseen, capture: capture)))
                offsets[direction.rawValue] += gap
            }
            var position = 0
            while position < bytes.count {
                let size: Int
                switch splitting {
                case .whole: size = bytes.count
                case .byteByByte: size = 1
                case .random: size = Int(random.next() % UInt64(max(1, min(bytes.count - position, 40)))) + 1
                }
                let end = min(bytes.count, position + size)
                bytes[position..<end].withUnsafeBytes { chunk in
                    analyzer.receive(
                        .data(
                            StreamChunk(
                                connection: 1, direction: direction,
                                offset: offsets[direction.rawValue] + UInt64(position),
                                bytes: chunk, capture: capture)))
                }
                position = end
            }
            offsets[direction.rawValue] += UInt64(bytes.count)
        }
        let last = CaptureInfo(
            packetNumber: UInt64(messages.count + 2),
            timestamp: start.adding(nanoseconds: Int64(messages.count + 1) * 1_000_000))
        var summary = ConnectionSummary(
            connection: 1, client: client, server: server, roleEvidence: .syn, handshake: .complete,
            start: start, end: last.timestamp, reason: .fin, clientToServer: DirectionStats(),
            serverToClient: DirectionStats(), capture: last)
        summary.clientToServer.deliveredBytes = offsets[0]
        summary.serverToClient.deliveredBytes = offsets[1]
        analyzer.receive(.closed(summary))
        return sink
    }

    /// Runs every splitting; records an issue when any differs from the whole run, and
    /// returns the whole run's events.
    func runAllSplittings(sourceLocation: SourceLocation = #_sourceLocation) -> CollectingEventSink {
        let reference = run(.whole)
        for splitting in Self.splittings.dropFirst() {
            let other = run(splitting)
            if other.normalizedLines != reference.normalizedLines {
                let firstDifference = zip(other.normalizedLines, reference.normalizedLines).first { $0 != $1 }
                Issue.record(
                    "events differ when fed \(splitting): \(firstDifference.map { "\($0.0)\n vs whole:\n\($0.1)" } ?? "\(other.normalizedLines.count) vs \(reference.normalizedLines.count) events")",
                    sourceLocation: sourceLocation)
            }
        }
        return reference
    }
}

/// A small deterministic generator (xorshift) so random splits are reproducible.
struct SplitRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }
    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
}

extension SplitRandom {
    /// `count` random bytes from the generator.
    mutating func bytes(count: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 8)
        while bytes.count < count {
            withUnsafeBytes(of: next()) { bytes.append(contentsOf: $0) }
        }
        return Array(bytes.prefix(count))
    }
}
