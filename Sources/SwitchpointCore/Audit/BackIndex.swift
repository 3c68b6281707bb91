/// Back records not yet paired, indexed by the evidence a front is paired with.
struct BackIndex {
    private struct RequestKey: Hashable {
        var method: String
        var target: String
    }

    /// Backs with one method and target, sorted by request time, with union-find links
    /// to skip paired entries in both directions (amortized near O(1) per lookup).
    private struct TimeGroup {
        var positions: [Int] = []  // indices into the backs, sorted by (time, index)
        var times: [Timestamp] = []
        var nextFree: [Int] = []  // nextFree[i]: first unpaired slot ≥ i (count = none)
        var previousFree: [Int] = []  // previousFree[i + 1]: last unpaired slot ≤ i, plus one (0 = none)
        var remaining = 0

        mutating func seal(_ backs: [ExchangeRecord]) {
            positions.sort { ((backs[$0].requestTime ?? .zero), $0) < ((backs[$1].requestTime ?? .zero), $1) }
            times = positions.map { backs[$0].requestTime ?? .zero }
            nextFree = Array(0...positions.count)
            previousFree = Array(0...positions.count)
            remaining = positions.count
        }

        mutating func findNext(_ slot: Int) -> Int {
            var root = slot
            while nextFree[root] != root { root = nextFree[root] }
            var cursor = slot
            while nextFree[cursor] != root {
                let following = nextFree[cursor]
                nextFree[cursor] = root
                cursor = following
            }
            return root
        }

        /// The last unpaired slot ≤ `slot`, or nil.
        mutating func findPrevious(_ slot: Int) -> Int? {
            var root = slot + 1
            while previousFree[root] != root { root = previousFree[root] }
            var cursor = slot + 1
            while previousFree[cursor] != root {
                let following = previousFree[cursor]
                previousFree[cursor] = root
                cursor = following
            }
            return root == 0 ? nil : root - 1
        }

        mutating func take(_ slot: Int) {
            nextFree[slot] = slot + 1
            previousFree[slot + 1] = slot
            remaining -= 1
        }

        /// First slot whose time is ≥ `time`.
        func lowerBound(_ time: Timestamp) -> Int {
            var low = 0
            var high = times.count
            while low < high {
                let middle = (low + high) / 2
                if times[middle] < time { low = middle + 1 } else { high = middle }
            }
            return low
        }
    }

    private let backs: [ExchangeRecord]
    private var paired: [Bool]
    /// Sec-WebSocket-Key → backs carrying it, in order, with a cursor past the paired ones.
    private var byKey: [String: (positions: [Int], cursor: Int)] = [:]
    private var byRequest: [RequestKey: TimeGroup] = [:]
    /// Where each back sits in its time group, to unlink it when paired by key.
    private var slotInGroup: [Int] = []

    init(_ backs: [ExchangeRecord]) {
        self.backs = backs
        paired = Array(repeating: false, count: backs.count)
        slotInGroup = Array(repeating: -1, count: backs.count)
        for (position, back) in backs.enumerated() {
            if let key = back.webSocketKey { byKey[key, default: ([], 0)].positions.append(position) }
            if let request = back.request, let method = back.pairingMethod, !back.isConnectTunnel {
                byRequest[RequestKey(method: method, target: request.target), default: TimeGroup()].positions
                    .append(position)
            }
        }
        for key in Array(byRequest.keys) {
            byRequest[key]?.seal(backs)
            if let positions = byRequest[key]?.positions {
                for (slot, position) in positions.enumerated() { slotInGroup[position] = slot }
            }
        }
    }

    /// Backs never paired, in their original order.
    var unpaired: [Int] { paired.indices.filter { !paired[$0] } }

    /// The back record that carries `front`'s request: the same Sec-WebSocket-Key, else
    /// the same method and target sent closest in time to the front's request (an
    /// extended CONNECT counts as the `GET` an HTTP/1.1 leg sends for it).
    mutating func match(_ front: ExchangeRecord) -> (Int, PairEvidence, Confidence)? {
        if let key = front.webSocketKey, var entry = byKey[key] {
            while entry.cursor < entry.positions.count, paired[entry.positions[entry.cursor]] { entry.cursor += 1 }
            byKey[key] = entry
            if entry.cursor < entry.positions.count {
                let position = entry.positions[entry.cursor]
                take(position)
                return (position, .secWebSocketKey, .high)
            }
        }
        guard let request = front.request, let method = front.pairingMethod, let sent = front.requestTime else {
            return nil
        }
        let requestKey = RequestKey(method: method, target: request.target)
        // Taken out while it changes: a copy held beside the dictionary's would make every
        // path compression copy the group's arrays (quadratic at 100,000 backs).
        guard var group = byRequest.removeValue(forKey: requestKey), group.remaining > 0 else { return nil }
        let candidates = group.remaining
        let bound = group.lowerBound(sent)
        var best: Int?
        let after = group.findNext(bound)
        if after < group.positions.count { best = after }
        if let before = group.findPrevious(bound - 1) {
            // Among equal times the earliest back wins, as a scan in order would pick it.
            let first = group.findNext(group.lowerBound(group.times[before]))
            let distanceBefore = abs(group.times[first].seconds(since: sent))
            if let current = best {
                let distanceAfter = abs(group.times[current].seconds(since: sent))
                if distanceBefore < distanceAfter
                    || (distanceBefore == distanceAfter && group.positions[first] < group.positions[current])
                {
                    best = first
                }
            } else {
                best = first
            }
        }
        guard let slot = best else {
            byRequest[requestKey] = group
            return nil
        }
        let position = group.positions[slot]
        paired[position] = true
        group.take(slot)
        byRequest[requestKey] = group
        let evidence: PairEvidence =
            front.isHTTP2 == backs[position].isHTTP2 ? .methodTargetTiming : .translatedTargetTiming
        return (position, evidence, candidates == 1 ? .medium : .low)
    }

    private mutating func take(_ position: Int) {
        paired[position] = true
        if let request = backs[position].request, let method = backs[position].pairingMethod {
            let key = RequestKey(method: method, target: request.target)
            byRequest[key]?.take(slotInGroup[position])
        }
    }
}
