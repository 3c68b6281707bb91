/// `--decode-ws-as none[=PORT]`: WebSocket messages shown as they are, whatever the
/// handshake or the content would choose. Not registered: no handshake or content selects
/// it; `WebSocketInterpreterSet.choice` reads it as no interpreter at all.
package struct PlainMessagesFactory: WebSocketInterpreterFactory {
    package static let optionName = "none"

    package var name: String { Self.optionName }
    package var subprotocols: [String] { [] }

    package func recognizes(firstMessage: borrowing InterpretedMessage) -> Bool { false }

    package func makeInterpreter() -> any WebSocketMessageInterpreter { PlainMessages() }

    /// Never chosen to run (the choice is `.none`); a value the factory can return.
    struct PlainMessages: WebSocketMessageInterpreter {
        mutating func receive(_ message: borrowing InterpretedMessage, events: inout EventBuffer) {}
        mutating func finish(capture: CaptureInfo, events: inout EventBuffer) {}
    }
}
