/// A forward proxy's CONNECT tunnel (`CONNECT host:port`, answered 2xx) and the proxy's
/// own connection to that host and port, opened while the CONNECT waited for its answer.
package struct TunnelPair: Sendable {
    package var front: ExchangeRecord
    /// Nil: no connection to the target was captured.
    package var back: ConnectionLeg?
    package var evidence: PairEvidence
    package var confidence: Confidence

    /// How long before the CONNECT a connection to its target may start and still be its
    /// upstream leg (clocks of two captures differ a little).
    static let earlyStartSeconds: Double = 0.05
    /// How long after the answer (or the request, with no answer) it may start.
    static let lateStartSeconds: Double = 1.0

    /// Pairs each CONNECT with the connection to its target that started closest after it,
    /// within the answer's window; each connection serves one CONNECT.
    static func pair(_ connects: [ExchangeRecord], connections: [ConnectionLeg]) -> [TunnelPair] {
        guard !connects.isEmpty else { return [] }
        // Per port, by start time: each CONNECT looks at its window only (a binary search),
        // not at every connection to the port.
        var byPort: [UInt16: [Int]] = [:]
        for (index, leg) in connections.enumerated() { byPort[leg.server.port, default: []].append(index) }
        for port in Array(byPort.keys) { byPort[port]?.sort { connections[$0].start < connections[$1].start } }
        var taken = Set<Int>()
        var tunnels: [TunnelPair] = []
        for front in connects.sorted(by: { ($0.requestTime ?? .zero) < ($1.requestTime ?? .zero) }) {
            guard let target = front.request.flatMap({ HostPort($0.target) }), let sent = front.requestTime else {
                continue
            }
            let earliest = sent.adding(seconds: -earlyStartSeconds)
            let latest = (front.responseTime ?? sent).adding(seconds: lateStartSeconds)
            let ordered = byPort[target.port] ?? []
            var slot = lowerBound(ordered, earliest, connections)
            var candidates: [Int] = []
            while slot < ordered.count, connections[ordered[slot]].start <= latest {
                let index = ordered[slot]
                let leg = connections[index]
                if !taken.contains(index) && leg.server.matches(host: target.host)
                    && !(leg.file == front.file && leg.connection == front.connection)
                {
                    candidates.append(index)
                }
                slot += 1
            }
            let best = candidates.min {
                abs(connections[$0].start.seconds(since: sent)) < abs(connections[$1].start.seconds(since: sent))
            }
            if let best { taken.insert(best) }
            tunnels.append(
                TunnelPair(
                    front: front, back: best.map { connections[$0] }, evidence: .connectTarget,
                    confidence: candidates.count == 1 ? .high : .medium))
        }
        return tunnels
    }

    /// The first place in `ordered` whose connection starts at or after `time`.
    private static func lowerBound(_ ordered: [Int], _ time: Timestamp, _ connections: [ConnectionLeg]) -> Int {
        var low = 0
        var high = ordered.count
        while low < high {
            let middle = (low + high) / 2
            if connections[ordered[middle]].start < time { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

extension Endpoint {
    /// Whether this endpoint's address is `host`; a name matches any address (a capture
    /// shows addresses, and the audit resolves no names).
    fileprivate func matches(host: String) -> Bool {
        guard let literal = IPAddress(host) else { return true }
        return address == literal
    }
}

extension Timestamp {
    fileprivate func adding(seconds: Double) -> Timestamp {
        adding(nanoseconds: Int64(seconds * 1e9))
    }
}
