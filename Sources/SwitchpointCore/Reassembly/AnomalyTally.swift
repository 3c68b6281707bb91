/// How often one anomaly code happened on a connection, in one direction (or on the
/// connection as a whole when `direction` is nil).
package struct AnomalyCount: Sendable, Equatable {
    package var code: ReassemblyAnomalyCode
    package var direction: Direction?
    package var count: Int
}

/// Rate limiting for anomalies: each code is reported once per connection and direction,
/// later occurrences only counted (a flood of out-of-order segments would otherwise
/// print a line per packet). The counts travel in the connection's close summary.
struct AnomalyTally {
    private(set) var counts: [AnomalyCount] = []

    /// Counts one occurrence; true the first time, when it should be reported.
    mutating func note(_ code: ReassemblyAnomalyCode, direction: Direction?) -> Bool {
        // A handful of codes at most per connection: a linear search beats hashing.
        if let index = counts.firstIndex(where: { $0.code == code && $0.direction == direction }) {
            counts[index].count += 1
            return false
        }
        counts.append(AnomalyCount(code: code, direction: direction, count: 1))
        return true
    }

    mutating func merge(_ other: AnomalyTally) {
        for entry in other.counts {
            if let index = counts.firstIndex(where: { $0.code == entry.code && $0.direction == entry.direction }) {
                counts[index].count += entry.count
            } else {
                counts.append(entry)
            }
        }
    }
}
