/// Turns reassembly signals into timeline events: one `ConnectionAnalysis` per connection,
/// every event handed to the output as soon as it exists.
package struct TimelineAnalyzer: StreamSignalSink {
    package let output: any TimelineEventSink
    /// Registry, limits and key log, shared by every connection's analysis.
    private let settings: ConnectionAnalysis.Settings
    /// Ports whose connections are dissected as a protocol from their first byte.
    private let decodeAs: [UInt16: ProtocolID]
    private var connections: [ConnectionID: ConnectionAnalysis] = [:]
    /// The previous chunk's connection: chunks come in runs per connection.
    /// Unretained (`connections` holds it; it is cleared with its entry): a strong
    /// reference cost two retains and a release per data signal.
    private var recent = RecentEntry<ConnectionID, ConnectionAnalysis>()
    private var buffer: EventBuffer

    /// `redact`: secrets are replaced before `output` (and whatever it feeds) sees them.
    package init(
        output: any TimelineEventSink, registry: DissectorRegistry = .standard, limits: HTTP1Limits = HTTP1Limits(),
        decodeAs: [UInt16: ProtocolID] = [:], keyLog: TLSKeyLog? = nil, redact: Bool = false,
        linksEngineIOSessions: Bool = false
    ) {
        let redacted = redact ? RedactingEventSink(output) : output
        // Engine.IO sessions span connections (polling, then a WebSocket): linked here, where
        // every connection's events pass, before redaction sees what the linking adds. Only
        // when asked: a run split between workers could not, and every run must print alike.
        let output: any TimelineEventSink =
            linksEngineIOSessions ? EngineIOSessionLinkingSink(redacted) : redacted
        self.output = output
        settings = ConnectionAnalysis.Settings(registry: registry, limits: limits, keyLog: keyLog)
        self.decodeAs = decodeAs
        buffer = EventBuffer(connection: 0, deliveringTo: output)
    }

    package mutating func receive(_ signal: StreamSignal) {
        switch signal {
        case .opened(let opening):
            // Made now only when a port is decoded as a protocol; otherwise with the
            // connection's first bytes (a flood of silent connections holds none).
            let forced = decodeAs[opening.server.port] ?? decodeAs[opening.client.port]
            let interpreter = settings.registry.interpreters.forced(
                clientPort: opening.client.port, serverPort: opening.server.port)
            if forced != nil || interpreter != nil {
                connections[opening.connection] = ConnectionAnalysis(
                    id: opening.connection, settings: settings, decodeAs: forced,
                    startSeen: opening.startSeen, interpreter: interpreter)
            } else if !opening.startSeen {
                let made = ConnectionAnalysis(id: opening.connection, settings: settings)
                made.serverPort = opening.server.port
                made.startSeen = false
                connections[opening.connection] = made
            }
            buffer.connection = opening.connection
            buffer.add(.connectionOpened(opening), capture: opening.capture)
        case .data(let chunk):
            let connection: Unmanaged<ConnectionAnalysis>
            if let known = recent.object(for: chunk.connection) {
                connection = known
            } else {
                connection = Unmanaged.passUnretained(analysis(chunk.connection))
                recent.remember(chunk.connection, connection)
            }
            buffer.connection = chunk.connection
            connection._withUnsafeGuaranteedRef {
                $0.receive(
                    chunk.bytes, direction: chunk.direction, offset: chunk.offset, capture: chunk.capture,
                    events: &buffer)
            }
        case .gap(let gap):
            let connection = analysis(gap.connection)
            buffer.connection = gap.connection
            connection.gap(
                direction: gap.direction, offset: gap.offset, length: gap.length, reason: gap.reason,
                capture: gap.capture, events: &buffer)
        case .anomaly(let anomaly):
            buffer.connection = anomaly.connection
            buffer.add(Finding(anomaly: anomaly), capture: anomaly.capture, direction: anomaly.direction)
        case .closed(let summary):
            buffer.connection = summary.connection
            // A connection that never carried a byte has no analysis and nothing to finish.
            var closed = summary
            if let analysis = connections[summary.connection] {
                // The state before finishing, which ends what is in flight.
                if summary.reason == .captureEnded { closed.openState = analysis.openState }
                analysis.finish(capture: summary.capture, reason: summary.reason, events: &buffer)
            } else if summary.reason == .captureEnded {
                closed.openState = OpenConnectionState(protocolName: "silent")
            }
            connections[summary.connection] = nil
            recent.forget(summary.connection)
            buffer.add(.connectionClosed(closed), capture: summary.capture)
        }
    }

    /// The connection's analysis, made with its first data or gap. Reassembly delivers
    /// nothing for a connection before its opening or after its close.
    private mutating func analysis(_ id: ConnectionID) -> ConnectionAnalysis {
        if let found = connections[id] { return found }
        let made = ConnectionAnalysis(id: id, settings: settings)
        connections[id] = made
        return made
    }
}
