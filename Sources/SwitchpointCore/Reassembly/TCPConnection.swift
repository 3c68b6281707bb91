/// One TCP connection: its endpoints and roles, both directions, and how it ended.
final class TCPConnection {
    enum State: Equatable {
        case open
        case closed(CloseReason)
    }

    // Stored properties are laid out in declaration order: the one-byte ones sit together
    // after the endpoints' padding, so a flood of connections pays no padding for them.
    let id: ConnectionID
    let client: Endpoint
    let server: Endpoint
    let roleEvidence: RoleEvidence
    private(set) var sawSYN = false
    private(set) var sawSYNACK = false
    private(set) var state: State = .open
    var listedAsClosed = false
    // Accessed once or more per packet: dynamic exclusivity checks on these two showed up
    // at ~8% of a profile, and every access is from this class's own methods, one at a time.
    @exclusivity(unchecked) private(set) var clientToServer: TCPDirectionStream
    @exclusivity(unchecked) private(set) var serverToClient: TCPDirectionStream
    let start: Timestamp
    private(set) var lastSeen: Timestamp
    private(set) var lastCapture: CaptureInfo
    /// Anomalies of the whole connection (no direction): each code reported once, then counted.
    private(set) var anomalies = AnomalyTally()
    /// The buffered count last given to the reassembler's relief queue.
    var reliefBytes = 0
    /// Where the connection sits in the reassembler's recency lists.
    var recencyHandle: RecencyList<TCPConnection>.Handle = -1

    init(
        id: ConnectionID, client: Endpoint, server: Endpoint, roleEvidence: RoleEvidence,
        capture: CaptureInfo, limits: ReassemblyLimits
    ) {
        self.id = id
        self.client = client
        self.server = server
        self.roleEvidence = roleEvidence
        clientToServer = TCPDirectionStream(overlapCheckWindow: limits.overlapCheckWindow)
        serverToClient = TCPDirectionStream(overlapCheckWindow: limits.overlapCheckWindow)
        start = capture.timestamp
        lastSeen = capture.timestamp
        lastCapture = capture
    }

    /// The table key, derived rather than stored (48 bytes per connection of a flood).
    var key: FlowKey { FlowKey(client, server) }

    var isOpen: Bool { state == .open }
    var bufferedBytes: Int { clientToServer.pendingBytes + serverToClient.pendingBytes }
    var hasPending: Bool { !clientToServer.pending.isEmpty || !serverToClient.pending.isEmpty }

    var handshake: HandshakeSeen {
        switch (sawSYN, sawSYNACK) {
        case (true, true): .complete
        case (true, false): .synOnly
        case (false, true): .synAckOnly
        case (false, false): .none
        }
    }

    /// The client's ISN when its SYN was seen (to tell a SYN retransmission from port reuse).
    var clientInitialSequence: UInt32? {
        clientToServer.synSeen ? clientToServer.initialSequence : nil
    }

    func direction(from source: Endpoint) -> Direction {
        source == client ? .clientToServer : .serverToClient
    }

    private func context(_ direction: Direction, _ capture: CaptureInfo) -> StreamContext {
        StreamContext(connection: id, direction: direction, capture: capture)
    }

    /// Runs `body` on one direction's stream in place.
    @inline(__always)
    private func withStream<Result>(_ direction: Direction, _ body: (inout TCPDirectionStream) -> Result) -> Result {
        switch direction {
        case .clientToServer: body(&clientToServer)
        case .serverToClient: body(&serverToClient)
        }
    }

    func process<Sink: StreamSignalSink>(_ segment: TCPSegment, capture: CaptureInfo, sink: inout Sink) {
        lastSeen = max(lastSeen, capture.timestamp)
        lastCapture = capture
        let direction = direction(from: segment.source)
        let flags = segment.flags
        guard isOpen else {
            // A late ACK or retransmission after the close: counted, nothing delivered.
            withStream(direction) { $0.stats.packets += 1 }
            if segment.payloadLength > 0 {
                // Counted after the close summary went out: reported once per connection.
                report(
                    .dataAfterClose, direction: nil,
                    detail: "\(segment.payloadLength) payload bytes after the connection closed",
                    capture: capture, sink: &sink)
            }
            return
        }
        let context = context(direction, capture)
        var dataSequence = segment.sequence
        if flags.contains(.syn) {
            if flags.contains(.ack) { sawSYNACK = true } else { sawSYN = true }
            withStream(direction) { $0.noteSYN(sequence: segment.sequence) }
            dataSequence = segment.sequence &+ 1
        }
        withStream(direction) { stream in
            stream.stats.packets += 1
            stream.stats.payloadBytes += UInt64(segment.payloadLength)
            if segment.payloadLength > 0 { stream.stats.lastPayloadAt = capture.timestamp }
            if flags.contains(.fin) || flags.contains(.rst), stream.stats.closingAt == nil {
                stream.stats.closingAt = capture.timestamp
            }
            stream.adoptBaseIfNeeded(sequence: dataSequence)
        }
        if flags.contains(.ack) {
            let peerContext = self.context(direction.reversed, capture)
            withStream(direction.reversed) {
                $0.noteAcknowledgment(segment.acknowledgment, context: peerContext, sink: &sink)
            }
        }
        if flags.contains(.rst) {
            withStream(direction) { $0.stats.rstSeen = true }
            close(.rst, capture: capture, sink: &sink)
            return
        }
        withStream(direction) { stream in
            let start = stream.offset(ofSequence: dataSequence)
            if segment.payloadLength > 0 {
                var length = segment.payloadLength
                if let fin = stream.finOffset, start + Int64(length) > Int64(fin) {
                    stream.report(
                        .dataAfterFIN, detail: "payload up to offset \(start + Int64(length)) after the FIN at \(fin)",
                        context: context, sink: &sink)
                    length = max(0, Int(Int64(fin) - start))
                }
                if length > 0 {
                    stream.accept(
                        start: start, payload: segment.payload.prefix(length), length: length, context: context,
                        sink: &sink)
                }
            }
            if flags.contains(.fin) {
                let finAt = start + Int64(segment.payloadLength)
                if finAt >= 0 {
                    if !stream.noteFIN(at: UInt64(finAt)) {
                        let earlier = stream.finOffset ?? 0
                        stream.report(
                            .finMoved, detail: "FIN at offset \(finAt), earlier FIN at \(earlier)",
                            context: context, sink: &sink)
                    }
                    stream.flush(reason: .closing, context: context, sink: &sink)
                }
            }
        }
        if clientToServer.finished && serverToClient.finished {
            close(.fin, capture: capture, sink: &sink)
        }
    }

