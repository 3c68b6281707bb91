/// The one event model every printer and the audit consume: what happened on which
/// connection, when, in which direction and at which stream offset.
public struct TimelineEvent: Sendable {
    public var timestamp: Timestamp
    public var connection: ConnectionID
    /// The packet that carried (or, for a close or gap, triggered) the event.
    public var packet: UInt64
    public var direction: Direction?
    /// Absolute stream offset in `direction` where the event's bytes start.
    public var offset: UInt64?
    public var kind: Kind

    public init(timestamp: Timestamp, connection: ConnectionID, packet: UInt64, direction: Direction? = nil,
                offset: UInt64? = nil, kind: Kind) {
        self.timestamp = timestamp
        self.connection = connection
        self.packet = packet
        self.direction = direction
        self.offset = offset
        self.kind = kind
    }

    public enum Kind: Sendable {
        case connectionOpened(ConnectionOpening)
        case connectionClosed(ConnectionSummary)
        case gap(length: UInt64, reason: GapReason)
        case httpRequest(HTTPRequestHead)
        case httpResponse(HTTPResponseHead)
        /// The end of an HTTP message that had a body (`offset` is the message's end).
        case httpBody(length: UInt64, chunked: Bool)
        case upgrade(UpgradeSwitch)
        case finding(Finding)
        /// Bytes of an upgraded protocol switchpoint does not dissect.
        case rawData(RawChunk)
        case tlsClientHello(TLSClientHello)
        case tlsServerHello(TLSServerHello)
        /// End-of-connection totals of bytes after the TLS handshake.
        case tlsEncrypted(clientToServer: UInt64, serverToClient: UInt64)
        case wsFrame(WebSocketFrameHeader)
        case wsMessage(WebSocketMessage)
        /// A ping or pong (a pong carries the round trip when it answers a ping seen).
        case wsControl(WebSocketControl)
        case wsClose(WebSocketClose)
        /// How the WebSocket ended: who closed first, whether the peer answered.
        case wsClosing(WebSocketClosing)
    }

    /// The `type` name in JSON lines and the summary.
    public var typeName: String {
        switch kind {
        case .connectionOpened: "conn.open"
        case .connectionClosed: "conn.close"
        case .gap: "tcp.gap"
        case .httpRequest: "http.request"
        case .httpResponse: "http.response"
        case .httpBody: "http.body"
        case .upgrade: "upgrade"
        case .finding: "finding"
        case .rawData: "raw.data"
        case .tlsClientHello: "tls.client_hello"
        case .tlsServerHello: "tls.server_hello"
        case .tlsEncrypted: "tls.encrypted"
        case .wsFrame: "ws.frame"
        case .wsMessage: "ws.message"
        case .wsControl(let control): control.opcode == 9 ? "ws.ping" : "ws.pong"
        case .wsClose: "ws.close"
        case .wsClosing: "ws.closing"
        }
    }
}

/// The moment a connection changed protocol: both switch offsets, who chose what, how long
/// it took.
public struct UpgradeSwitch: Sendable, Equatable {
    /// The protocol token from the 101's `Upgrade` (or `connect-tunnel` for CONNECT).
    public var protocolName: String
    public var status: Int
    /// First byte of the new protocol from the client: right after the upgrade request
    /// including its body.
    public var clientToServerOffset: UInt64
    /// First byte of the new protocol from the server: right after the 101's header block.
    public var serverToClientOffset: UInt64
    /// Request (its last byte's packet) to the response head, in milliseconds.
    public var latencyMilliseconds: Double
    public var target: String
    /// Handshake details worth a glance (Origin, subprotocol, extensions), in order.
    public var details: [HTTPField]
}

public struct RawChunk: Sendable, Equatable {
    public var protocolName: String
    public var length: Int
    /// The first bytes: escaped text when they read as text, else hex digits.
    public var preview: String
    public var previewIsHex: Bool
}

public struct WebSocketMessage: Sendable, Equatable {
    /// 1 text, 2 binary (the first frame's opcode).
    public var opcode: UInt8
    /// Payload bytes after inflation.
    public var length: UInt64
    /// Payload bytes as sent (compressed size when compressed).
    public var wireLength: UInt64
    public var frames: Int
    public var compressed: Bool
    /// The start of the payload (all of it with `--payload full`), decoded.
    public var kept: [UInt8]
    public var keptAll: Bool
    /// False when a gap, or a compression history that is missing, left bytes unknown.
    public var complete: Bool
    /// Why the payload could not be shown, when it could not.
    public var problem: String?

    public var isText: Bool { opcode == 1 }
}

public struct WebSocketControl: Sendable, Equatable {
    /// 9 ping, 10 pong.
    public var opcode: UInt8
    public var payload: [UInt8]
    public var roundTripMilliseconds: Double?
}

public struct WebSocketClose: Sendable, Equatable {
    /// Nil when the close frame has no body.
    public var code: UInt16?
    public var reason: String
}

public struct WebSocketClosing: Sendable, Equatable {
    public var firstDirection: Direction
    public var firstCode: UInt16?
    public var answered: Bool
    public var answerMilliseconds: Double?
}
