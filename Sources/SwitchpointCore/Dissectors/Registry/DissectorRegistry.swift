/// Maps protocol tokens to `UpgradeHandler`s (after SwiftNIO's upgrader list): each
/// checks its handshake and makes its dissector. Keys are case-insensitive and
/// `name/version` matches by name; anything unknown gets the raw view.
package struct DissectorRegistry: Sendable {
    package typealias Factory = @Sendable (UpgradeContext) -> any UpgradedStreamDissector
    private var handlers: [String: any UpgradeHandler] = [:]
    /// Every handler's `handshakeOnlyHeaders`, in the order the handlers were registered.
    private(set) var handshakeOnlyHeaders: [String] = []
    /// A 2xx to CONNECT: the tunnel's own protocol is detected afresh.
    var connectTunnel: any UpgradeHandler = ConnectUpgradeHandler()
    /// How much of HTTP bodies the HTTP/1 sessions and HTTP/2 dissectors keep.
    package var bodies = HTTPBodyOptions()
    /// What reads the messages inside WebSockets (Socket.IO, GraphQL, JSON-RPC, …).
    package var interpreters = WebSocketInterpreterSet()

    /// Every upgrade shown raw. WebSocket handshakes are still checked: what the 101
    /// promised is an HTTP/1 matter, whatever shows the bytes after it.
    package init() {
        register(WebSocketUpgradeHandler(options: nil))
    }

    package mutating func register(_ handler: any UpgradeHandler) {
        for name in handler.protocolNames { handlers[Self.key(name)] = handler }
        for header in handler.handshakeOnlyHeaders where !handshakeOnlyHeaders.contains(header) {
            handshakeOnlyHeaders.append(header)
        }
    }

    /// A dissector without a handshake check of its own.
    package mutating func register(_ protocolName: String, factory: @escaping Factory) {
        register(FactoryUpgradeHandler(protocolNames: [protocolName], factory: factory))
    }

    /// A WebSocket message interpreter, chosen by subprotocol, target or content (and by
    /// name with `--decode-ws-as`).
    package mutating func register(_ factory: any WebSocketInterpreterFactory) {
        interpreters.register(factory)
    }

    package func isRegistered(_ protocolName: String) -> Bool {
        handlers[Self.key(protocolName)] != nil
    }

    /// The handler for a protocol token; the raw view's for unknown ones.
    package func handler(named protocolName: String) -> any UpgradeHandler {
        handlers[Self.key(protocolName)] ?? RawUpgradeHandler()
    }

    /// The handler an HTTP/1 verdict hands the connection to.
    func handler(for verdict: UpgradeVerdict) -> any UpgradeHandler {
        switch verdict.kind {
        case .upgrade(let token): handler(named: token)
        case .connectTunnel: connectTunnel
        }
    }

    /// A dissector for a stream known to speak `context.protocolName` (an upgrade, content
    /// detection, --decode-as).
    /// A context without interpreters gets the registry's.
    package func dissector(for context: UpgradeContext) -> any UpgradedStreamDissector {
        var context = context
        if context.interpreters.isEmpty { context.interpreters = interpreters }
        return handler(named: context.protocolName).makeDissector(context)
            ?? RawStreamDissector(protocolName: context.protocolName)
    }

    /// `WebSocket` → `websocket`, `SPDY/3.1` → `spdy`.
    static func key(_ token: String) -> String {
        let name = token.split(separator: "/", maxSplits: 1).first.map(String.init) ?? token
        return name.lowercasedASCII
    }

    /// The dissectors switchpoint ships.
    package static let standard = DissectorRegistry.standard(webSocket: WebSocketOptions())

    package static func standard(
        webSocket: WebSocketOptions, bodies: HTTPBodyOptions = HTTPBodyOptions()
    ) -> DissectorRegistry {
        var registry = DissectorRegistry()
        registry.bodies = bodies
        registry.register(WebSocketUpgradeHandler(options: webSocket))
        registry.register(H2CUpgradeHandler(webSocket: webSocket, bodies: bodies))
        registry.register(DockerAttachUpgradeHandler())
        for factory in builtInInterpreters { registry.register(factory) }
        return registry
    }
}

extension DissectorRegistry {
    /// The WebSocket message interpreters switchpoint ships, in the order content
    /// recognition asks them. A new one is one line here.
    package static let builtInInterpreters: [any WebSocketInterpreterFactory] = [
        JSONRPCInterpreterFactory(), GraphQLTransportWSInterpreterFactory(), GraphQLWSInterpreterFactory(),
        SocketIOInterpreterFactory(), MQTTInterpreterFactory(), STOMPInterpreterFactory(),
    ]
}

/// `register(_:factory:)`: a dissector factory as a handler.
private struct FactoryUpgradeHandler: UpgradeHandler {
    let protocolNames: [String]
    let factory: DissectorRegistry.Factory

    func makeDissector(_ context: UpgradeContext) -> (any UpgradedStreamDissector)? { factory(context) }
}
