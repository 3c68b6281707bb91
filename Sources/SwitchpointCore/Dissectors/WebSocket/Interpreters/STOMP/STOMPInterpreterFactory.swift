/// Chooses STOMP by the subprotocol (`v10.stomp`, `v11.stomp`, `v12.stomp`), or by a first
/// message that is a whole CONNECT or STOMP frame.
package struct STOMPInterpreterFactory: WebSocketInterpreterFactory {
    package init() {}

    package var name: String { STOMPInterpreter.protocolName }

    package var subprotocols: [String] { ["v10.stomp", "v11.stomp", "v12.stomp"] }

    package func recognizes(firstMessage: borrowing InterpretedMessage) -> Bool {
        guard firstMessage.opcode == .text else { return false }
        let payload = firstMessage.payload
        guard payload.last == 0, payload.count <= WebSocketInterpreterLimits.maxMessageBytes else { return false }
        guard case .frame(let frame, let consumed) = STOMPFrame.parse(Array(payload)[...]), consumed == payload.count
        else { return false }
        return frame.command == .connect || frame.command == .stomp
    }

    package func makeInterpreter() -> any WebSocketMessageInterpreter {
        STOMPInterpreter()
    }
}
