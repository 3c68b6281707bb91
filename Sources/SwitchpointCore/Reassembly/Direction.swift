/// Which way bytes flow on a connection.
package enum Direction: Int, Sendable, Hashable, CaseIterable {
    case clientToServer = 0
    case serverToClient = 1

    /// The short form used in JSON and the timeline: `c2s` / `s2c`.
    package var shortName: String {
        switch self {
        case .clientToServer: "c2s"
        case .serverToClient: "s2c"
        }
    }

    package var reversed: Direction {
        switch self {
        case .clientToServer: .serverToClient
        case .serverToClient: .clientToServer
        }
    }
}

/// Connections are numbered from 1 in the order they are first seen.
package typealias ConnectionID = Int

/// A direction-independent key for a TCP 4-tuple: the smaller endpoint comes first, so
/// both directions of a connection find the same entry.
struct FlowKey: Hashable {
    var lower: Endpoint
    var upper: Endpoint

    init(_ a: Endpoint, _ b: Endpoint) {
        if Self.isOrdered(a, b) {
            lower = a
            upper = b
        } else {
            lower = b
            upper = a
        }
    }

    /// Every packet looks its connection up by this key: IPv4 flows are hashed as two
    /// words holding every bit (the synthesized hash fed eight fields one by one, a third
    /// of the lookup). Lossless, so colliding keys are no easier to forge than before.
    func hash(into hasher: inout Hasher) {
        if !lower.address.isIPv6 && !upper.address.isIPv6 {
            hasher.combine(lower.address.low << 32 | upper.address.low & 0xffff_ffff)
            hasher.combine(UInt32(lower.port) << 16 | UInt32(upper.port))
        } else {
            hasher.combine(lower.address.high)
            hasher.combine(lower.address.low)
            hasher.combine(upper.address.high)
            hasher.combine(upper.address.low)
            hasher.combine(UInt32(lower.port) << 16 | UInt32(upper.port))
            hasher.combine(lower.address.isIPv6)
            hasher.combine(upper.address.isIPv6)
        }
    }

    @inline(__always)
    private static func isOrdered(_ a: Endpoint, _ b: Endpoint) -> Bool {
        if a.address.high != b.address.high { return a.address.high < b.address.high }
        if a.address.low != b.address.low { return a.address.low < b.address.low }
        return a.port <= b.port
    }
}
