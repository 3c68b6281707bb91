/// How one leg's TCP connection ended: who sent the first FIN or RST, and how long after
/// the last payload. A proxy that closes both legs first after silence killed them; an
/// end that closed first was not the proxy's doing.
package struct LegEnding: Sendable, Equatable {
    package enum CloseKind: String, Sendable {
        case fin
        case rst
    }

    package var reason: CloseReason
    /// The connection's last packet (or the decision to close it).
    package var at: Timestamp
    /// The direction whose FIN or RST came first (nil: neither was captured).
    package var firstCloser: Direction?
    package var firstCloseKind: CloseKind?
    package var firstCloseAt: Timestamp?
    /// The last payload of either direction before the end.
    package var lastPayloadAt: Timestamp?

    package init(_ summary: ConnectionSummary) {
        reason = summary.reason
        at = summary.end
        let c2s = summary.clientToServer
        let s2c = summary.serverToClient
        switch (c2s.closingAt, s2c.closingAt) {
        case (let client?, let server?):
            firstCloser = client <= server ? .clientToServer : .serverToClient
        case (.some, nil): firstCloser = .clientToServer
        case (nil, .some): firstCloser = .serverToClient
        case (nil, nil): firstCloser = nil
        }
        if let firstCloser {
            let stats = summary.stats(firstCloser)
            firstCloseKind = stats.finSeen ? .fin : .rst
            firstCloseAt = stats.closingAt
        }
        lastPayloadAt = [c2s.lastPayloadAt, s2c.lastPayloadAt].compactMap { $0 }.max()
    }

    /// Seconds from the last payload to the first FIN/RST.
    package var silenceBeforeClose: Double? {
        guard let firstCloseAt, let lastPayloadAt else { return nil }
        return max(0, firstCloseAt.seconds(since: lastPayloadAt))
    }
}
