/// An interpreter whose work is done against any `ApplicationEventSink`: the pipeline's
/// `WebSocketMessageInterpreter` calls go through it, and tests and fuzz harnesses drive
/// it with a `CollectedApplicationEvents`.
package protocol SinkDrivenInterpreter {
    mutating func interpret<Sink: ApplicationEventSink>(_ message: borrowing InterpretedMessage, into sink: inout Sink)
    mutating func finish<Sink: ApplicationEventSink>(at capture: CaptureInfo, into sink: inout Sink)
}
