import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Issue 16's reassembly rows, at small sizes: the work done is asserted by counts (how
/// many connections eviction, expiry and relief examined; how many anomaly lines came
/// out), never by time.
@Suite("Reassembly under attack: cost and rate limits")
struct AdversarialReassemblyTests {
    static let server = Endpoint(address: IPAddress("10.0.0.2")!, port: 80)

    static func client(_ index: Int) -> Endpoint {
        Endpoint(address: IPAddress("10.1.\(index / 60_000).\(1 + index % 250)")!, port: UInt16(1024 + index % 60_000))
    }

    /// Counts signals by kind instead of recording them (the floods are large).
    struct CountingSink: StreamSignalSink {
        var anomalies: [ReassemblyAnomalyCode: Int] = [:]
        var closed: [CloseReason: Int] = [:]
        var summaries: [ConnectionID: ConnectionSummary] = [:]
        var gaps = 0

        mutating func receive(_ signal: StreamSignal) {
            switch signal {
            case .anomaly(let anomaly): anomalies[anomaly.code, default: 0] += 1
            case .closed(let summary):
                closed[summary.reason, default: 0] += 1
                summaries[summary.connection] = summary
            case .gap: gaps += 1
            default: break
            }
        }
    }

    @Test("eviction at the connection cap examines one connection per new flow, not the table")
    func evictionIsConstantPerFlow() {
        var limits = ReassemblyLimits()
        limits.maxConnections = 200
        let flows = 5_000
        var script = SegmentScript(limits: limits)
        var sink = CountingSink()
        for index in 0..<flows {
            script.packetNumber += 1
            script.now += script.step
            let capture = CaptureInfo(packetNumber: script.packetNumber, timestamp: Timestamp(nanoseconds: script.now))
            let segment = TCPSegment(
                source: Self.client(index), destination: Self.server, sequence: 100, acknowledgment: 0,
                flags: .syn, payload: UnsafeRawBufferPointer(start: nil, count: 0), payloadLength: 0)
            script.reassembler.ingest(segment, capture: capture, into: &sink)
        }
        #expect(script.reassembler.trackedConnections == limits.maxConnections)
        let evicted = flows - limits.maxConnections
        #expect(sink.closed[.evicted] == evicted)
        #expect(sink.anomalies[.connectionLimit] == evicted)  // one line per evicted connection
        // Each new flow over the cap looks at exactly one victim.
        #expect(script.reassembler.connectionsExamined == evicted)
        // The least recently active went first: the survivors are the newest flows.
        script.finish()
    }

