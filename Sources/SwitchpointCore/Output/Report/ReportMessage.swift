/// One WebSocket frame worth showing: a data message, a ping/pong or a close.
package struct ReportMessage: Sendable {
    package var direction: Direction
    package var time: Timestamp
    package var offset: UInt64?
    /// 1 text, 2 binary, 8 close, 9 ping, 10 pong.
    package var opcode: UInt8
    /// Payload length after inflation (the close frame's reason length for a close).
    package var length: UInt64
    /// The start of the payload (at most `ReportLimits.payloadBytes`).
    package var data: [UInt8]
    /// Fewer bytes kept than the message had.
    package var truncated: Bool
    package var compressed = false
    package var complete = true
    package var problem: String?
    package var closeCode: UInt16?
    package var roundTripMilliseconds: Double?
    /// What a message interpreter read in it (`jsonrpc request "add" id 1`): the sequence
    /// diagram's label then; the HAR keeps the raw message.
    package var applicationLabels: [String] = []

    package var isText: Bool {
        WebSocketOpcode(rawValue: opcode) == .text || WebSocketOpcode(rawValue: opcode) == .close
    }
}
