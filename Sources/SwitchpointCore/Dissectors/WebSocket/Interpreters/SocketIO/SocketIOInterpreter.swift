/// Engine.IO / Socket.IO over one WebSocket: each message is one Engine.IO packet (text),
/// or a binary packet (an attachment of the BINARY_EVENT before it).
package struct SocketIOInterpreter: WebSocketMessageInterpreter, SinkDrivenInterpreter {
    package private(set) var session = EngineIOSession()

    package init() {}

    package mutating func receive(_ message: borrowing InterpretedMessage, events: inout EventBuffer) {
        interpret(message, into: &events)
    }

    package mutating func finish(capture: CaptureInfo, events: inout EventBuffer) {
        finish(at: capture, into: &events)
    }

    package mutating func interpret<Sink: ApplicationEventSink>(
        _ message: borrowing InterpretedMessage, into sink: inout Sink
    ) {
        let opcode = message.opcode
        guard opcode == .text || opcode == .binary else { return }
        // A packet cut short by the limit is still read: its header is at the front.
        session.packet(message.payload, binary: opcode == .binary, at: ApplicationPlace(message), into: &sink)
    }

    package mutating func finish<Sink: ApplicationEventSink>(at capture: CaptureInfo, into sink: inout Sink) {
        session.finish(at: capture, into: &sink)
    }
}