    @Test("memory relief pops the largest holder from a heap; the heap stays proportional to the buffering connections")
    func memoryReliefIsLogarithmic() {
        var limits = ReassemblyLimits()
        let perConnection = 70
        let connections = 2_000
        limits.maxBufferedBytesTotal = perConnection * connections / 2  // half of them fit
        var script = SegmentScript(limits: limits)
        var sink = CountingSink()
        let hole = String(repeating: "x", count: perConnection)
        // Every connection holds `perConnection` bytes behind a one-byte hole.
        for round in 0..<3 {
            for index in 0..<connections {
                script.packetNumber += 1
                script.now += script.step
                let capture = CaptureInfo(
                    packetNumber: script.packetNumber, timestamp: Timestamp(nanoseconds: script.now))
                Array(hole.utf8).withUnsafeBytes { payload in
                    let segment = TCPSegment(
                        source: Self.client(index), destination: Self.server,
                        sequence: UInt32(2 + round * 1000), acknowledgment: 0, flags: [],
                        payload: payload, payloadLength: payload.count)
                    script.reassembler.ingest(segment, capture: capture, into: &sink)
                }
            }
        }
        #expect(script.reassembler.bufferedBytes <= limits.maxBufferedBytesTotal)
        // Relief examined at most one connection per over-limit packet (it flushes whole
        // connections), far from a table scan each time.
        #expect(script.reassembler.connectionsExamined <= 3 * connections)
        #expect(script.reassembler.reliefQueueEntries <= max(ReliefQueue.minimumCompactionSize, 2 * connections) + 1)
        // Memory relief is reported once per connection, counted in its close summary.
        script.reassembler.finish(into: &sink)
        #expect(sink.anomalies[.memoryLimit, default: 0] <= connections)
        let relieved = sink.summaries.values.filter { $0.anomalyCounts.contains { $0.code == .memoryLimit } }
        #expect(relieved.count == sink.anomalies[.memoryLimit])
        #expect(
            relieved.contains { summary in summary.anomalyCounts.contains { $0.code == .memoryLimit && $0.count > 1 } })
    }

    @Test("a connection flushed by memory relief keeps no overlap-check history; the others keep theirs")
    func memoryReliefDropsOverlapHistory() {
        var limits = ReassemblyLimits()
        let perConnection = 70
        let connections = 200
        limits.maxBufferedBytesTotal = perConnection * connections / 2
        var script = SegmentScript(limits: limits)
        var sink = CountingSink()
        let payload = Array(String(repeating: "x", count: perConnection).utf8)
        // Round 0 is delivered in order (the first byte seen is offset 0); round 1 waits
        // behind holes until relief flushes the largest holders (about half of them).
        for round in 0..<2 {
            for index in 0..<connections {
                script.packetNumber += 1
                script.now += script.step
                let capture = CaptureInfo(
                    packetNumber: script.packetNumber, timestamp: Timestamp(nanoseconds: script.now))
                payload.withUnsafeBytes { bytes in
                    let segment = TCPSegment(
                        source: Self.client(index), destination: Self.server,
                        sequence: UInt32(2 + round * 1000), acknowledgment: 0, flags: [],
                        payload: bytes, payloadLength: bytes.count)
                    script.reassembler.ingest(segment, capture: capture, into: &sink)
                }
            }
        }
        let relieved = sink.anomalies[.memoryLimit, default: 0]  // once per connection
        #expect(relieved > 0 && relieved < connections)
        var ring = RecentBytes(capacity: limits.overlapCheckWindow)
        payload.withUnsafeBytes { ring.append($0, at: 0) }
        #expect(script.reassembler.overlapHistoryBytes == (connections - relieved) * ring.allocatedBytes)
        script.finish()
    }

    @Test("reassembly.segment_limit is reported once per connection and direction, with the count in the close")
    func segmentLimitOncePerDirection() {
        var limits = ReassemblyLimits()
        limits.maxPendingSegmentsPerDirection = 4
        var s = SegmentScript(limits: limits)
        s.handshake()
        let segments = 500
        for index in 0..<segments {
            // Every other byte: each segment leaves a hole before it.
            s.send(.client, seq: UInt32(1003 + 2 * index), ack: 5001, "z")
        }
        s.finish()
        let limitLines = s.signals.filter { $0 == .anomaly(1, .segmentLimit) }
        #expect(limitLines.count == 1)
        let summary = s.sink.summaries[1]
        let counted = summary?.anomalyCounts.first { $0.code == .segmentLimit && $0.direction == .clientToServer }
        #expect(counted?.count == segments - limits.maxPendingSegmentsPerDirection)
        #expect(summary?.anomalyTotals.first { $0.code == .segmentLimit }?.count == counted?.count)
    }

    @Test("every direction-level anomaly code is rate-limited: conflicting overlaps and data before the start")
    func directionAnomaliesOnce() {
        var s = SegmentScript()
        s.handshake()
        s.send(.client, seq: 1001, ack: 5001, "hello")
        for _ in 0..<50 {
            s.send(.client, seq: 1001, ack: 5001, "HELLO")  // conflicting retransmission
            s.send(.client, seq: 900, ack: 5001, "before")  // before offset 0
        }
        s.finish()
        #expect(s.signals.filter { $0 == .anomaly(1, .overlapConflict) }.count == 1)
        #expect(s.signals.filter { $0 == .anomaly(1, .dataBeforeStreamStart) }.count == 1)
        let counts = s.sink.summaries[1]?.anomalyCounts ?? []
        #expect(counts.first { $0.code == .overlapConflict }?.count == 50)
        #expect(counts.first { $0.code == .dataBeforeStreamStart }?.count == 50)
        #expect(s.sink.summaries[1]?.clientToServer.overlapConflicts == 50)
    }

    @Test("idle expiry walks only what expired, not the table")
    func idleExpiryIsProportionalToExpired() {
        var limits = ReassemblyLimits()
        limits.idleTimeoutNanoseconds = 10_000_000_000
        var script = SegmentScript(limits: limits)
        var sink = CountingSink()
        let flows = 1_000
        for index in 0..<flows {
            script.packetNumber += 1
            script.now += 1_000  // all within a microsecond of each other
            let capture = CaptureInfo(packetNumber: script.packetNumber, timestamp: Timestamp(nanoseconds: script.now))
            let segment = TCPSegment(
                source: Self.client(index), destination: Self.server, sequence: 100, acknowledgment: 0,
                flags: .syn, payload: UnsafeRawBufferPointer(start: nil, count: 0), payloadLength: 0)
            script.reassembler.ingest(segment, capture: capture, into: &sink)
        }
        // Sweeps once per second of capture time for 9 seconds: nothing is idle yet.
        for second in 1...9 {
            script.reassembler.expire(
                now: Timestamp(nanoseconds: script.now + Int64(second) * 1_000_000_000), into: &sink)
        }
        #expect(script.reassembler.connectionsExamined == 0)
        script.reassembler.expire(now: Timestamp(nanoseconds: script.now + 11_000_000_000), into: &sink)
        #expect(sink.closed[.idle] == flows)
        #expect(script.reassembler.connectionsExamined == flows)
        #expect(script.reassembler.trackedConnections == 0)
    }

    @Test("the overlap-check ring grows with what was delivered and still compares across its growth")
    func recentBytesGrow() {
        var ring = RecentBytes(capacity: 1024)
        let first = Array("0123456789".utf8)
        first.withUnsafeBytes { ring.append($0, at: 0) }
        var offset: UInt64 = 10
        for index in 0..<40 {
            let piece = (0..<50).map { UInt8(truncatingIfNeeded: index * 50 + $0) }
            piece.withUnsafeBytes { ring.append($0, at: offset) }
            offset += 50
        }
        // The last 1024 bytes are kept: an identical copy passes, a changed one is caught.
        let last = (0..<50).map { UInt8(truncatingIfNeeded: 39 * 50 + $0) }
        #expect(!last.withUnsafeBytes { ring.differs($0, at: offset - 50) })
        var changed = last
        changed[7] ^= 0xff
        #expect(changed.withUnsafeBytes { ring.differs($0, at: offset - 50) })
        // A small flow holds a small ring.
        var small = RecentBytes(capacity: 1024)
        Array("GET /".utf8).withUnsafeBytes { small.append($0, at: 0) }
        #expect(!Array("GET /".utf8).withUnsafeBytes { small.differs($0, at: 0) })
        #expect(Array("PUT /".utf8).withUnsafeBytes { small.differs($0, at: 0) })
    }

    @Test("ipv4.header_truncated counted as a snaplen cut and as malformed is listed once, with the sum")
    func decodeProblemListedOnce() {
        var statistics = DecodeStatistics()
        statistics.count(.truncated(.ipv4HeaderTruncated))
        statistics.count(.malformed(.ipv4HeaderTruncated))
        statistics.count(.malformed(.ipv4HeaderTruncated))
        let listed = statistics.problemCounts.filter { $0.0 == "ipv4.header_truncated" }
        #expect(listed.count == 1)
        #expect(listed.first?.1 == 3)
    }
}

