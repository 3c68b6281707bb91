/// Where a byte or a packet came from: the packet's number in capture order (1-based,
/// continuing across files read in sequence) and its timestamp.
///
/// Every chunk of stream data carries the `CaptureInfo` of the packet that delivered it, so
/// any stream offset can be traced back to its packet (see `StreamOffsetMap`).
public struct CaptureInfo: Hashable, Sendable {
    public var packetNumber: UInt64
    public var timestamp: Timestamp

    public init(packetNumber: UInt64, timestamp: Timestamp) {
        self.packetNumber = packetNumber
        self.timestamp = timestamp
    }
}
