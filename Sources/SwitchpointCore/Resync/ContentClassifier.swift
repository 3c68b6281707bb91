/// Tells what a connection speaks from the bytes of a stream whose start was not captured
/// (the capture began after the handshake): runs of consistent frame headers, found the
/// same way resynchronization finds them. Ports play no part: the bytes decide.
enum ContentClassifier {
    /// Candidates within this many bytes of a direction's first held byte need
    /// `minPartialHeaders` headers of a partial chain; later ones (a capture that began
    /// inside a large frame, held on) need `minPartialHeadersSliding`: far more candidates
    /// are tried there, so each must show more.
    static let maxScannedOffsets = 16 * 1024
    /// A candidate whose chain can go on only past this many bytes after it is ruled out:
    /// no hold would ever confirm it (random bytes read as a 64-bit length, mostly), and
    /// waiting for it would keep every later candidate waiting.
    static let maxAwaitedChainBytes = 1 << 24

    struct Verdict: Equatable {
        enum Kind: Equatable {
            case websocket
            case http2
            /// TLS records after a handshake that was not captured: never decrypted.
            case tls

            /// The protocol found, whose name the evidence starts with.
            var protocolID: ProtocolID {
                switch self {
                case .websocket: .websocket
                case .http2: .http2
                case .tls: .tls
                }
            }
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
        var tls = PerDirection(repeating: 0)
        /// Whether a direction's first held byte is where its capture began (a chain from
        /// it is anchored): not once a run of it was let go unrecognised.
        var anchored = PerDirection(repeating: true)
        /// Offsets in a direction's held bytes where a sender's write began, anchors as its
        /// first byte is: the plaintext of each TLS record of a connection decrypted after
        /// its handshake was missed (a writer ends its records on frames).
        var writeStarts = PerDirection<Set<Int>>(repeating: [])
    }

    /// `final`: no more bytes will come, so candidates whose chains run past them are
    /// passed over instead of waited for.
    static func classify(client: [UInt8], server: [UInt8], final: Bool = false) -> Verdict? {
        var progress = Progress()
        return classify(client: client, server: server, final: final, progress: &progress)
    }

    /// A verdict, or nil when the bytes show neither protocol (yet). `minPartial`: headers a
    /// partial chain within the first `maxScannedOffsets` bytes needs to count.
    static func classify(
        client: [UInt8], server: [UInt8], final: Bool, progress: inout Progress,
        minPartial: Int = minPartialHeaders
    ) -> Verdict? {
        if let verdict = chains(
            HTTP2FrameChainRule(), .http2, masking: false, client: client, server: server,
            final: final, progress: &progress.http2, anchored: progress.anchored,
            writeStarts: progress.writeStarts, minPartial: minPartial)
        {
            return verdict
        }
        if let verdict = chains(
            WebSocketFrameChainRule(), .websocket, masking: true, client: client, server: server,
            final: final, progress: &progress.webSocket, anchored: progress.anchored,
            writeStarts: progress.writeStarts, minPartial: minPartial)
        {
            return verdict
        }
        return chains(
            TLSRecordChainRule(), .tls, masking: false, client: client, server: server, final: final,
            progress: &progress.tls, anchored: progress.anchored,
            writeStarts: progress.writeStarts, minPartial: minPartial)
    }

    /// `kind`'s verdict when both directions' chains under `rule` add up to its required
    /// headers.
    private static func chains(
        _ rule: some FrameChainRule, _ kind: Verdict.Kind, masking: Bool, client: [UInt8],
        server: [UInt8], final: Bool, progress: inout PerDirection<Int>, anchored: PerDirection<Bool>,
        writeStarts: PerDirection<Set<Int>>, minPartial: Int
    ) -> Verdict? {
        let found = PerDirection(
            clientToServer: first(
                rule, client, .clientToServer, final: final, from: &progress[.clientToServer],
                anchored: anchored[.clientToServer], writeStarts: writeStarts[.clientToServer], minPartial: minPartial),
            serverToClient: first(
                rule, server, .serverToClient, final: final, from: &progress[.serverToClient],
                anchored: anchored[.serverToClient], writeStarts: writeStarts[.serverToClient], minPartial: minPartial))
        // At the end a little less will do when a text payload was checked: a connection
        // that carried one message each way after the capture began has no more to show.
        let checked = (found.clientToServer?.checked ?? 0) + (found.serverToClient?.checked ?? 0)
        let needed = final && checked > 0 ? rule.requiredHeaders - anchoredWeight : rule.requiredHeaders
        guard score(found.clientToServer) + score(found.serverToClient) >= needed else { return nil }
        return Verdict(
            protocolKind: kind,
            boundaries: PerDirection(
                clientToServer: found.clientToServer?.offset, serverToClient: found.serverToClient?.offset),
            evidence: evidence(kind, found, masking: masking))
    }

    /// What a direction's chain counts towards its rule's `requiredHeaders`: one per
    /// header, two per header of an anchored chain (one that starts at the direction's
    /// first held byte and is consistent up to the end of the bytes). An anchored chain is
    /// one candidate, not sixteen thousand: random bytes pass it with the probability of
    /// its headers alone (about 0.03 each for WebSocket, far less for HTTP/2), and
    /// captures mostly begin on a packet, so on a sender's write, so on a frame.
    /// An anchored chain's checked frames (whole text payloads of 16 bytes or more that are
    /// valid UTF-8) count `anchoredWeight` more each.
    static func score(_ found: Found?) -> Int {
        guard let found else { return 0 }
        guard found.anchored else { return found.headers + (found.exact ? 1 : 0) }
        return (found.headers + found.checked + found.closes + (found.exact ? 1 : 0)) * anchoredWeight
    }

