/// How a front exchange was paired with its upstream exchange.
package enum PairEvidence: String, Sendable, CustomStringConvertible {
    /// The same Sec-WebSocket-Key on both legs (a proxy forwards it unchanged).
    case secWebSocketKey = "sec-websocket-key"
    /// The same method and target, the upstream request closest in time.
    case methodTargetTiming = "method+target+timing"

    package var description: String { rawValue }
}

/// How sure a pairing is: a shared key is certain; by timing it is as good as the
/// candidates were few.
package enum Confidence: String, Sendable, CustomStringConvertible {
    case high
    /// The only candidate with that method and target.
    case medium
    /// The closest of several candidates.
    case low

    package var description: String { rawValue }
}
