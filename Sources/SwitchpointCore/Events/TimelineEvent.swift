/// The one event model every printer and the audit consume: what happened on which
/// connection, when, in which direction and at which stream offset.
package struct TimelineEvent: Sendable {
    package var timestamp: Timestamp
    package var connection: ConnectionID
    /// The packet that carried (or, for a close or gap, triggered) the event.
    package var packet: UInt64
    /// The packet that carried the event's first byte, when its bytes span packets (a
    /// reassembled frame or message); equal to `packet` otherwise.
    package var firstPacket: UInt64
    package var direction: Direction?
    /// Absolute stream offset in `direction` where the event's bytes start.
    package var offset: UInt64?
    /// The HTTP/2 stream an event belongs to (WebSocket over HTTP/2, RFC 8441).
    package var stream: UInt32?
    /// The event comes from a TLS connection's decrypted bytes (offsets are then offsets
    /// into the decrypted stream of that direction).
    package var decrypted = false
    package let kind: Kind
    /// Which kind, without its payload: matching `kind` copies the payload (retaining its
    /// arrays and strings), and the hot paths only need to know which case it is.
    package let tag: Tag

    package init(
        timestamp: Timestamp, connection: ConnectionID, packet: UInt64, direction: Direction? = nil,
        offset: UInt64? = nil, kind: consuming Kind
    ) {
        self.timestamp = timestamp
        self.connection = connection
        self.packet = packet
        firstPacket = packet
        self.direction = direction
        self.offset = offset
        tag = Tag(kind)
        self.kind = kind
    }

    package enum Tag: UInt8, Sendable, CaseIterable {
        case connectionOpened, connectionClosed, gap, httpRequest, httpResponse, httpBody, upgrade, finding, rawData
        case tlsClientHello, tlsServerHello, tlsHelloRetry, tlsSession, tlsEncrypted, wsFrame, wsMessage, wsControl,
            wsClose, wsClosing
        case h2Frame, h2Settings, h2Headers, h2Reset, h2GoAway, h2Ping, h2Stream
        case app

        /// The JSON `type` of events of this kind (a pong's is `pongTypeName`).
        package var typeName: StaticString {
            switch self {
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
            case .tlsHelloRetry: "tls.hello_retry_request"
            case .tlsSession: "tls.session"
            case .tlsEncrypted: "tls.encrypted"
            case .wsFrame: "ws.frame"
            case .wsMessage: "ws.message"
            case .wsControl: "ws.ping"
            case .wsClose: "ws.close"
            case .wsClosing: "ws.closing"
            case .h2Frame: "h2.frame"
            case .h2Settings: "h2.settings"
            case .h2Headers: "h2.headers"
            case .h2Reset: "h2.rst"
            case .h2GoAway: "h2.goaway"
            case .h2Ping: "h2.ping"
            case .h2Stream: "h2.stream"
            case .app: "app"
            }
        }

        /// A `wsControl` event carrying a pong.
        package static let pongTypeName: StaticString = "ws.pong"

        init(_ kind: borrowing Kind) {
            switch kind {
            case .connectionOpened: self = .connectionOpened
            case .connectionClosed: self = .connectionClosed
            case .gap: self = .gap
            case .httpRequest: self = .httpRequest
            case .httpResponse: self = .httpResponse
            case .httpBody: self = .httpBody
            case .upgrade: self = .upgrade
            case .finding: self = .finding
            case .rawData: self = .rawData
            case .tlsClientHello: self = .tlsClientHello
            case .tlsServerHello: self = .tlsServerHello
            case .tlsHelloRetry: self = .tlsHelloRetry
            case .tlsSession: self = .tlsSession
            case .tlsEncrypted: self = .tlsEncrypted
            case .wsFrame: self = .wsFrame
            case .wsMessage: self = .wsMessage
            case .wsControl: self = .wsControl
            case .wsClose: self = .wsClose
            case .wsClosing: self = .wsClosing
            case .h2Frame: self = .h2Frame
            case .h2Settings: self = .h2Settings
            case .h2Headers: self = .h2Headers
            case .h2Reset: self = .h2Reset
            case .h2GoAway: self = .h2GoAway
            case .h2Ping: self = .h2Ping
            case .h2Stream: self = .h2Stream
            case .app: self = .app
            }
        }
    }

    /// The three large payloads are boxed (`indirect`): an event is copied a few times on
    /// its way to the printer, and a 280-byte connection summary inline made every
    /// WebSocket message's event that large too.
    package enum Kind: Sendable {
        case connectionOpened(ConnectionOpening)
        indirect case connectionClosed(ConnectionSummary)
        case gap(length: UInt64, reason: GapReason)
        case httpRequest(HTTPRequestHead)
        case httpResponse(HTTPResponseHead)
        /// The end of an HTTP message that had a body (`offset` is the message's end):
        /// `kept` is the body's start (de-chunked, `HTTPBodyOptions` bytes at most),
        /// `keptAll` whether that is the whole body.
        case httpBody(length: UInt64, chunked: Bool, kept: [UInt8], keptAll: Bool)
        case upgrade(UpgradeSwitch)
        case finding(Finding)
        /// Bytes of an upgraded protocol switchpoint does not dissect.
        case rawData(RawChunk)
        case tlsClientHello(TLSClientHello)
        case tlsServerHello(TLSServerHello)
        /// A TLS 1.3 HelloRetryRequest (not a ServerHello, though it is sent as one).
        case tlsHelloRetry(TLSHelloRetry)
        /// Once per connection when a key log was given: what the handshake settled.
        indirect case tlsSession(TLSSessionFacts)
        /// End-of-connection totals of bytes after the TLS handshake.
        case tlsEncrypted(clientToServer: UInt64, serverToClient: UInt64)
        case wsFrame(WebSocketFrameHeader)
        case wsMessage(WebSocketMessage)
        /// A ping or pong (a pong carries the round trip when it answers a ping seen).
        case wsControl(WebSocketControl)
        case wsClose(WebSocketClose)
        /// How the WebSocket ended: who closed first, whether the peer answered.
        case wsClosing(WebSocketClosing)
        case h2Frame(HTTP2FrameInfo)
        case h2Settings(HTTP2Settings)
        case h2Headers(HTTP2HeaderBlock)
        case h2Reset(stream: UInt32, error: UInt32)
        case h2GoAway(lastStream: UInt32, error: UInt32, debug: String)
        case h2Ping(ack: Bool, roundTripMilliseconds: Double?)
        /// A finished request/response exchange on one stream.
        indirect case h2Stream(HTTP2StreamSummary)
        /// A protocol carried inside WebSocket messages (a `WebSocketMessageInterpreter`'s
        /// event): boxed, as its strings and fields would make every event larger.
        indirect case app(ApplicationEvent)
    }

    /// The `type` name in JSON lines and the summary.
    package var typeName: StaticString {
        if tag == .wsControl, case .wsControl(let control) = kind, WebSocketOpcode(rawValue: control.opcode) == .pong {
            return Tag.pongTypeName
        }
        return tag.typeName
    }
}

