/// A dissector for what follows a protocol switch: sans-I/O, bytes in, events out. It
/// receives each direction's bytes from the switch offset on, in order, with gaps.
package protocol UpgradedStreamDissector {
    mutating func receive(
        _ bytes: UnsafeRawBufferPointer, direction: Direction, offset: UInt64, capture: CaptureInfo,
        events: inout EventBuffer)
    mutating func receiveGap(
        direction: Direction, offset: UInt64, length: UInt64, capture: CaptureInfo, events: inout EventBuffer)
    /// The connection ended; report what is pending (an unfinished message, totals).
    mutating func finish(capture: CaptureInfo, events: inout EventBuffer)
    /// The connection ended, or only the capture did (`captureEnded`): then nothing
    /// pending is the peers' fault, and no finding may say it is.
    mutating func finish(capture: CaptureInfo, captureEnded: Bool, events: inout EventBuffer)
    /// What is in flight, for a connection open when the capture ended.
    var openState: OpenConnectionState { get }
    /// Whether a direction's bytes are held while its frame boundaries are searched (a
    /// stream that began mid-way): its events will come later than the peer's of the same
    /// time, so whoever shows them in time order waits.
    var isSearchingForFrames: Bool { get }
}

extension UpgradedStreamDissector {
    package var isSearchingForFrames: Bool { false }

    package mutating func finish(capture: CaptureInfo, captureEnded: Bool, events: inout EventBuffer) {
        finish(capture: capture, events: &events)
    }
}
