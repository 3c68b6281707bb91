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
    /// The summary fields every JSON summary line shares.
    func addSummaryFields(to line: inout JSONLine, connections: Int, gaps: Int, gapBytes: UInt64) {
        line.add("type", "summary")
        line.add("connections", connections)
        line.add("packets", packets)
        line.add("tcp_packets", tcpPackets)
        line.add("other_packets", notTCPPackets)
        line.add("ip_fragments", fragments)
        line.add("truncated_packets", truncatedTotal)
        line.add("malformed_packets", malformedTotal)
        line.add("gaps", gaps)
        line.add("gap_bytes", gapBytes)
    }
}

extension DecodeStatistics {
    /// `24 packets (24 TCP, 0 other, …)` for the closing lines.
    func packetBreakdown(alwaysShowOther: Bool) -> String {
        var text = CountedNoun.text(packets, "packet") + " (\(tcpPackets) TCP"
        if alwaysShowOther || notTCPPackets > 0 { text += ", \(notTCPPackets) other" }
        if fragments > 0 { text += ", \(fragments) IP fragments not reassembled" }
        if truncatedTotal > 0 { text += ", \(truncatedTotal) cut by the snaplen" }
        if malformedTotal > 0 { text += ", \(malformedTotal) malformed" }
        return text + ")"
    }

    /// Packets the decoder could not read, by problem code. A code can be counted both as
    /// a snaplen cut and as malformed (a header cut with or without the snaplen to blame):
    /// it is listed once with the sum.
    var problemCounts: [(String, Int)] {
        truncated.merging(malformed, uniquingKeysWith: +).map { ($0.key.rawValue, $0.value) }
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