/// The moment a connection changed protocol: both switch offsets, who chose what, how long
/// it took.
package struct UpgradeSwitch: Sendable, Equatable {
    /// The protocol token from the 101's `Upgrade` (or `connect-tunnel` for CONNECT).
    package var protocolName: String
    package var status: Int
    /// First byte of the new protocol from the client: right after the upgrade request
    /// including its body.
    package var clientToServerOffset: UInt64
    /// First byte of the new protocol from the server: right after the 101's header block.
    package var serverToClientOffset: UInt64
    /// Request (its last byte's packet) to the response head, in milliseconds.
    package var latencyMilliseconds: Double
    package var target: String
    /// Handshake details worth a glance (Origin, subprotocol, extensions), in order.
    package var details: [HTTPField]
    /// After a 101, what the client made of it (nil for a CONNECT tunnel, or when the
    /// analysis could not wait for the answer).
    package var outcome: UpgradeOutcome? = nil
}

/// What the client did after a 101: the server switching is half a handshake.
package enum UpgradeOutcome: Sendable, Equatable {
    /// The client sent bytes of the new protocol.
    case established
    /// The client closed (fin) or reset (rst) the connection without sending a byte of
    /// the new protocol: the usual reaction to a bad accept or an extension never offered.
    case rejectedByClient(CloseReason)
    /// The capture ended (or the connection idled out) before the client did anything.
    case unknown

    /// The JSON value.
    package var name: StaticString {
        switch self {
        case .established: "established"
        case .rejectedByClient: "rejected_by_client"
        case .unknown: "unknown"
        }
    }
}

package struct RawChunk: Sendable, Equatable {
    package var protocolName: String
    package var length: Int
    /// The first bytes, raw (`RawStreamDissector.previewLength` at most).
    package var head: [UInt8]
    /// The bytes read as binary: printers show them as hex, not as text.
    package var previewIsHex: Bool
    /// Packets the chunk's bytes came in: more than one for a run of bytes no protocol was
    /// recognised in (a stream that began mid-way), shown as one line.
    package var packets = 1
    /// The bytes are a run that content detection recognised nothing in (not a protocol
    /// shown raw on purpose).
    package var notRecognised = false
}

package struct WebSocketMessage: Sendable, Equatable {
    /// 1 text, 2 binary (the first frame's opcode).
    package var opcode: UInt8
    /// Payload bytes after inflation.
    package var length: UInt64
    /// Payload bytes as sent (compressed size when compressed).
    package var wireLength: UInt64
    package var frames: Int
    package var compressed: Bool
    /// The start of the payload (all of it with `--payload full`), decoded.
    package var kept: [UInt8]
    package var keptAll: Bool
    /// A message interpreter read it and reported at least one application event: the
    /// text timeline then shows those instead of this message (both with `-v`).
    package var interpreted = false
    /// False when a gap, or a compression history that is missing, left bytes unknown.
    package var complete: Bool
    /// Why the payload could not be shown, when it could not.
    package var problem: String?
    /// The inflated length is not known (compressed bytes or their history are missing):
    /// `length` is then only what inflated before that, never a size to report.
    package var lengthUnknown = false
    /// Set when some inflated bytes were copied from a compression history never captured:
    /// which bytes are known. Nil when every byte is (the usual case).
    package var recovery: WebSocketRecovery?

    package var isText: Bool { WebSocketOpcode(rawValue: opcode) == .text }
}

