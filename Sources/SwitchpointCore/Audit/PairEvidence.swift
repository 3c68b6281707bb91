/// How a front exchange was paired with its upstream exchange.
public enum PairEvidence: String, Sendable, CustomStringConvertible {
    /// The same Sec-WebSocket-Key on both legs (a proxy forwards it unchanged).
    case secWebSocketKey = "sec-websocket-key"
    /// The same method and target, the upstream request closest in time.
    case methodTargetTiming = "method+target+timing"

    public var description: String { rawValue }
}

/// How sure a pairing is: a shared key is certain; by timing it is as good as the
/// candidates were few.
public enum Confidence: String, Sendable, CustomStringConvertible {
    case high
    /// The only candidate with that method and target.
    case medium
    /// The closest of several candidates.
    case low

    public var description: String { rawValue }
}
