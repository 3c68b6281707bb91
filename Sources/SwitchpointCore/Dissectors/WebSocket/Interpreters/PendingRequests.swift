/// Requests waiting for their answers, by key, at most `WebSocketInterpreterLimits
/// .maxOutstanding`: a flood of requests never answered cannot grow it, the oldest makes
/// room (and is handed back, to be reported).
package struct PendingRequests<Key: Hashable, Request> {
    private var entries: [Key: (sequence: UInt64, request: Request)] = [:]
    private var nextSequence: UInt64 = 0
    package let limit: Int

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
        if entries[key] == nil, entries.count >= limit,
            let oldest = entries.min(by: { $0.value.sequence < $1.value.sequence })
        {
            evicted = oldest.value.request
            entries[oldest.key] = nil
        }
        entries[key] = (nextSequence, request)
        nextSequence += 1
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
        return ordered
    }
}
