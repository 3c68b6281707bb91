/// A protocol carried inside WebSocket messages (Socket.IO, GraphQL, MQTT, STOMP, JSON-RPC,
/// Kubernetes channels), after Zeek's `WebSocket::AnalyzerConfig`: the WebSocket dissector
/// hands each whole message (inflated, fragments joined) to the connection's interpreter,
/// which emits application-level events and findings. Sans-I/O like the dissectors: one
/// interpreter per WebSocket, fed in capture order across both directions.
package protocol WebSocketMessageInterpreter {
    /// One whole message. `message.payload` is valid for the call only.
    mutating func receive(_ message: borrowing InterpretedMessage, events: inout EventBuffer)
    /// The WebSocket ended (close handshake, TCP close or the capture's end): report what
    /// was left open (requests never answered, flows left incomplete).
    mutating func finish(capture: CaptureInfo, events: inout EventBuffer)
}

/// What an interpreter is given of one WebSocket message.
package struct InterpretedMessage: ~Copyable {
    package var direction: Direction
    package var opcode: WebSocketOpcode
    /// The message's bytes after inflation: all of them, or the first
    /// `WebSocketInterpreterLimits.maxMessageBytes` (`truncated` then says so).
    package var payload: UnsafeRawBufferPointer
    /// The whole message's length (larger than `payload.count` when truncated).
    package var length: UInt64
    /// The payload stops short of the message (the limit, a gap, or unknown compression
    /// history): an interpreter must not report a malformed packet from its missing end.
    package var truncated: Bool
    /// Stream offset of the message's first frame header.
    package var offset: UInt64
    /// The packet that completed the message (its event's time and number).
    package var capture: CaptureInfo
    /// The packet of the message's first byte.
    package var firstPacket: UInt64

    package init(
        direction: Direction, opcode: WebSocketOpcode, payload: UnsafeRawBufferPointer, length: UInt64,
        truncated: Bool, offset: UInt64, capture: CaptureInfo, firstPacket: UInt64
    ) {
        self.direction = direction
        self.opcode = opcode
        self.payload = payload
        self.length = length
        self.truncated = truncated
        self.offset = offset
        self.capture = capture
        self.firstPacket = firstPacket
    }
}

/// Named limits every interpreter lives within.
package enum WebSocketInterpreterLimits {
    /// Bytes of one message given to an interpreter; the rest is counted, not read.
    package static let maxMessageBytes = 64 * 1024
    /// Requests (ids) an interpreter keeps waiting for their answer; the oldest is
    /// reported as never answered when a new one would pass the limit.
    package static let maxOutstanding = 1024
    /// Bytes an interpreter holds of a packet split across messages (MQTT, SPDY).
    package static let maxHeldBytes = 256 * 1024
    /// Characters of text previews (event names, arguments, payloads) an event carries.
    package static let maxPreviewBytes = 200
}

/// Chooses and makes one interpreter kind (registered in `DissectorRegistry`, like an
/// `UpgradeHandler`).
package protocol WebSocketInterpreterFactory: Sendable {
    /// Names the protocol: the `--protocol` and `--decode-ws-as` name (`socket.io`,
    /// `graphql-ws`, `mqtt`), and the events' `protocol` field.
    var name: String { get }
    /// The `Sec-WebSocket-Protocol` tokens it answers to (case-insensitive).
    var subprotocols: [String] { get }
    /// Chosen by the handshake's target when no subprotocol decided
    /// (`/socket.io/?EIO=4&transport=websocket`).
    func matches(target: String) -> Bool
    /// Chosen by content when the handshake was not captured or said nothing: the first
    /// message seen. False unless the bytes leave no doubt (no false verdict on random
    /// text or binary).
    func recognizes(firstMessage: borrowing InterpretedMessage) -> Bool
    func makeInterpreter() -> any WebSocketMessageInterpreter
    /// An interpreter for a WebSocket whose handshake was seen: for protocols whose
    /// framing or meaning depends on the subprotocol chosen or the request's query
    /// (Kubernetes' `base64.channel.k8s.io`, `?command=`, `/portforward?ports=`).
    func makeInterpreter(handshake: WebSocketInterpreterHandshake) -> any WebSocketMessageInterpreter
}

extension WebSocketInterpreterFactory {
    package func matches(target: String) -> Bool { false }

    package func makeInterpreter(handshake: WebSocketInterpreterHandshake) -> any WebSocketMessageInterpreter {
        makeInterpreter()
    }
}

/// What the handshake said that an interpreter may need: the subprotocol the 101 chose and
/// the request's target (raw wire text).
package struct WebSocketInterpreterHandshake: Sendable, Equatable {
    package var subprotocol: String?
    package var target: String?

    package init(subprotocol: String?, target: String?) {
        self.subprotocol = subprotocol
        self.target = target
    }
}
