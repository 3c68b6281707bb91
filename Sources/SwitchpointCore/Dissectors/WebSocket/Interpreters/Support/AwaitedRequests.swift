/// Requests waiting for their answer, keyed by what pairs them (an ack id, a packet id, a
/// receipt), at most `WebSocketInterpreterLimits.maxOutstanding`: a new one past the
/// limit pushes out the oldest, which the caller reports as never answered.
package struct AwaitedRequests<Key: Hashable> {
    package struct Request: Sendable, Equatable {
        package var operation: String
        package var summary: String
        package var capture: CaptureInfo
        package var direction: Direction?
    }

    private var byKey: [Key: (request: Request, serial: UInt64)] = [:]
    private var order: [(key: Key, serial: UInt64)] = []
    private var orderStart = 0
    private var nextSerial: UInt64 = 0
    package let limit: Int

    package init(limit: Int = WebSocketInterpreterLimits.maxOutstanding) {
        self.limit = limit
    }

    package var count: Int { byKey.count }

    /// Adds a request; returns the one pushed out by the limit, if any.
    package mutating func insert(_ request: Request, for key: Key) -> Request? {
        nextSerial += 1
        byKey[key] = (request, nextSerial)
        order.append((key, nextSerial))
        var evicted: Request?
        while byKey.count > limit, let oldest = popOldest() {
            evicted = oldest
        }
        compactIfNeeded()
        return evicted
    }

    /// The request this key answers, removed.
    package mutating func answer(_ key: Key) -> Request? {
        byKey.removeValue(forKey: key)?.request
    }

    package func contains(_ key: Key) -> Bool { byKey[key] != nil }

    /// Every request still waiting, oldest first, removed.
    package mutating func drain() -> [Request] {
        var result: [Request] = []
        while let request = popOldest() { result.append(request) }
        order.removeAll()
        orderStart = 0
        return result
    }

    private mutating func popOldest() -> Request? {
        while orderStart < order.count {
            let (key, serial) = order[orderStart]
            orderStart += 1
            if let entry = byKey[key], entry.serial == serial {
                byKey.removeValue(forKey: key)
                return entry.request
            }
        }
        return nil
    }

    /// The order list keeps stale entries (answered requests) until it is twice the limit.
    private mutating func compactIfNeeded() {
        guard order.count > 2 * limit + 64 else { return }
        order = order[orderStart...].filter { byKey[$0.key]?.serial == $0.serial }
        orderStart = 0
    }
}

extension AwaitedRequests.Request {
    package init(_ operation: String, _ summary: String, at place: ApplicationPlace) {
        self.init(operation: operation, summary: summary, capture: place.capture, direction: place.direction)
    }

    /// The pairing an answer at `place` carries.
    package func pairing(answeredAt place: ApplicationPlace) -> ApplicationPairing {
        ApplicationPairing(
            requestOperation: operation, requestPacket: capture.packetNumber,
            latencyMilliseconds: place.capture.timestamp.milliseconds(since: capture.timestamp))
    }
}
