/// How a front exchange was paired with its upstream exchange.
package enum PairEvidence: String, Sendable, CustomStringConvertible {
    /// The same Sec-WebSocket-Key on both legs (a proxy forwards it unchanged).
    case secWebSocketKey = "sec-websocket-key"
    /// The same method and target, the upstream request closest in time.
    case methodTargetTiming = "method+target+timing"
    /// An HTTP/2 extended CONNECT on one leg and an HTTP/1.1 Upgrade on the other (RFC
    /// 8441 translated by the proxy), or an h2 request proxied as h1: the same target,
    /// the upstream request closest in time.
    case translatedTargetTiming = "h2/h1+target+timing"
    /// A forward proxy's CONNECT and the proxy's own connection to that host and port,
    /// opened while the CONNECT waited for its answer.
    case connectTarget = "connect-target+timing"

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
