/// Turns TCP segments (in capture order) into per-connection, per-direction byte streams.
///
/// Connections are keyed by the 4-tuple; a SYN on a closed 4-tuple starts a new one.
/// Client and server come from SYN / SYN-ACK; without a handshake, a port below 1024 (or
/// the only port outside the ephemeral range 32768+) marks the server, and failing that
/// the first packet's sender is taken as the client (`RoleEvidence`).
///
/// All time-based decisions (idle expiry) use capture timestamps, never the wall clock.
public struct TCPReassembler {
    public let limits: ReassemblyLimits
    private var table: [FlowKey: TCPConnection] = [:]
    private var nextID: ConnectionID = 1
    private var totalBuffered = 0
    private var lastSweep: Timestamp?
    /// The connection of the previous packet: bulk transfers send runs of packets on one
    /// connection, and comparing a key is cheaper than hashing it. Cleared whenever the
    /// table changes.
    private var recent: (key: FlowKey, connection: TCPConnection)?
    /// Capture time between idle sweeps.
    public static let sweepIntervalNanoseconds: Int64 = 1_000_000_000

    public init(limits: ReassemblyLimits = ReassemblyLimits()) {
        self.limits = limits
    }

    /// Connections currently tracked, open or lingering after their close.
    public var trackedConnections: Int { table.count }
    public var bufferedBytes: Int { totalBuffered }

    public mutating func ingest<Sink: StreamSignalSink>(_ segment: TCPSegment, capture: CaptureInfo, into sink: inout Sink) {
        sweepIfDue(now: capture.timestamp, sink: &sink)
        let key = FlowKey(segment.source, segment.destination)
        let connection: TCPConnection
        if let recent, recent.key == key, !segment.flags.contains(.syn) {
            connection = recent.connection
        } else if let existing = table[key] {
            if startsNewConnection(segment, replacing: existing) {
                if existing.isOpen {
                    sink.receive(.anomaly(ReassemblyAnomaly(
                        connection: existing.id, direction: nil, code: .portReuseWhileOpen,
                        detail: "a new SYN from \(segment.source) reuses the 4-tuple", capture: capture)))
                    closeAndRelease(existing, .reused, capture: capture, sink: &sink)
                }
                connection = open(segment, key: key, capture: capture, sink: &sink)
            } else {
                connection = existing
            }
        } else {
            connection = open(segment, key: key, capture: capture, sink: &sink)
        }
        recent = (key, connection)
        let before = connection.bufferedBytes
        connection.process(segment, capture: capture, sink: &sink)
        enforceConnectionLimits(connection, capture: capture, sink: &sink)
        totalBuffered += connection.bufferedBytes - before
        if totalBuffered > limits.maxBufferedBytesTotal {
            relieveMemory(capture: capture, sink: &sink)
        }
    }

    /// The capture ended: every open connection is flushed and closed as `eof`, in
    /// connection order.
    public mutating func finish<Sink: StreamSignalSink>(into sink: inout Sink) {
        for connection in table.values.sorted(by: { $0.id < $1.id }) where connection.isOpen {
            connection.close(.eof, sink: &sink)
        }
        table.removeAll()
        recent = nil
        totalBuffered = 0
    }

    /// Closes connections idle longer than the limit and forgets closed ones after their
    /// linger time. Called as capture time advances; callers may also call it directly.
    public mutating func expire<Sink: StreamSignalSink>(now: Timestamp, into sink: inout Sink) {
        lastSweep = now
        recent = nil
        var expired: [TCPConnection] = []
        var forgotten: [FlowKey] = []
        for (key, connection) in table {
            let idle = now.nanoseconds(since: connection.lastSeen)
            if connection.isOpen {
                if idle > limits.idleTimeoutNanoseconds { expired.append(connection) }
            } else if idle > limits.closedLingerNanoseconds {
                forgotten.append(key)
            }
        }
        for key in forgotten { table[key] = nil }
        for connection in expired.sorted(by: { $0.id < $1.id }) {
            closeAndRelease(connection, .idle, capture: nil, sink: &sink)
            table[connection.key] = nil
        }
    }

    // MARK: Internals

    private mutating func sweepIfDue<Sink: StreamSignalSink>(now: Timestamp, sink: inout Sink) {
        guard let last = lastSweep else {
            lastSweep = now
            return
        }
        if now.nanoseconds(since: last) >= Self.sweepIntervalNanoseconds {
            expire(now: now, into: &sink)
        }
    }

    /// A SYN (without ACK) starts a new connection on a closed 4-tuple, or on an open one
    /// when its ISN differs from the client's (a SYN retransmission keeps the connection).
    private func startsNewConnection(_ segment: TCPSegment, replacing existing: TCPConnection) -> Bool {
        guard segment.flags.contains(.syn), !segment.flags.contains(.ack) else { return false }
        if !existing.isOpen { return true }
        guard existing.client == segment.source, let isn = existing.clientInitialSequence else {
            // The old connection never showed a client SYN from this side: a SYN now means
            // the 4-tuple was reused (or the roles were guessed wrong mid-stream).
            return true
        }
        return isn != segment.sequence
    }

