/// Tells what a connection speaks from the bytes of a stream whose start was not captured
/// (the capture began after the handshake): runs of consistent frame headers, found the
/// same way resynchronization finds them. Ports play no part: the bytes decide.
enum ContentClassifier {
    /// Candidate offsets tried per direction: a first frame boundary lies within the first
    /// frame's length of the start, and the chains need the bytes after it anyway.
    static let maxScannedOffsets = 16 * 1024

    struct Verdict: Equatable {
        enum Kind: Equatable {
            case websocket
            case http2
        }
        var protocolKind: Kind
        /// Where each direction's first frame boundary was found, nil when that direction
        /// gave no chain (or no bytes).
        var boundaries: PerDirection<Int?>
        /// "websocket by content: 6 consistent frame headers from the client (masked), …"
        var evidence: String
    }

    /// Where each search goes on from: candidates ruled out stay ruled out as bytes come,
    /// so classifying a growing buffer again costs only the new candidates.
    struct Progress {
        var http2 = PerDirection(repeating: 0)
        var webSocket = PerDirection(repeating: 0)
    }

    /// `final`: no more bytes will come, so candidates whose chains run past them are
    /// passed over instead of waited for.
    static func classify(client: [UInt8], server: [UInt8], final: Bool = false) -> Verdict? {
        var progress = Progress()
        return classify(client: client, server: server, final: final, progress: &progress)
    }

    /// A verdict, or nil when the bytes show neither protocol (yet). `minPartial`: headers a
    /// partial chain needs to count (more when many candidates are tried, as while sliding
    /// over a large frame).
    static func classify(
        client: [UInt8], server: [UInt8], final: Bool, progress: inout Progress,
        minPartial: Int = minPartialHeaders
    ) -> Verdict? {
        if let verdict = chains(
            HTTP2FrameChainRule(), .http2, named: "http2", masking: false, client: client, server: server,
            final: final, progress: &progress.http2, minPartial: minPartial)
        {
            return verdict
        }
        return chains(
            WebSocketFrameChainRule(), .websocket, named: "websocket", masking: true, client: client, server: server,
            final: final, progress: &progress.webSocket, minPartial: minPartial)
    }

    /// `kind`'s verdict when both directions' chains under `rule` add up to its required
    /// headers.
    private static func chains(
        _ rule: some FrameChainRule, _ kind: Verdict.Kind, named name: String, masking: Bool, client: [UInt8],
        server: [UInt8], final: Bool, progress: inout PerDirection<Int>, minPartial: Int
    ) -> Verdict? {
        let found = PerDirection(
            clientToServer: first(
                rule, client, .clientToServer, final: final, from: &progress[.clientToServer], minPartial: minPartial),
            serverToClient: first(
                rule, server, .serverToClient, final: final, from: &progress[.serverToClient], minPartial: minPartial))
        guard (found.clientToServer?.headers ?? 0) + (found.serverToClient?.headers ?? 0) >= rule.requiredHeaders
        else { return nil }
        return Verdict(
            protocolKind: kind,
            boundaries: PerDirection(
                clientToServer: found.clientToServer?.offset, serverToClient: found.serverToClient?.offset),
            evidence: evidence(name, found, masking: masking))
    }

    /// Headers a direction's chain must have to count towards a verdict when it is not a
    /// full chain (the bytes end, or a long frame runs past them): the two directions'
    /// counts then add up, since both sides' frames are independent evidence.
    static let minPartialHeaders = 3
    /// The same once a direction slid past its first 16 KiB: a million candidates tried
    /// instead of sixteen thousand.
    static let minPartialHeadersSliding = 4

    /// The first candidate that starts a full chain, or a partial one of at least
    /// `minPartial` headers (with its header count); nil when none, or while an earlier
    /// candidate is still undecided (its chain runs past the bytes held).
    static func first(
        _ rule: some FrameChainRule, _ bytes: [UInt8], _ direction: Direction, final: Bool,
        from start: inout Int, minPartial: Int = minPartialHeaders
    ) -> (offset: Int, headers: Int)? {
        bytes.withUnsafeBytes { buffer in
            var candidate = start
            while candidate < min(buffer.count, maxScannedOffsets) {
                switch rule.chain(buffer, at: candidate, direction: direction) {
                case .plausible(let headers):
                    return (candidate, headers)
                case .broken:
                    candidate += 1
                    start = candidate
                case .endsExactly(let headers) where headers >= minPartial:
                    return (candidate, headers)
                case .runsOff(let headers) where !final && headers >= minPartial:
                    return (candidate, headers)
                case .runsOff, .endsExactly:
                    // An undecided earlier candidate keeps later ones waiting; at the end,
                    // only chains that tile the bytes exactly still count.
                    guard final else { return nil }
                    candidate += 1
                }
            }
            return nil
        }
    }

    private static func evidence(
        _ name: String, _ found: PerDirection<(offset: Int, headers: Int)?>, masking: Bool
    ) -> String {
        var parts: [String] = []
        for direction in [Direction.clientToServer, .serverToClient] {
            guard let (offset, headers) = found[direction] else { continue }
            let side = direction == .clientToServer ? "client" : "server"
            var part = "\(headers) consistent frame headers from the \(side)"
            if masking { part += direction == .clientToServer ? " (masked)" : " (unmasked)" }
            if offset > 0 { part += " after \(offset) bytes skipped" }
            parts.append(part)
        }
        return "\(name) by content: " + parts.joined(separator: ", ")
    }
}