    /// A direction's first candidate that counts: where, its headers, and whether it is
    /// its capture's first byte.
    struct Found {
        var offset: Int
        var headers: Int
        var anchored: Bool
        /// Frames whose content was checked too (counted for anchored chains only).
        var checked = 0
        /// Close frames with a code that may be sent and a UTF-8 reason (anchored chains only;
        /// unlike checked text, they do not lower what the end of a connection needs).
        var closes = 0
        /// The chain tiles the bytes exactly, its last frame ending with them: one header's
        /// worth more for an anchored HTTP/2 or TLS chain (a length that lands on the end).
        var exact = false
    }

    static let anchoredWeight = 2
    // Headers an anchored chain needs to count at all (`FrameChainRule.minAnchoredHeaders`):
    // one WebSocket header scores 2 of 6 (4 with a checked text payload), so the other
    // direction must add to it, and three score 6 alone; HTTP/2 and TLS, which need 3,
    // take 2 (scoring 4) from one direction, never a single header from each.

    /// Headers a direction's chain must have to count towards a verdict when it is not a
    /// full chain (the bytes end, or a long frame runs past them): the two directions'
    /// counts then add up, since both sides' frames are independent evidence.
    static let minPartialHeaders = 3
    /// The same past a direction's first 16 KiB: up to a million candidates tried instead
    /// of sixteen thousand.
    static let minPartialHeadersSliding = 4

    /// The first candidate that starts a full chain, or a partial one of at least
    /// `minPartial` headers (`minAnchoredHeaders` at the first byte, which may also run off
    /// the end of a final stream: its last frame was still arriving), with its header
    /// count; nil when none, or while an earlier candidate is still undecided (its chain
    /// runs past the bytes held).
    static func first(
        _ rule: some FrameChainRule, _ bytes: [UInt8], _ direction: Direction, final: Bool,
        from start: inout Int, anchored anchoring: Bool = true, writeStarts: Set<Int> = [],
        minPartial: Int = minPartialHeaders
    ) -> Found? {
        // An exact tiling counts for the rules whose anchored chains need two headers (HTTP/2,
        // TLS: a lone final GOAWAY); a WebSocket frame ends with its packet too often.
        let tilingCounts = rule.minAnchoredHeaders > 1
        return bytes.withUnsafeBytes { buffer in
            var candidate = start
            while candidate < buffer.count {
                let anchored =
                    anchoring && (candidate == 0 || (!writeStarts.isEmpty && writeStarts.contains(candidate)))
                let needed =
                    anchored
                    ? rule.minAnchoredHeaders
                    : candidate < maxScannedOffsets ? minPartial : max(minPartial, minPartialHeadersSliding)
                switch rule.chain(buffer, at: candidate, direction: direction) {
                case .plausible(let headers):
                    return found(rule, buffer, candidate, headers, anchored, direction)
                case .broken:
                    candidate += 1
                    start = candidate
                case .runsOff(_, let needs) where needs - candidate > maxAwaitedChainBytes:
                    candidate += 1
                    if start == candidate - 1 { start = candidate }
                case .endsExactly(let headers) where headers + ((anchored || final) && tilingCounts ? 1 : 0) >= needed:
                    // At the end of a stream, a last length landing on its last byte is worth a
                    // header wherever the chain starts (a decrypted stream's last 16 KiB record
                    // holds two frames and the tail of a third).
                    var result = found(rule, buffer, candidate, headers, anchored, direction)
                    result.exact = (anchored || final) && tilingCounts
                    return result
                case .runsOff(let headers, _) where (!final || anchored) && headers >= needed:
                    return found(rule, buffer, candidate, headers, anchored, direction)
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

    private static func found(
        _ rule: some FrameChainRule, _ buffer: UnsafeRawBufferPointer, _ candidate: Int, _ headers: Int,
        _ anchored: Bool, _ direction: Direction
    ) -> Found {
        Found(
            offset: candidate, headers: headers, anchored: anchored,
            checked: anchored ? rule.checkedFrames(buffer, at: candidate, direction: direction) : 0,
            closes: anchored ? rule.checkedCloseFrames(buffer, at: candidate, direction: direction) : 0)
    }

    private static func evidence(
        _ kind: Verdict.Kind, _ found: PerDirection<Found?>, masking: Bool
    ) -> String {
        var parts: [String] = []
        for direction in [Direction.clientToServer, .serverToClient] {
            guard let (offset, headers, anchored) = found[direction].map({ ($0.offset, $0.headers, $0.anchored) })
            else { continue }
            let checked = found[direction]?.checked ?? 0
            let side = direction == .clientToServer ? "client" : "server"
            let unit = kind == .tls ? "record" : "frame"
            var part = "\(headers) consistent \(unit) header\(headers == 1 ? "" : "s") from the \(side)"
            if masking { part += direction == .clientToServer ? " (masked)" : " (unmasked)" }
            if offset > 0 {
                part += " after \(offset) bytes skipped"
            } else if anchored {
                part += " from its first captured byte"
            }
            if checked > 0 {
                let payloads = checked == 1 ? "a whole text payload that is" : "whole text payloads that are"
                part += " (\(checked) with \(payloads) valid UTF-8)"
            }
            if let closes = found[direction]?.closes, closes > 0 {
                part += " (\(closes) close frame\(closes == 1 ? "" : "s") with a code that may be sent)"
            }
            parts.append(part)
        }
        return "\(kind.protocolID.name) by content: " + parts.joined(separator: ", ")
    }
}