@Suite("anomaly_counts in JSON")
struct AnomalyCountsJSONTests {
    @Test("the close summary's counts are one JSON object by code, both directions summed")
    func anomalyCountsObject() {
        var summary = ConversationHarnessSummary.make()
        summary.anomalyCounts = [
            AnomalyCount(code: .segmentLimit, direction: .clientToServer, count: 7),
            AnomalyCount(code: .segmentLimit, direction: .serverToClient, count: 2),
            AnomalyCount(code: .memoryLimit, direction: nil, count: 1),
        ]
        let buffer = OutputBuffer(capacity: 64)
        var line = JSONObjectWriter(into: buffer)
        line.addAnomalyCounts(summary)
        line.close()
        #expect(
            String(decoding: buffer.bytes, as: UTF8.self)
                == #"{"anomaly_counts":{"reassembly.memory_limit":1,"reassembly.segment_limit":9}}"#)
    }
}

enum ConversationHarnessSummary {
    static func make() -> ConnectionSummary {
        let client = Endpoint(address: IPAddress("10.0.0.1")!, port: 40000)
        let server = Endpoint(address: IPAddress("10.0.0.2")!, port: 80)
        let capture = CaptureInfo(packetNumber: 1, timestamp: Timestamp(nanoseconds: 0))
        return ConnectionSummary(
            connection: 1, client: client, server: server, roleEvidence: .syn, handshake: .complete,
            start: capture.timestamp, end: capture.timestamp, reason: .fin,
            clientToServer: DirectionStats(), serverToClient: DirectionStats(), capture: capture)
    }
}
