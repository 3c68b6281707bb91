// The decoder's counts as the closing summary shows them: the output layer's view of
// `DecodeStatistics` (the analysis layer only counts).

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
