/// `--shard I/N`: which connections one of N cooperating runs analyses. Every run reads
/// every packet (so a connection spanning rotated files stays whole and capture time
/// advances alike everywhere); a TCP packet is analysed only by the shard its flow's
/// symmetric hash picks, and packets that belong to no connection (not TCP, IP fragments,
/// undecodable) are counted by shard 0 alone, so the shards' counts add up to one run's.
package struct ShardSelector: Sendable, Equatable {
    package let index: Int
    package let count: Int

    /// The most shards one analysis is split into (a bound, not a tuning value).
    package static let maxCount = 4096

    package init?(index: Int, count: Int) {
        guard (1...Self.maxCount).contains(count), (0..<count).contains(index) else { return nil }
        self.index = index
        self.count = count
    }

    /// Parses `I/N` (0 ≤ I < N).
    package init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else { return nil }
        self.init(index: index, count: count)
    }

    /// Whether this shard owns the flow between `a` and `b` (either direction).
    @inline(__always)
    package func owns(_ a: Endpoint, _ b: Endpoint) -> Bool {
        Int(Self.flowHash(a, b) % UInt64(count)) == index
    }

    /// Whether this shard counts packets that belong to no connection.
    package var countsUnattachedPackets: Bool { index == 0 }

    /// FNV-1a over both endpoints in a fixed order: the same value for both directions, on
    /// every machine and in every process (`FNV1a`).
    package static func flowHash(_ a: Endpoint, _ b: Endpoint) -> UInt64 {
        let ordered = FlowKey(a, b)
        var hash = FNV1a.offsetBasis
        for endpoint in [ordered.lower, ordered.upper] {
            hash = FNV1a.mix(hash, endpoint.address.high)
            hash = FNV1a.mix(hash, endpoint.address.low)
            hash = FNV1a.mix(hash, UInt64(endpoint.port))
        }
        return hash
    }
}
