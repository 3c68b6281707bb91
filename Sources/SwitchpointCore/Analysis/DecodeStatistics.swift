/// Counts of what the decoder saw, for the end-of-run summary.
public struct DecodeStatistics: Sendable, Equatable {
    public var packets = 0
    public var capturedBytes: UInt64 = 0
    public var tcpPackets = 0
    public var notTCPPackets = 0
    public var fragments = 0
    /// Packets the snaplen cut inside their headers (TCP payload cuts are gaps instead).
    public var truncated: [DecodeProblem: Int] = [:]
    public var malformed: [DecodeProblem: Int] = [:]

    public init() {}

    public var truncatedTotal: Int { truncated.values.reduce(0, +) }
    public var malformedTotal: Int { malformed.values.reduce(0, +) }

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
    public mutating func add(_ other: DecodeStatistics) {
        packets += other.packets
        capturedBytes += other.capturedBytes
        tcpPackets += other.tcpPackets
        notTCPPackets += other.notTCPPackets
        fragments += other.fragments
        truncated.merge(other.truncated, uniquingKeysWith: +)
        malformed.merge(other.malformed, uniquingKeysWith: +)
    }
}
