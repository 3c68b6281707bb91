/// Where a byte or a packet came from: the packet's number in capture order (1-based,
/// continuing across files read in sequence) and its timestamp.
///
/// Every chunk of stream data carries the `CaptureInfo` of the packet that delivered it, so
/// any stream offset can be traced back to its packet (see `StreamOffsetMap`).
package struct CaptureInfo: Hashable, Sendable {
    package var packetNumber: UInt64
    package var timestamp: Timestamp

    package init(packetNumber: UInt64, timestamp: Timestamp) {
        self.packetNumber = packetNumber
        self.timestamp = timestamp
    }
}
