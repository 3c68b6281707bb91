/// Receives timeline events: a printer, the audit, a test.
package protocol TimelineEventSink: AnyObject {
    func receive(_ event: TimelineEvent)
    /// Whether per-frame events are wanted (false lets dissectors skip them).
    var wantsFrameEvents: Bool { get }
}

extension TimelineEventSink {
    package var wantsFrameEvents: Bool { true }
}

/// Turns reassembly signals into timeline events: one `ConnectionAnalysis` per connection,
/// every event handed to the output as soon as it exists.
package struct TimelineAnalyzer: StreamSignalSink {
    package let output: any TimelineEventSink
    /// Registry, limits and key log, shared by every connection's analysis.
    private let settings: ConnectionAnalysis.Settings
    /// Ports whose connections are dissected as a protocol from their first byte.
    private let decodeAs: [UInt16: DecodeAsProtocol]
    private var connections: [ConnectionID: ConnectionAnalysis] = [:]
    /// The previous chunk's connection: chunks come in runs per connection.
    /// Unretained (`connections` holds it; it is cleared with its entry): a strong
    /// reference cost two retains and a release per data signal.
    private var recent: (id: ConnectionID, analysis: Unmanaged<ConnectionAnalysis>)?
    private var buffer: EventBuffer

    /// `redact`: secrets are replaced before `output` (and whatever it feeds) sees them.
    package init(
        output: any TimelineEventSink, registry: DissectorRegistry = .standard, limits: HTTP1Limits = HTTP1Limits(),
        decodeAs: [UInt16: DecodeAsProtocol] = [:], keyLog: TLSKeyLog? = nil, redact: Bool = false
    ) {
        let output = redact ? RedactingEventSink(output) : output
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
            if let forced = decodeAs[opening.server.port] ?? decodeAs[opening.client.port] {
                connections[opening.connection] = ConnectionAnalysis(
                    id: opening.connection, settings: settings, decodeAs: forced,
                    startSeen: opening.startSeen)
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
            if let recent, recent.id == chunk.connection {
                connection = recent.analysis
            } else {
                connection = Unmanaged.passUnretained(analysis(chunk.connection))
                recent = (chunk.connection, connection)
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
            if recent?.id == summary.connection { recent = nil }
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
