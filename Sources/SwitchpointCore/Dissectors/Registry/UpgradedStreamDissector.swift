/// A dissector for what follows a protocol switch: sans-I/O, bytes in, events out. It
/// receives each direction's bytes from the switch offset on, in order, with gaps.
public protocol UpgradedStreamDissector {
    mutating func receive(_ bytes: UnsafeRawBufferPointer, direction: Direction, offset: UInt64, capture: CaptureInfo, events: inout EventBuffer)
    mutating func receiveGap(direction: Direction, offset: UInt64, length: UInt64, capture: CaptureInfo, events: inout EventBuffer)
    /// The connection ended; report what is pending (an unfinished message, totals).
    mutating func finish(capture: CaptureInfo, events: inout EventBuffer)
    /// The connection ended, or only the capture did (`captureEnded`): then nothing
    /// pending is the peers' fault, and no finding may say it is.
    mutating func finish(capture: CaptureInfo, captureEnded: Bool, events: inout EventBuffer)
    /// What is in flight, for a connection open when the capture ended.
    var openState: OpenConnectionState { get }
}

extension UpgradedStreamDissector {
    public mutating func finish(capture: CaptureInfo, captureEnded: Bool, events: inout EventBuffer) {
        finish(capture: capture, events: &events)
    }
}

/// What a dissector factory learns from the handshake that selected it.
public struct UpgradeContext: Sendable {
    /// The protocol token as the server named it (`websocket`, `h2c`, `tcp`, …).
    public var protocolName: String
    public var request: HTTPRequestHead?
    public var response: HTTPResponseHead?
    public var clientToServerOffset: UInt64
    public var serverToClientOffset: UInt64
    /// When the upgrade request's last byte was captured (h2c: stream 1's request time).
    public var requestTimestamp: Timestamp?
    /// The first bytes given are the first of a frame (a handshake or the connection's
    /// start was captured). False when the capture began mid-stream: the dissector then
    /// looks for frame boundaries before parsing.
    public var startsAtFrameBoundary: Bool {
        get { clientStartsAtFrameBoundary && serverStartsAtFrameBoundary }
        set {
            clientStartsAtFrameBoundary = newValue
            serverStartsAtFrameBoundary = newValue
        }
    }
    /// The stream did not start at the protocol's start (no preface to expect), even where
    /// a frame boundary is known.
    public var midConnection = false
    /// The same per direction (content detection may have found one side's boundary).
    public var clientStartsAtFrameBoundary = true
    public var serverStartsAtFrameBoundary = true

    public init(protocolName: String, request: HTTPRequestHead?, response: HTTPResponseHead?,
                clientToServerOffset: UInt64, serverToClientOffset: UInt64, requestTimestamp: Timestamp? = nil) {
        self.protocolName = protocolName
        self.request = request
        self.response = response
        self.clientToServerOffset = clientToServerOffset
        self.serverToClientOffset = serverToClientOffset
        self.requestTimestamp = requestTimestamp
    }
}

/// Maps protocol tokens to dissectors. Keys are case-insensitive and `name/version`
/// matches by name; anything unknown gets the raw view.
public struct DissectorRegistry: Sendable {
    public typealias Factory = @Sendable (UpgradeContext) -> any UpgradedStreamDissector
    private var factories: [String: Factory] = [:]
    /// How much of HTTP bodies the HTTP/1 sessions and HTTP/2 dissectors keep.
    public var bodies = HTTPBodyOptions()

    public init() {}

    public mutating func register(_ protocolName: String, factory: @escaping Factory) {
        factories[Self.key(protocolName)] = factory
    }

    public func isRegistered(_ protocolName: String) -> Bool {
        factories[Self.key(protocolName)] != nil
    }

    public func dissector(for context: UpgradeContext) -> any UpgradedStreamDissector {
        if let factory = factories[Self.key(context.protocolName)] { return factory(context) }
        return RawStreamDissector(protocolName: context.protocolName)
    }

    /// `WebSocket` → `websocket`, `SPDY/3.1` → `spdy`.
    static func key(_ token: String) -> String {
        let name = token.split(separator: "/", maxSplits: 1).first.map(String.init) ?? token
        return name.lowercasedASCII
    }

    /// The dissectors switchpoint ships.
    public static let standard = DissectorRegistry.standard(webSocket: WebSocketOptions())

    public static func standard(webSocket: WebSocketOptions, bodies: HTTPBodyOptions = HTTPBodyOptions()) -> DissectorRegistry {
        var registry = DissectorRegistry()
        registry.bodies = bodies
        registry.register("websocket") { WebSocketDissector(context: $0, options: webSocket) }
        registry.register("h2c") { HTTP2Dissector(context: $0, webSocket: webSocket, bodies: bodies) }
        registry.register("h2") { HTTP2Dissector(context: $0, webSocket: webSocket, bodies: bodies) }
        return registry
    }
}
