/// Which events the timeline shows: `--conn`, `--stream`, `--protocol`, `--severity`,
/// `--follow`. Connection and stream numbers are checked per event; protocol and severity
/// are properties of a whole connection, judged on its block (`ConnectionTraits`) when the
/// text timeline prints it.
package struct TimelineSelection: Sendable {
    /// Only these connections (empty: all).
    package var connections: Set<ConnectionID> = []
    /// Only this HTTP/2 stream's events (and the connection-wide ones without a stream).
    package var stream: UInt32?
    /// Only connections that carried this protocol.
    package var protocolName: ConnectionTraits?
    /// With `protocolName` `.selectedApplication`: the interpreter's name (`jsonrpc`,
    /// `graphql-ws`, …) whose events select a connection.
    package var applicationProtocol: String?
    /// Only connections with a finding at or above this severity.
    package var severity: Severity?

    package init() {}

    /// Nothing is filtered out.
    package var isEmpty: Bool { connections.isEmpty && stream == nil && protocolName == nil && severity == nil }

    /// Whether a selection by protocol or severity is asked (judged per connection block).
    package var judgesBlocks: Bool { protocolName != nil || severity != nil }

    /// The per-event test (connection and stream numbers).
    @inline(__always)
    package func admits(_ event: TimelineEvent) -> Bool {
        if !connections.isEmpty && !connections.contains(event.connection) { return false }
        guard let stream else { return true }
        return (Self.stream(of: event) ?? stream) == stream
    }

    /// The HTTP/2 stream an event is about; nil for the connection's own (stream 0).
    static func stream(of event: TimelineEvent) -> UInt32? {
        if let stream = event.stream { return stream }
        switch event.kind {
        case .h2Frame(let frame): return frame.stream == 0 ? nil : frame.stream
        case .h2Headers(let block): return block.stream
        case .h2Reset(let stream, _): return stream
        case .h2Stream(let summary): return summary.stream
        default: return nil
        }
    }

    /// What one event says about its connection, for this selection: an application
    /// event of the selected application protocol counts as `.selectedApplication`.
    @inline(__always)
    package func traits(shownBy event: TimelineEvent) -> ConnectionTraits {
        var traits = ConnectionTraits(shownBy: event)
        if event.tag == .app, let applicationProtocol, case .app(let app) = event.kind,
            app.protocolName.lowercasedASCII == applicationProtocol
        {
            traits.insert(.selectedApplication)
        }
        return traits
    }

    /// Selects connections by `name`: a built-in protocol, or a WebSocket message
    /// interpreter of `interpreters`; false when the name is neither.
    package mutating func selectProtocol(named name: String, interpreters: WebSocketInterpreterSet) -> Bool {
        let key = name.lowercasedASCII
        if let found = Self.protocolNames.first(where: { $0.name == key }) {
            protocolName = found.traits
            return true
        }
        guard let factory = interpreters.factory(named: key) else { return false }
        protocolName = .selectedApplication
        applicationProtocol = factory.name.lowercasedASCII
        return true
    }

    /// The per-connection test, on what its events showed.
    package func admits(_ traits: ConnectionTraits) -> Bool {
        if let protocolName, traits.isDisjoint(with: protocolName) { return false }
        switch severity {
        case .error?: return traits.contains(.errorFinding)
        case .warn?: return !traits.isDisjoint(with: [.warnFinding, .errorFinding])
        case .info?, nil: return true
        }
    }

    /// `--protocol` values.
    package static let protocolNames: [(name: String, traits: ConnectionTraits)] = [
        ("websocket", .websocket), ("http2", .http2), ("http1", .http1), ("tls", .tls), ("raw", .raw),
    ]
}

/// What a connection's events showed so far: the protocols it carried and its worst
/// finding. Bits, so the printer can record them per event without allocating.
package struct ConnectionTraits: OptionSet, Sendable, Hashable {
    package let rawValue: UInt8
    package init(rawValue: UInt8) { self.rawValue = rawValue }

    package static let http1 = ConnectionTraits(rawValue: 1 << 0)
    package static let websocket = ConnectionTraits(rawValue: 1 << 1)
    package static let http2 = ConnectionTraits(rawValue: 1 << 2)
    package static let tls = ConnectionTraits(rawValue: 1 << 3)
    package static let raw = ConnectionTraits(rawValue: 1 << 4)
    package static let warnFinding = ConnectionTraits(rawValue: 1 << 5)
    package static let errorFinding = ConnectionTraits(rawValue: 1 << 6)
    /// An application event of the protocol `--protocol` named (`TimelineSelection.traits`).
    package static let selectedApplication = ConnectionTraits(rawValue: 1 << 7)

    /// What one event says about its connection.
    package init(shownBy event: TimelineEvent) {
        switch event.tag {
        case .httpRequest, .httpResponse, .httpBody: self = .http1
        case .wsFrame, .wsMessage, .wsControl, .wsClose, .wsClosing: self = .websocket
        case .h2Frame, .h2Settings, .h2Headers, .h2Reset, .h2GoAway, .h2Ping, .h2Stream: self = .http2
        case .tlsClientHello, .tlsServerHello, .tlsHelloRetry, .tlsSession, .tlsEncrypted: self = .tls
        case .rawData: self = .raw
        case .upgrade:
            guard case .upgrade(let upgrade) = event.kind else {
                self = []
                return
            }
            switch upgrade.protocolName.lowercased() {
            case "websocket": self = .websocket
            case "h2c", "h2": self = .http2
            default: self = .raw
            }
        case .finding:
            guard case .finding(let finding) = event.kind else {
                self = []
                return
            }
            switch finding.severity {
            case .error: self = .errorFinding
            case .warn: self = .warnFinding
            case .info: self = []
            }
        case .app: self = .websocket
        case .connectionOpened, .connectionClosed, .gap: self = []
        }
    }
}