    private mutating func open<Sink: StreamSignalSink>(_ segment: TCPSegment, key: FlowKey, capture: CaptureInfo, sink: inout Sink) -> TCPConnection {
        if table.count >= limits.maxConnections {
            evict(capture: capture, sink: &sink)
        }
        let (client, server, evidence) = Self.roles(of: segment)
        let connection = TCPConnection(id: nextID, key: key, client: client, server: server, roleEvidence: evidence,
                                       capture: capture, limits: limits)
        nextID += 1
        table[key] = connection
        sink.receive(.opened(ConnectionOpening(connection: connection.id, client: client, server: server,
                                               roleEvidence: evidence, capture: capture)))
        return connection
    }

    static func roles(of segment: TCPSegment) -> (client: Endpoint, server: Endpoint, evidence: RoleEvidence) {
        let source = segment.source, destination = segment.destination
        if segment.flags.contains(.syn) {
            return segment.flags.contains(.ack) ? (destination, source, .synAck) : (source, destination, .syn)
        }
        let sourceWellKnown = source.port < 1024, destinationWellKnown = destination.port < 1024
        if destinationWellKnown != sourceWellKnown {
            return destinationWellKnown ? (source, destination, .portHeuristic) : (destination, source, .portHeuristic)
        }
        let sourceEphemeral = source.port >= 32768, destinationEphemeral = destination.port >= 32768
        if sourceEphemeral != destinationEphemeral {
            return sourceEphemeral ? (source, destination, .portHeuristic) : (destination, source, .portHeuristic)
        }
        return (source, destination, .firstPacket)
    }

    private mutating func closeAndRelease<Sink: StreamSignalSink>(_ connection: TCPConnection, _ reason: CloseReason, capture: CaptureInfo?, sink: inout Sink) {
        totalBuffered -= connection.bufferedBytes
        connection.close(reason, capture: capture, sink: &sink)
    }

    private mutating func enforceConnectionLimits<Sink: StreamSignalSink>(_ connection: TCPConnection, capture: CaptureInfo, sink: inout Sink) {
        guard connection.isOpen, connection.hasPending else { return }   // the in-order path holds nothing
        for direction in Direction.allCases where connection.pendingSegmentCount(direction) > limits.maxPendingSegmentsPerDirection {
            sink.receive(.anomaly(ReassemblyAnomaly(
                connection: connection.id, direction: direction, code: .segmentLimit,
                detail: "more than \(limits.maxPendingSegmentsPerDirection) out-of-order segments waiting", capture: capture)))
            while connection.pendingSegmentCount(direction) > limits.maxPendingSegmentsPerDirection {
                connection.skipFirstHole(direction, reason: .segmentLimit, capture: capture, sink: &sink)
            }
        }
        if connection.bufferedBytes > limits.maxBufferedBytesPerConnection {
            if !connection.reportedBufferLimit {
                connection.reportedBufferLimit = true
                sink.receive(.anomaly(ReassemblyAnomaly(
                    connection: connection.id, direction: nil, code: .bufferLimit,
                    detail: "more than \(limits.maxBufferedBytesPerConnection) bytes waiting behind a hole", capture: capture)))
            }
            while connection.bufferedBytes > limits.maxBufferedBytesPerConnection {
                connection.relieveBuffer(reason: .bufferLimit, capture: capture, sink: &sink)
            }
        }
    }

    /// Flushes the connections holding the most buffered bytes until under the total limit.
    private mutating func relieveMemory<Sink: StreamSignalSink>(capture: CaptureInfo, sink: inout Sink) {
        while totalBuffered > limits.maxBufferedBytesTotal,
              let largest = table.values.max(by: { ($0.bufferedBytes, $1.id) < ($1.bufferedBytes, $0.id) }), largest.bufferedBytes > 0 {
            sink.receive(.anomaly(ReassemblyAnomaly(
                connection: largest.id, direction: nil, code: .memoryLimit,
                detail: "reassembly holds more than \(limits.maxBufferedBytesTotal) bytes in total; flushing this connection's \(largest.bufferedBytes)",
                capture: capture)))
            let before = largest.bufferedBytes
            largest.flushBuffers(reason: .memoryLimit, capture: capture, sink: &sink)
            totalBuffered -= before - largest.bufferedBytes
        }
    }

    /// Makes room for a new connection: forgets closed entries first, then evicts the
    /// least recently active open ones (a batch, so a flood does not rescan per packet).
    private mutating func evict<Sink: StreamSignalSink>(capture: CaptureInfo, sink: inout Sink) {
        recent = nil
        let closedKeys = table.filter { !$0.value.isOpen }.map(\.key)
        for key in closedKeys { table[key] = nil }
        guard table.count >= limits.maxConnections else { return }
        let batch = max(1, limits.maxConnections / 100)
        let victims = table.values.sorted { ($0.lastSeen, $0.id) < ($1.lastSeen, $1.id) }.prefix(batch)
        for victim in victims {
            sink.receive(.anomaly(ReassemblyAnomaly(
                connection: victim.id, direction: nil, code: .connectionLimit,
                detail: "more than \(limits.maxConnections) connections tracked; evicting the least recently active",
                capture: capture)))
            closeAndRelease(victim, .evicted, capture: capture, sink: &sink)
            table[victim.key] = nil
        }
    }
}
