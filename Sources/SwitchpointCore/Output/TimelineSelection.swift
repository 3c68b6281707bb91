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
    /// With `protocolName` `.selectedProtocol`: the registered protocol without a trait of
    /// its own whose upgrades select a connection.
    package var selectedProtocol: ProtocolID?
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
        case .connectionOpened, .connectionClosed, .gap, .httpRequest, .httpResponse, .httpBody, .upgrade, .finding,
            .rawData, .tlsClientHello, .tlsServerHello, .tlsHelloRetry, .tlsSession, .tlsEncrypted, .wsFrame,
            .wsMessage, .wsControl, .wsClose, .wsClosing, .h2Settings, .h2GoAway, .h2Ping, .app:
            return nil
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
        if event.tag == .upgrade, let selectedProtocol, case .upgrade(let upgrade) = event.kind,
            selectedProtocol.matches(token: upgrade.protocolName)
        {
            traits.insert(.selectedProtocol)
        }
        return traits
    }

    /// Selects connections by `name`: a protocol of the standard registry, or a WebSocket
    /// message interpreter of `interpreters`; false when the name is neither.
    package mutating func selectProtocol(named name: String, interpreters: WebSocketInterpreterSet) -> Bool {
        selectProtocol(named: name, protocols: DissectorRegistry.standard, interpreters: interpreters)
    }

    /// Selects connections by `name`: a protocol `registry` declares selectable, or one
    /// of its WebSocket message interpreters; false when the name is neither.
    package mutating func selectProtocol(named name: String, registry: DissectorRegistry) -> Bool {
        selectProtocol(named: name, protocols: registry, interpreters: registry.interpreters)
    }

    private mutating func selectProtocol(
        named name: String, protocols: DissectorRegistry, interpreters: WebSocketInterpreterSet
    ) -> Bool {
        let key = name.lowercasedASCII
        if let found = protocols.selectableProtocol(named: key) {
            // A protocol without a bit of its own is known by its upgrade.
            protocolName = found.traits.isEmpty ? .selectedProtocol : found.traits
            selectedProtocol = found.traits.isEmpty ? found : nil
            return true
        }
        guard let factory = interpreters.factory(named: key) else { return false }
        protocolName = .selectedApplication
        applicationProtocol = factory.name.lowercasedASCII
        return true
    }

    /// `--protocol` values: the registry's protocols, then its interpreters.
    package static func protocolNames(in registry: DissectorRegistry) -> [String] {
        registry.selectionNames + registry.interpreters.names
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
}
