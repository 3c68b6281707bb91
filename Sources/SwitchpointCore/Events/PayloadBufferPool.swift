/// Byte arrays for event payloads (a WebSocket message's kept bytes, a control frame's
/// payload, a raw chunk's head, an HTTP body's start), handed back once their event has been printed, so a
/// dissector in its steady state builds events without allocating.
///
/// Each buffer returns right after its event was delivered. A buffer still shared with an
/// event someone kept (a collector) is copied on its first write, as arrays are: the pool
/// only saves allocations, it never aliases.
package final class PayloadBufferPool {
    /// Bytes of capacity kept at most, and the largest single buffer kept (a
    /// `--payload full` message's buffer is let go rather than held).
    static let maxHeldBytes = 1 << 20
    static let maxCapacity = 64 << 10

    private var buffers: [[UInt8]] = []
    private var heldBytes = 0

    package init() {}

    /// An empty buffer, reused when one is available.
    @inline(__always)
    package func take() -> [UInt8] {
        guard var buffer = buffers.popLast() else { return [] }
        heldBytes -= buffer.capacity
        buffer.removeAll(keepingCapacity: true)
        return buffer
    }

    /// Gives a buffer back for reuse.
    @inline(__always)
    package func put(_ buffer: [UInt8]) {
        let capacity = buffer.capacity
        guard capacity > 0, capacity <= Self.maxCapacity, heldBytes + capacity <= Self.maxHeldBytes else { return }
        heldBytes += capacity
        buffers.append(buffer)
    }

    /// Gives back the payload buffers of a delivered event.
    @inline(__always)
    func reclaim(from event: TimelineEvent) {
        switch event.tag {
        case .wsMessage:
            if case .wsMessage(let message) = event.kind { put(message.kept) }
        case .wsControl:
            if case .wsControl(let control) = event.kind { put(control.payload) }
        case .rawData:
            if case .rawData(let chunk) = event.kind { put(chunk.head) }
        case .httpBody:
            if case .httpBody(_, _, let kept, _) = event.kind { put(kept) }
        case .connectionOpened, .connectionClosed, .gap, .httpRequest, .httpResponse, .upgrade, .finding,
            .tlsClientHello, .tlsServerHello, .tlsHelloRetry, .tlsSession, .tlsEncrypted, .wsFrame, .wsClose,
            .wsClosing, .h2Frame, .h2Settings, .h2Headers, .h2Reset, .h2GoAway, .h2Ping, .h2Stream, .app:
            break
        }
    }
}
