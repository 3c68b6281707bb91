/// Counts of what the decoder saw, for the end-of-run summary.
package struct DecodeStatistics: Sendable, Equatable {
    package var packets = 0
    package var capturedBytes: UInt64 = 0
    package var tcpPackets = 0
    package var notTCPPackets = 0
    package var fragments = 0
    /// Packets the snaplen cut inside their headers (TCP payload cuts are gaps instead).
    package var truncated: [DecodeProblem: Int] = [:]
    package var malformed: [DecodeProblem: Int] = [:]

    package init() {}

    package var truncatedTotal: Int { truncated.values.reduce(0, +) }
    package var malformedTotal: Int { malformed.values.reduce(0, +) }

    mutating func count(_ result: PacketDecodeResult) {
        switch result {
        case .tcp: tcpPackets += 1
        case .notTCP: notTCPPackets += 1
        case .fragment: fragments += 1
        case .truncated(let problem): truncated[problem, default: 0] += 1
        case .malformed(let problem): malformed[problem, default: 0] += 1
        }
    }
}

extension DecodeStatistics {
    /// Adds another run's counts (fanout workers' totals).
    package mutating func add(_ other: DecodeStatistics) {
        packets += other.packets
        capturedBytes += other.capturedBytes
        tcpPackets += other.tcpPackets
        notTCPPackets += other.notTCPPackets
        fragments += other.fragments
        truncated.merge(other.truncated, uniquingKeysWith: +)
        malformed.merge(other.malformed, uniquingKeysWith: +)
    }
}
