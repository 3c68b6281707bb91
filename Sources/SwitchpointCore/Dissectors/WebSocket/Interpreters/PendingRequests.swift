/// Requests waiting for their answers, by key, at most `WebSocketInterpreterLimits
/// .maxOutstanding`: a flood of requests never answered cannot grow it, the oldest makes
/// room (and is handed back, to be reported). Insertion order is kept in a queue, so making
/// room costs O(1) amortized however full the table is.
package struct PendingRequests<Key: Hashable, Request> {
    private var entries: [Key: (sequence: UInt64, request: Request)] = [:]
    /// Keys in insertion order from `head`; entries answered since are skipped (and
    /// dropped when the queue holds `compactionFactor` times the limit).
    private var order: [(key: Key, sequence: UInt64)] = []
    private var head = 0
    private var nextSequence: UInt64 = 0
    package let limit: Int
    static var compactionFactor: Int { 4 }

    package init(limit: Int = WebSocketInterpreterLimits.maxOutstanding) {
        self.limit = max(1, limit)
    }

    package var count: Int { entries.count }
    package var isEmpty: Bool { entries.isEmpty }

    package func contains(_ key: Key) -> Bool { entries[key] != nil }

    package subscript(key: Key) -> Request? { entries[key]?.request }

    /// Adds (or replaces) `key`; returns the oldest request when it had to make room.
    @discardableResult
    package mutating func insert(_ request: Request, for key: Key) -> Request? {
        var evicted: Request?
        if entries[key] == nil, entries.count >= limit { evicted = removeOldest() }
        entries[key] = (nextSequence, request)
        order.append((key, nextSequence))
        nextSequence += 1
        if order.count - head > limit * Self.compactionFactor { compact() }
        return evicted
    }

    package mutating func update(_ key: Key, _ change: (inout Request) -> Void) {
        guard var entry = entries[key] else { return }
        change(&entry.request)
        entries[key] = entry
    }

    package mutating func remove(_ key: Key) -> Request? {
        entries.removeValue(forKey: key)?.request
    }

    /// Every waiting request, oldest first; the table is emptied.
    package mutating func removeAll() -> [Request] {
        let ordered = entries.values.sorted { $0.sequence < $1.sequence }.map(\.request)
        entries.removeAll()
        order.removeAll()
        head = 0
        return ordered
    }

    private mutating func removeOldest() -> Request? {
        while head < order.count {
            let (key, sequence) = order[head]
            head += 1
            if entries[key]?.sequence == sequence { return entries.removeValue(forKey: key)?.request }
        }
        return nil
    }

    /// Drops the queue's answered and replaced keys.
    private mutating func compact() {
        order = order[head...].filter { entries[$0.key]?.sequence == $0.sequence }
        head = 0
    }
}