    /// Reports a connection-level anomaly (`direction` nil) or one of a direction, once per
    /// code; later occurrences are counted for the close summary.
    func report<Sink: StreamSignalSink>(
        _ code: ReassemblyAnomalyCode, direction: Direction?, detail: @autoclosure () -> String,
        capture: CaptureInfo, sink: inout Sink
    ) {
        if let direction {
            let context = context(direction, capture)
            withStream(direction) { $0.report(code, detail: detail(), context: context, sink: &sink) }
            return
        }
        guard anomalies.note(code, direction: nil) else { return }
        sink.receive(
            .anomaly(ReassemblyAnomaly(connection: id, direction: nil, code: code, detail: detail(), capture: capture)))
    }

    /// Every anomaly counted so far: the connection's own, then each direction's.
    var anomalyCounts: [AnomalyCount] {
        var all = anomalies
        all.merge(clientToServer.anomalies)
        all.merge(serverToClient.anomalies)
        return all.counts
    }

    /// Skips the first hole of the direction holding more buffered bytes.
    func relieveBuffer<Sink: StreamSignalSink>(reason: GapReason, capture: CaptureInfo, sink: inout Sink) {
        let direction: Direction =
            clientToServer.pendingBytes >= serverToClient.pendingBytes ? .clientToServer : .serverToClient
        let context = context(direction, capture)
        withStream(direction) { $0.skipFirstHole(reason: reason, context: context, sink: &sink) }
    }

    var overlapHistoryBytes: Int { clientToServer.overlapHistoryBytes + serverToClient.overlapHistoryBytes }

    /// Skips every hole in both directions (memory pressure), and forgets the bytes just
    /// delivered from the overlap check (see `TCPDirectionStream.forgetDeliveredBytes`).
    func flushBuffers<Sink: StreamSignalSink>(reason: GapReason, capture: CaptureInfo, sink: inout Sink) {
        for direction in Direction.allCases {
            let context = context(direction, capture)
            withStream(direction) { stream in
                stream.skipHoles(before: .max, reason: reason, context: context, sink: &sink)
                stream.forgetDeliveredBytes()
            }
        }
    }

    func pendingSegmentCount(_ direction: Direction) -> Int {
        withStream(direction) { $0.pending.count }
    }

    func skipFirstHole<Sink: StreamSignalSink>(
        _ direction: Direction, reason: GapReason, capture: CaptureInfo, sink: inout Sink
    ) {
        let context = context(direction, capture)
        withStream(direction) { $0.skipFirstHole(reason: reason, context: context, sink: &sink) }
    }

    /// Ends the connection: flushes both directions and reports the summary.
    func close<Sink: StreamSignalSink>(_ reason: CloseReason, capture: CaptureInfo? = nil, sink: inout Sink) {
        guard isOpen else { return }
        let at = capture ?? lastCapture
        for direction in Direction.allCases {
            let context = context(direction, at)
            withStream(direction) { $0.flush(reason: .closing, context: context, sink: &sink) }
        }
        state = .closed(reason)
        sink.receive(.closed(summary(reason: reason, capture: at)))
        clientToServer.releaseMemory()
        serverToClient.releaseMemory()
    }

    func summary(reason: CloseReason, capture: CaptureInfo) -> ConnectionSummary {
        ConnectionSummary(
            connection: id, client: client, server: server, roleEvidence: roleEvidence, handshake: handshake,
            start: start, end: lastSeen, reason: reason,
            clientToServer: clientToServer.stats, serverToClient: serverToClient.stats, capture: capture,
            anomalyCounts: anomalyCounts)
    }
}
