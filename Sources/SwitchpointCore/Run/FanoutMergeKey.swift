/// Where an event falls in a `--workers` run's merged order: the packet whose processing
/// emitted it, by capture time and then number. One analyzer emits in that order (an
/// event held for a later packet, such as an upgrade waiting for its outcome, comes out
/// with that later packet), so merging by it prints what one analyzer prints.
package struct FanoutMergeKey: Comparable, Sendable {
    package var time: Timestamp
    package var packet: UInt64

    /// Before every packet.
    package static let start = FanoutMergeKey(time: Timestamp(nanoseconds: Int64.min), packet: 0)
    /// After every packet: what a worker emits once its input has ended.
    package static let end = FanoutMergeKey(time: Timestamp(nanoseconds: Int64.max), packet: UInt64.max)

    package init(time: Timestamp, packet: UInt64) {
        self.time = time
        self.packet = packet
    }

    package init(_ capture: CaptureInfo) {
        self.init(time: capture.timestamp, packet: capture.packetNumber)
    }

    package static func < (lhs: FanoutMergeKey, rhs: FanoutMergeKey) -> Bool {
        (lhs.time, lhs.packet) < (rhs.time, rhs.packet)
    }
}
