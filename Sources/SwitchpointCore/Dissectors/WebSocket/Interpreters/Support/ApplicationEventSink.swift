/// Where an interpreter's core puts what it finds: the connection's `EventBuffer` in the
/// pipeline, a `CollectedApplicationEvents` in unit tests and fuzz harnesses. Generic so
/// the interpreters can be driven without the analyzer around them.
package protocol ApplicationEventSink {
    mutating func application(_ event: ApplicationEvent, at place: ApplicationPlace)
    mutating func finding(_ finding: Finding, at place: ApplicationPlace)
}

/// Where an application event happened: the message (or polling body) that carried it.
package struct ApplicationPlace: Sendable, Equatable {
    package var capture: CaptureInfo
    package var direction: Direction?
    package var offset: UInt64?
    package var firstPacket: UInt64?

    package init(capture: CaptureInfo, direction: Direction?, offset: UInt64? = nil, firstPacket: UInt64? = nil) {
        self.capture = capture
        self.direction = direction
        self.offset = offset
        self.firstPacket = firstPacket
    }

    /// The place of a whole WebSocket message.
    package init(_ message: borrowing InterpretedMessage) {
        capture = message.capture
        direction = message.direction
        offset = message.offset
        firstPacket = message.firstPacket
    }
}

extension ApplicationEventSink {
    mutating func finding(_ code: FindingCode, _ message: String, at place: ApplicationPlace) {
        finding(Finding(code, message), at: place)
    }
}
