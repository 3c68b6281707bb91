/// Chooses Engine.IO / Socket.IO: by the handshake's target (`/socket.io/?EIO=4&
/// transport=websocket`), or by a first message only Engine.IO sends (its open packet
/// `0{"sid":"…`, or the upgrade probe `2probe`).
package struct SocketIOInterpreterFactory: WebSocketInterpreterFactory {
    package init() {}

    package var name: String { EngineIOSession.protocolName }

    /// Socket.IO names no subprotocol.
    package var subprotocols: [String] { [] }

    package func matches(target: String) -> Bool {
        guard let query = target.firstIndex(of: "?") else { return false }
        let parameters = target[target.index(after: query)...].split(separator: "&")
        return parameters.contains { $0.hasPrefix("EIO=") } && parameters.contains("transport=websocket")
    }

    package func recognizes(firstMessage: borrowing InterpretedMessage) -> Bool {
        guard firstMessage.opcode == .text else { return false }
        let payload = firstMessage.payload
        if EngineIOSession.equals(payload, "2probe") { return true }
        let openPrefix: StaticString = "0{\"sid\":\""
        guard payload.count > openPrefix.utf8CodeUnitCount else { return false }
        for index in 0..<openPrefix.utf8CodeUnitCount where payload[index] != openPrefix.utf8Start[index] {
            return false
        }
        return EngineIOOpen(json: UnsafeRawBufferPointer(rebasing: payload[1...])) != nil
    }

    package func makeInterpreter() -> any WebSocketMessageInterpreter {
        SocketIOInterpreter()
    }
}