package struct WebSocketControl: Sendable, Equatable {
    /// 9 ping, 10 pong.
    package var opcode: UInt8
    package var payload: [UInt8]
    package var roundTripMilliseconds: Double?
}

package struct WebSocketClose: Sendable, Equatable {
    /// Nil when the close frame has no body.
    package var code: UInt16?
    package var reason: String
}

package struct WebSocketClosing: Sendable, Equatable {
    package var firstDirection: Direction
    package var firstCode: UInt16?
    package var answered: Bool
    package var answerMilliseconds: Double?
}

package struct HTTP2FrameInfo: Sendable, Equatable {
    package var type: UInt8
    package var flags: UInt8
    package var stream: UInt32
    package var length: Int
    /// WINDOW_UPDATE: the increment (reserved bit cleared).
    package var windowIncrement: UInt32? = nil
    /// PING: the 8 bytes of opaque data, big-endian.
    package var pingData: UInt64? = nil
    /// PADDED DATA, HEADERS, PUSH_PROMISE: the Pad Length field.
    package var padLength: Int? = nil
    /// ORIGIN on stream 0 (RFC 8336): the origins listed, as sent.
    package var origins: [String]? = nil
}

package struct HTTP2Settings: Sendable, Equatable {
    /// `frame`, or `HTTP2-Settings` for the h2c upgrade header.
    package var source: String
    package var ack: Bool
    package var values: [(identifier: UInt16, value: UInt32)]

    package static func == (lhs: HTTP2Settings, rhs: HTTP2Settings) -> Bool {
        lhs.source == rhs.source && lhs.ack == rhs.ack && lhs.values.map(\.identifier) == rhs.values.map(\.identifier)
            && lhs.values.map(\.value) == rhs.values.map(\.value)
    }
}

package struct HTTP2HeaderBlock: Sendable, Equatable {
    package var stream: UInt32
    /// Decoded fields in order; empty when `unreliable`.
    package var fields: [HTTPField]
    package var endStream: Bool
    /// PUSH_PROMISE: the stream it reserves.
    package var promisedStream: UInt32?
    /// The HPACK state of this direction is lost (a decoding error or a gap earlier):
    /// the fields could not be decoded and are not shown.
    package var unreliable: Bool
    /// HEADERS plus the CONTINUATION frames merged into it.
    package var frames: Int
    /// Dynamic table size updates at the start of the block (RFC 7541 §6.3).
    package var tableSizeUpdates: [Int]
    /// Fields with a name or value from HPACK dynamic table entries inserted before the
    /// capture began (a connection joined mid-stream), shown as `<unknown: dynamic index N>`.
    package var unknownFields = 0
}

package struct HTTP2StreamSummary: Sendable, Equatable {
    package var stream: UInt32
    package var method: String?
    package var scheme: String?
    package var authority: String?
    package var path: String?
    /// RFC 8441 extended CONNECT.
    package var connectProtocol: String?
    package var status: Int?
    package var requestBodyBytes: UInt64
    package var responseBodyBytes: UInt64
    package var reset: UInt32?
    package var timeToFirstByteMilliseconds: Double?
    package var totalMilliseconds: Double?
    /// The exchange did not finish before the connection ended.
    package var unfinished: Bool
    /// The first DATA bytes of each direction (`HTTPBodyOptions` bytes at most, up to the
    /// first gap); all of the body when their count equals the body bytes.
    package var requestBody: [UInt8] = []
    package var responseBody: [UInt8] = []
}

/// What a TLS handshake settled, reported once per connection when a key log was given.
package struct TLSSessionFacts: Sendable, Equatable {
    package var version: String
    package var cipherSuite: String
    package var serverName: String?
    package var alpnOffered: [String]
    /// The protocol the server chose (from EncryptedExtensions in TLS 1.3).
    package var alpn: String?
    /// TLS 1.3 without keys, the client having offered protocols: the choice is in the
    /// encrypted EncryptedExtensions, so not known (rather than none).
    package var alpnEncrypted = false
    /// A resumed session (TLS 1.3 PSK, TLS 1.2 abbreviated handshake).
    package var resumed: Bool
    /// Keys for this connection were found and the records decrypted.
    package var decrypted: Bool
    /// False for a connection joined after its handshake (decrypted by trying the key
    /// log's secrets): the hellos, so SNI and ALPN, were never seen.
    package var handshakeSeen = true
    /// The server's leaf certificate, when it was seen and parsed.
    package var certificate: TLSCertificateSummary?
}

package struct TLSCertificateSummary: Sendable, Equatable {
    package var subject: String
    package var issuer: String
    /// RFC 3339 UTC.
    package var notBefore: String
    package var notAfter: String
}
