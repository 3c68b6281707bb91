/// Turns TCP segments (in capture order) into per-connection, per-direction byte streams.
///
/// Connections are keyed by the 4-tuple; a SYN on a closed 4-tuple starts a new one.
/// Client and server come from SYN / SYN-ACK; without a handshake, a port below 1024 (or
/// the only port outside the ephemeral range 32768+) marks the server, and failing that
/// the first packet's sender is taken as the client (`RoleEvidence`).
///
/// All time-based decisions (idle expiry) use capture timestamps, never the wall clock.
///
/// Cost model: every packet is amortized O(1) in the number of connections (O(log n) for
/// an out-of-order packet, which updates the relief heap). Open and closed connections sit
/// in two recency lists (least recently active first), so eviction, idle expiry and the
/// forgetting of closed entries take from the front; memory relief pops the largest holder
/// from a heap. Nothing sorts or scans the table per packet.
package struct TCPReassembler {
    package let limits: ReassemblyLimits
    private var table: [FlowKey: TCPConnection] = [:]
    /// Open connections, least recently active first.
    private var openByActivity = RecencyList<TCPConnection>()
    /// Closed connections lingering to absorb late packets, least recently active first.
    private var closedByActivity = RecencyList<TCPConnection>()
    private var relief = ReliefQueue()
    private var nextID: ConnectionID = 1
    private var totalBuffered = 0
    private var lastSweep: Timestamp?
    /// The connection of the previous packet (bulk transfers send runs of packets on one
    /// connection). Cleared whenever the table changes.
    private var recent = RecentEntry<FlowKey, TCPConnection>()
    /// Capture time between idle sweeps.
    package static let sweepIntervalNanoseconds: Int64 = 1_000_000_000

    package init(limits: ReassemblyLimits = ReassemblyLimits()) {
        self.limits = limits
    }

    /// Connections currently tracked, open or lingering after their close.
    package var trackedConnections: Int { table.count }
    package var bufferedBytes: Int { totalBuffered }
    /// Entries in the memory-relief heap (live and stale), for the cost tests.
    var reliefQueueEntries: Int { relief.entryCount }
    /// Overlap-check ring bytes held by every tracked connection (a walk of the table, for
    /// the memory tests only).
    var overlapHistoryBytes: Int { table.values.reduce(0) { $0 + $1.overlapHistoryBytes } }
    /// Connections examined by eviction, idle expiry and memory relief so far: the cost
    /// tests check it grows with the work done, not with the table size.
    private(set) var connectionsExamined = 0

    package mutating func ingest<Sink: StreamSignalSink>(
        _ segment: TCPSegment, capture: CaptureInfo, into sink: inout Sink
    ) {
        sweepIfDue(now: capture.timestamp, sink: &sink)
        let key = FlowKey(segment.source, segment.destination)
        let connection: Unmanaged<TCPConnection>
        if let known = recent.object(for: key), !segment.flags.contains(.syn) {
            connection = known
        } else {
            connection = Unmanaged.passUnretained(lookUpOrOpen(segment, key: key, capture: capture, sink: &sink))
        }
        recent.remember(key, connection)
        // Borrowed for the rest: the table holds the connection and nothing below forgets it
        // (a strong reference cost two retains and releases per packet).
        connection._withUnsafeGuaranteedRef { connection in
            let before = connection.bufferedBytes
            connection.process(segment, capture: capture, sink: &sink)
            enforceConnectionLimits(connection, capture: capture, sink: &sink)
            totalBuffered += connection.bufferedBytes - before
            noteActivity(connection)
            relief.update(connection)
        }
        if totalBuffered > limits.maxBufferedBytesTotal {
            relieveMemory(capture: capture, sink: &sink)
        }
    }

    /// The table's connection for `key`, or a new one (a SYN on a closed 4-tuple, or one
    /// that reuses an open one, which is closed first).
    private mutating func lookUpOrOpen<Sink: StreamSignalSink>(
        _ segment: TCPSegment, key: FlowKey, capture: CaptureInfo, sink: inout Sink
    ) -> TCPConnection {
        guard let existing = table[key] else { return open(segment, key: key, capture: capture, sink: &sink) }
        guard startsNewConnection(segment, replacing: existing) else { return existing }
        if existing.isOpen {
            sink.receive(
                .anomaly(
                    ReassemblyAnomaly(
                        connection: existing.id, direction: nil, code: .portReuseWhileOpen,
                        detail: "a new SYN from \(segment.source) reuses the 4-tuple", capture: capture)))
            closeAndRelease(existing, .reused, capture: capture, sink: &sink)
        }
        return open(segment, key: key, capture: capture, sink: &sink)
    }

    /// The capture ended: every open connection is flushed and closed as `capture-ended`, in
    /// connection order.
    package mutating func finish<Sink: StreamSignalSink>(into sink: inout Sink) {
        for connection in table.values.sorted(by: { $0.id < $1.id }) where connection.isOpen {
            connection.close(.captureEnded, sink: &sink)
        }
        table.removeAll()
        openByActivity.removeAll()
        closedByActivity.removeAll()
        relief.removeAll()
        recent.forget()
        totalBuffered = 0
    }

    /// Closes connections idle longer than the limit and forgets closed ones after their
    /// linger time. Called as capture time advances; callers may also call it directly.
    ///
    /// Both lists are walked from their least recently active end and the walk stops at
    /// the first entry still within its time, so a sweep costs what it removes. (Capture
    /// timestamps that go backwards can leave an idle connection behind a fresher one until
    /// that one expires too; nothing is lost, it closes a little later.)
    package mutating func expire<Sink: StreamSignalSink>(now: Timestamp, into sink: inout Sink) {
        lastSweep = now
        recent.forget()
        while let oldest = closedByActivity.first,
            now.nanoseconds(since: oldest.lastSeen) > limits.closedLingerNanoseconds
        {
            connectionsExamined += 1
            forget(oldest)
        }
        var expired: [TCPConnection] = []
        while let oldest = openByActivity.first, now.nanoseconds(since: oldest.lastSeen) > limits.idleTimeoutNanoseconds
        {
            connectionsExamined += 1
            openByActivity.remove(oldest.recencyHandle)
            oldest.recencyHandle = -1
            expired.append(oldest)
        }
        // Closed in connection order, as a whole-table sweep would report them.
        for connection in expired.sorted(by: { $0.id < $1.id }) {
            closeAndRelease(connection, .idle, capture: nil, sink: &sink)
            forget(connection)
        }
    }

    /// Capture time advanced by a packet this run does not analyse (another shard's): idle
    /// expiry then happens at the same packet as in one run over everything.
    package mutating func advanceClock<Sink: StreamSignalSink>(to now: Timestamp, into sink: inout Sink) {
        sweepIfDue(now: now, sink: &sink)
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

    private mutating func open<Sink: StreamSignalSink>(
        _ segment: TCPSegment, key: FlowKey, capture: CaptureInfo, sink: inout Sink
    ) -> TCPConnection {
        if table.count >= limits.maxConnections {
            evict(capture: capture, sink: &sink)
        }
        let (client, server, evidence) = Self.roles(of: segment)
        let connection = TCPConnection(
            id: nextID, client: client, server: server, roleEvidence: evidence,
            capture: capture, limits: limits)
        nextID += 1
        if let replaced = table[key] { unlist(replaced) }
        table[key] = connection
        connection.recencyHandle = openByActivity.append(connection)
        sink.receive(
            .opened(
                ConnectionOpening(
                    connection: connection.id, client: client, server: server,
                    roleEvidence: evidence, capture: capture)))
        return connection
    }

    static func roles(of segment: TCPSegment) -> (client: Endpoint, server: Endpoint, evidence: RoleEvidence) {
        let source = segment.source
        let destination = segment.destination
        if segment.flags.contains(.syn) {
            return segment.flags.contains(.ack) ? (destination, source, .synAck) : (source, destination, .syn)
        }
        let sourceWellKnown = source.port < 1024
        let destinationWellKnown = destination.port < 1024
        if destinationWellKnown != sourceWellKnown {
            return destinationWellKnown ? (source, destination, .portHeuristic) : (destination, source, .portHeuristic)
        }
        let sourceEphemeral = source.port >= 32768
        let destinationEphemeral = destination.port >= 32768
        if sourceEphemeral != destinationEphemeral {
            return sourceEphemeral ? (source, destination, .portHeuristic) : (destination, source, .portHeuristic)
        }
        return (source, destination, .firstPacket)
    }

    private mutating func closeAndRelease<Sink: StreamSignalSink>(
        _ connection: TCPConnection, _ reason: CloseReason, capture: CaptureInfo?, sink: inout Sink
    ) {
        totalBuffered -= connection.bufferedBytes
        connection.close(reason, capture: capture, sink: &sink)
        relief.update(connection)
        noteActivity(connection)
    }

    /// Moves the connection to the back of its recency list, or from the open list to the
    /// closed one when it has just closed. O(1).
    private mutating func noteActivity(_ connection: TCPConnection) {
        if connection.isOpen {
            openByActivity.moveToBack(connection.recencyHandle)
        } else if !connection.listedAsClosed {
            if connection.recencyHandle >= 0 { openByActivity.remove(connection.recencyHandle) }
            connection.listedAsClosed = true
            connection.recencyHandle = closedByActivity.append(connection)
        } else {
            closedByActivity.moveToBack(connection.recencyHandle)
        }
    }

    /// Takes the connection out of whichever recency list holds it.
    private mutating func unlist(_ connection: TCPConnection) {
        guard connection.recencyHandle >= 0 else { return }
        if connection.listedAsClosed {
            closedByActivity.remove(connection.recencyHandle)
        } else {
            openByActivity.remove(connection.recencyHandle)
        }
        connection.recencyHandle = -1
    }

    /// Drops a closed connection's lingering entry.
    private mutating func forget(_ connection: TCPConnection) {
        unlist(connection)
        recent.forget(ifHolding: connection)
        if table[connection.key] === connection { table[connection.key] = nil }
    }

    private mutating func enforceConnectionLimits<Sink: StreamSignalSink>(
        _ connection: TCPConnection, capture: CaptureInfo, sink: inout Sink
    ) {
        guard connection.isOpen, connection.hasPending else { return }  // the in-order path holds nothing
        for direction in Direction.allCases
        where connection.pendingSegmentCount(direction) > limits.maxPendingSegmentsPerDirection {
            connection.report(
                .segmentLimit, direction: direction,
                detail: "more than \(limits.maxPendingSegmentsPerDirection) out-of-order segments waiting",
                capture: capture, sink: &sink)
            while connection.pendingSegmentCount(direction) > limits.maxPendingSegmentsPerDirection {
                connection.skipFirstHole(direction, reason: .segmentLimit, capture: capture, sink: &sink)
            }
        }
        if connection.bufferedBytes > limits.maxBufferedBytesPerConnection {
            connection.report(
                .bufferLimit, direction: nil,
                detail: "more than \(limits.maxBufferedBytesPerConnection) bytes waiting behind a hole",
                capture: capture, sink: &sink)
            while connection.bufferedBytes > limits.maxBufferedBytesPerConnection {
                connection.relieveBuffer(reason: .bufferLimit, capture: capture, sink: &sink)
            }
        }
    }

    /// Flushes the connections holding the most buffered bytes until under the total limit
    /// (each pop O(log n), each flushed connection leaves the heap).
    private mutating func relieveMemory<Sink: StreamSignalSink>(capture: CaptureInfo, sink: inout Sink) {
        while totalBuffered > limits.maxBufferedBytesTotal, let largest = relief.popLargest() {
            connectionsExamined += 1
            let before = largest.bufferedBytes
            largest.report(
                .memoryLimit, direction: nil,
                detail:
                    "reassembly holds more than \(limits.maxBufferedBytesTotal) bytes in total; flushing this connection's \(before)",
                capture: capture, sink: &sink)
            largest.flushBuffers(reason: .memoryLimit, capture: capture, sink: &sink)
            totalBuffered -= before - largest.bufferedBytes
            relief.update(largest)
        }
    }

    /// Makes room for a new connection: forgets the oldest closed entry first, else evicts
    /// the least recently active open connection. O(1): both come from a list's front.
    private mutating func evict<Sink: StreamSignalSink>(capture: CaptureInfo, sink: inout Sink) {
        recent.forget()
        while table.count >= limits.maxConnections, let oldest = closedByActivity.first {
            connectionsExamined += 1
            forget(oldest)
        }
        while table.count >= limits.maxConnections, let victim = openByActivity.first {
            connectionsExamined += 1
            victim.report(
                .connectionLimit, direction: nil,
                detail: "more than \(limits.maxConnections) connections tracked; evicting the least recently active",
                capture: capture, sink: &sink)
            closeAndRelease(victim, .evicted, capture: capture, sink: &sink)
            forget(victim)
        }
    }
}
