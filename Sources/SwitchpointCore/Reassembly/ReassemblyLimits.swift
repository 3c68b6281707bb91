/// Every bound reassembly keeps, with defaults sized for a 24 GiB analyst box and a
/// 100 MB budget on ordinary captures. Hitting one is an anomaly, never a crash.
package struct ReassemblyLimits: Sendable {
    /// Out-of-order bytes one connection may hold (both directions) before the oldest hole
    /// is declared a gap.
    package var maxBufferedBytesPerConnection = 4 << 20
    /// Out-of-order bytes all connections together may hold; over it the connection
    /// holding the most is flushed.
    package var maxBufferedBytesTotal = 64 << 20
    /// Out-of-order segments one direction may hold (bounds bookkeeping for tiny segments).
    package var maxPendingSegmentsPerDirection = 2048
    /// Connections tracked at once; over it the least recently active are evicted.
    package var maxConnections = 100_000
    /// An open connection with no packet for this long (capture time) is closed as idle.
    package var idleTimeoutNanoseconds: Int64 = 300 * 1_000_000_000
    /// A closed connection's entry is kept this long to absorb its last ACKs and late
    /// retransmissions without mistaking them for a new mid-stream connection.
    package var closedLingerNanoseconds: Int64 = 30 * 1_000_000_000
    /// Delivered bytes kept per direction to check retransmissions for conflicting content.
    package var overlapCheckWindow = 1024

    package init() {}
}
