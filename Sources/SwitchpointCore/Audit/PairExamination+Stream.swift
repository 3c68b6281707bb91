/// Inside the switched stream: the messages end to end, the close frames, and who ended
/// each leg.
extension PairExamination {
    /// Compares the messages of both legs; returns the per-message delays the proxy added.
    func examineMessages(_ pair: AuditPair, _ findings: inout Findings) -> [Double] {
        var delays: [Double] = []
        for direction in Direction.allCases {
            // The sender's leg first: client messages cross front → back, server ones back → front.
            let sender = direction == .clientToServer ? pair.front : pair.back
            let receiver = direction == .clientToServer ? pair.back : pair.front
            var to = MessageQueue(receiver.keptMessages(direction))
            var lost = 0
            var altered = 0
            var reordered = 0
            for message in sender.keptMessages(direction) {
                if let index = to.first(digest: message.digest) {
                    if index != to.head { reordered += 1 }
                    let delay = to.messages[index].timestamp.seconds(since: message.timestamp) * 1000
                    delays.append(direction == .clientToServer ? delay - clockOffset : delay + clockOffset)
                    to.remove(index)
                } else if let index = to.first(length: message.length) {
                    altered += 1
                    to.remove(index)
                } else {
                    lost += 1
                }
            }
            // Past the compared window only counts are known: what the sender sent beyond
            // it that the receiver has no message for (kept or not) was lost.
            lost += max(
                0, sender.messagesBeyondWindow(direction) - receiver.messagesBeyondWindow(direction) - to.remaining)
            let who = direction == .clientToServer ? "client" : "server"
            if lost > 0 {
                findings.add(.messageLost, "\(CountedNoun.text(lost, "\(who) message")) never reached the other leg")
            }
            if altered > 0 {
                findings.add(
                    .messageAltered,
                    "\(CountedNoun.text(altered, "\(who) message")) changed on the way (same length, different content)"
                )
            }
            if reordered > 0 {
                findings.add(.messageReordered, "\(CountedNoun.text(reordered, "\(who) message")) arrived out of order")
            }
        }
        examineCloseFrames(pair, &findings)
        return delays
    }

    /// Close codes relayed?
    private func examineCloseFrames(_ pair: AuditPair, _ findings: inout Findings) {
        for direction in Direction.allCases {
            let source = direction == .serverToClient ? pair.back : pair.front
            let target = direction == .serverToClient ? pair.front : pair.back
            guard let sent = source.closeFrames.first(where: { $0.direction == direction }) else { continue }
            let relayed = target.closeFrames.first { $0.direction == direction }
            if relayed == nil || relayed?.code != sent.code {
                let who = direction == .serverToClient ? "upstream" : "client"
                findings.add(
                    .closeNotRelayed,
                    "the \(who) sent close \(sent.code.map(String.init) ?? "(no code)"), the other side saw \(relayed.map { $0.code.map(String.init) ?? "(no code)" } ?? "none (1006)")"
                )
            }
        }
    }

    /// The proxy killed the tunnel: no close frame on either leg, and the proxy sent the
    /// first FIN/RST on both (it is the server of the front leg and the client of the back
    /// one). Without that evidence (an HTTP/2 leg, a FIN not captured), both legs ending
    /// within the window says it.
    func examineEnd(_ pair: AuditPair, _ findings: inout Findings) {
        let front = pair.front
        let back = pair.back
        guard front.closeFrames.isEmpty, back.closeFrames.isEmpty, let frontEnd = front.closedAt,
            let backEnd = back.closedAt
        else { return }
        let frontCloser = front.isHTTP2 ? nil : front.ending?.firstCloser
        let backCloser = back.isHTTP2 ? nil : back.ending?.firstCloser
        let proxyClosedBoth = frontCloser == .serverToClient && backCloser == .clientToServer
        let anEndClosed = frontCloser == .clientToServer || backCloser == .serverToClient
        let together =
            abs(frontEnd.seconds(since: backEnd) * 1000 + (frontEnd > backEnd ? -clockOffset : clockOffset))
            <= idleKillWindowMilliseconds
        guard proxyClosedBoth || (!anEndClosed && together) else { return }
        let closes = [front.ending?.firstCloseAt ?? frontEnd, back.ending?.firstCloseAt ?? backEnd]
        let last = [front.lastActivity, back.lastActivity, front.responseTime, back.responseTime].compactMap { $0 }
            .max()
        guard let last, let firstClose = closes.min() else { return }
        let silence = max(0, firstClose.seconds(since: last))
        let evidence =
            proxyClosedBoth
            ? "the proxy sent the first FIN or RST on both legs (front \(front.ending?.firstCloseKind?.rawValue ?? "?"), back \(back.ending?.firstCloseKind?.rawValue ?? "?"))"
            : "both legs closed within \(JSONLine.fixed(idleKillWindowMilliseconds, decimals: 0)) ms"
        findings.add(
            .idleKill,
            "both legs closed (\(front.closeReason?.rawValue ?? "?")/\(back.closeReason?.rawValue ?? "?")) without a close frame after \(JSONLine.fixed(silence, decimals: 1)) s of silence; \(evidence); the client sees 1006. Usual idle timeouts: nginx proxy_read_timeout 60 s, HAProxy timeout tunnel (else timeout client/server), Apache ProxyTimeout, AWS ALB 60 s, Cloudflare 100 s",
            fix: configFix(.tunnelTimeout(idleSeconds: silence)))
    }

    /// A CONNECT tunnel: the proxy's connection to the target found, and the bytes of the
    /// tunnel equal on both legs.
    func examine(_ tunnel: TunnelPair) -> [AuditFinding] {
        let front = tunnel.front
        guard let back = tunnel.back else {
            guard front.upgraded != nil else { return [] }
            return [
                AuditFinding(
                    code: .unpairedFront,
                    message:
                        "\(ProxyAuditor.describe(front)) was answered \(front.response?.status ?? 0) but no connection from the proxy to \(front.request?.target ?? "?") was captured",
                    front: LegID(front), back: nil)
            ]
        }
        // Only comparable when both legs closed whole (the capture did not cut them).
        guard let sent = front.tunnelBytes, back.ending.reason == .fin || back.ending.reason == .rst,
            front.closeReason == .fin || front.closeReason == .rst
        else { return [] }
        var findings: [AuditFinding] = []
        for direction in Direction.allCases where sent[direction] != back.bytes[direction] {
            let (from, to) =
                direction == .clientToServer
                ? (sent[direction], back.bytes[direction]) : (back.bytes[direction], sent[direction])
            findings.append(
                AuditFinding(
                    code: .tunnelBytesDiffer,
                    message:
                        "the tunnel's \(direction == .clientToServer ? "client" : "server") bytes: \(from) sent, \(to) arrived on the other leg",
                    front: LegID(front), back: back.label))
        }
        return findings
    }

    /// The fix for a finding only one leg shows.
    static func fix(forSingleLeg code: FindingCode, record: ExchangeRecord, proxy: ProxyIdentity?) -> ProxyConfigFix? {
        switch code.proxyFix {
        case .nginxUpgrade?: ProxyFixCatalog.fix(upgradeTopic(record, upstream: nil), for: proxy)
        case .proxyHTTPVersion?: ProxyFixCatalog.fix(.upstreamHTTP11, for: proxy)
        case nil: nil
        }
    }
}
