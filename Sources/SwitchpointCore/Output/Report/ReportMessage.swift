/// One WebSocket frame worth showing: a data message, a ping/pong or a close.
public struct ReportMessage: Sendable {
    public var direction: Direction
    public var time: Timestamp
    public var offset: UInt64?
    /// 1 text, 2 binary, 8 close, 9 ping, 10 pong.
    public var opcode: UInt8
    /// Payload length after inflation (the close frame's reason length for a close).
    public var length: UInt64
    /// The start of the payload (at most `ReportLimits.payloadBytes`).
    public var data: [UInt8]
    /// Fewer bytes kept than the message had.
    public var truncated: Bool
    public var compressed = false
    public var complete = true
    public var problem: String?
    public var closeCode: UInt16?
    public var roundTripMilliseconds: Double?

    public var isText: Bool { WebSocketOpcode(rawValue: opcode) == .text || WebSocketOpcode(rawValue: opcode) == .close }
}
