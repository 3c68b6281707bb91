/// An out-of-order piece of a stream, copied out of the capture buffer because it must
/// wait for the bytes before it.
struct PendingSegment {
    var offset: UInt64
    /// The captured bytes; fewer than `length` when the snaplen cut the packet.
    var bytes: [UInt8]
    /// Sequence space the piece covers.
    var length: UInt64
    var capture: CaptureInfo

    var end: UInt64 { offset + length }
    var capturedEnd: UInt64 { offset + UInt64(bytes.count) }
}
