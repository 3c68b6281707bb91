/// Maps protocol tokens to `UpgradeHandler`s (after SwiftNIO's upgrader list): each
/// checks its handshake and makes its dissector. Keys are case-insensitive and
/// `name/version` matches by name; anything unknown gets the raw view. The protocols it
/// knows (each handler's `ProtocolID`, then the `FirstByteDecoder`s') are what
/// `--decode-as` and `--protocol` accept.
package struct DissectorRegistry: Sendable {
    package typealias Factory = @Sendable (UpgradeContext) -> any UpgradedStreamDissector
    private var handlers: [String: any UpgradeHandler] = [:]
    /// One handler per protocol, in the order registered (a later one replaces its place).
    private var protocolHandlers: [any UpgradeHandler] = []
    /// The protocols that are not upgrades' but can be decoded from the first byte.
    private var firstByteDecoders: [FirstByteDecoder] = []
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
        for decoder in FirstByteDecoder.builtIn { register(decoder) }
    }

    package mutating func register(_ handler: any UpgradeHandler) {
        let id = handler.protocolID
        for token in id.upgradeTokens { handlers[token] = handler }
        if let index = protocolHandlers.firstIndex(where: { $0.protocolID == id }) {
            protocolHandlers[index] = handler
        } else if !id.upgradeTokens.isEmpty {
            protocolHandlers.append(handler)
        }
        for header in handler.handshakeOnlyHeaders where !handshakeOnlyHeaders.contains(header) {
            handshakeOnlyHeaders.append(header)
        }
    }

    /// A dissector without a handshake check of its own, for the token `protocolName`.
    package mutating func register(_ protocolName: String, factory: @escaping Factory) {
        register(
            FactoryUpgradeHandler(
                protocolID: ProtocolID(name: protocolName, upgradeTokens: [protocolName]), factory: factory))
    }

    /// A protocol a connection can be decoded as from its first byte that no upgrade
    /// handler dissects (a later one of the same `ProtocolID` replaces it).
    package mutating func register(_ decoder: FirstByteDecoder) {
        if let index = firstByteDecoders.firstIndex(where: { $0.protocolID == decoder.protocolID }) {
            firstByteDecoders[index] = decoder
        } else {
            firstByteDecoders.append(decoder)
        }
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
    static func key(_ token: String) -> String { ProtocolID.key(token) }

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
    /// Every protocol it knows, in the order the usage messages list them: the handlers'
    /// (as registered), then the first-byte decoders'.
    package var protocols: [ProtocolID] {
        protocolHandlers.map(\.protocolID) + firstByteDecoders.map(\.protocolID)
    }

    /// What `--decode-as` accepts, in order (`websocket, http2, h2, http, tls, raw`).
    package var decodeAsNames: [String] { protocols.flatMap(\.decodeAsNames) }

    /// The `--decode-as` protocols as the help lists them: `websocket, http2 (or h2), http,
    /// tls or raw`.
    package var decodeAsHelpList: String {
        let items = protocols.filter(\.decodesFromFirstByte).map { id in
            let others = id.decodeAsNames.dropFirst()
            return id.decodeAsNames[0] + (others.isEmpty ? "" : " (or \(others.joined(separator: ", ")))")
        }
        guard let last = items.last else { return "" }
        return items.count == 1 ? last : items.dropLast().joined(separator: ", ") + " or " + last
    }

    /// The protocol `--decode-as` names (without case); nil for a name nothing declares.
    package func decodeAsProtocol(named name: String) -> ProtocolID? {
        protocols.first { $0.isDecodeAsName(name) }
    }

    /// What `--protocol` accepts besides interpreter names, in order.
    package var selectionNames: [String] { protocols.compactMap(\.selectionName) }

    /// The protocol `--protocol` names (without case); nil for a name nothing declares.
    package func selectableProtocol(named name: String) -> ProtocolID? {
        protocols.first { $0.isSelectionName(name) }
    }

    /// Starts `id` at a connection's first byte without a handshake: its first-byte
    /// decoder, else its handler's dissector for its token (shown raw when no handler
    /// answers to it).
    package func startFromFirstByte(_ id: ProtocolID, _ context: FirstByteDecoder.Context) -> FirstByteDecoder.Start {
        if let decoder = firstByteDecoders.first(where: { $0.protocolID == id }) { return decoder.start(context) }
        return .dissector(dissector(for: context.stream))
    }
}

extension DissectorRegistry {
    /// The WebSocket message interpreters switchpoint ships, in the order content
    /// recognition asks them. A new one is one line here.
    package static let builtInInterpreters: [any WebSocketInterpreterFactory] = [
        JSONRPCInterpreterFactory(), GraphQLTransportWSInterpreterFactory(), GraphQLWSInterpreterFactory(),
        SocketIOInterpreterFactory(), MQTTInterpreterFactory(), STOMPInterpreterFactory(),
        KubernetesChannelInterpreterFactory(),
    ]
}

/// `register(_:factory:)`: a dissector factory as a handler.
private struct FactoryUpgradeHandler: UpgradeHandler {
    let protocolID: ProtocolID
    let factory: DissectorRegistry.Factory

    func makeDissector(_ context: UpgradeContext) -> (any UpgradedStreamDissector)? { factory(context) }
}
