/// What one paired exchange shows the proxy did: to the request and its headers, to the
/// answer, to the messages inside the switched stream, and at the end of each leg. Fixes
/// are in the recognised proxy's configuration language.
struct PairExamination {
    let proxy: ProxyIdentity?
    /// The back capture's clock minus the front's, milliseconds (0 for one capture).
    let clockOffset: Double
    let idleKillWindowMilliseconds: Double

    /// Request headers a proxy should pass unchanged (Host is its own finding).
    static let forwardedHeaders = [
        "Sec-WebSocket-Extensions", "Sec-WebSocket-Protocol", "Sec-WebSocket-Version", "Origin",
    ]
    static let proxyHeaders = [
        "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Server", "X-Forwarded-Port",
        "X-Real-IP", "Forwarded", "Via",
    ]
    /// Answer headers a proxy should pass unchanged. `Upgrade` tells a client refused
    /// with 426 what to ask for; `Sec-WebSocket-Accept` only matches when both legs share
    /// a key.
    static let relayedResponseHeaders = ["Upgrade", "Sec-WebSocket-Protocol", "Sec-WebSocket-Extensions"]

    func configFix(_ topic: ProxyFixTopic) -> ProxyConfigFix { ProxyFixCatalog.fix(topic, for: proxy) }

    static func upgradeTopic(_ record: ExchangeRecord, upstream: Endpoint?) -> ProxyFixTopic {
        let target = record.request?.target ?? "/"
        let path = target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? "/"
        // The path is the wire's, and a fix is pasted into a configuration: only a plain
        // path goes in (no quote, space or control character), else a placeholder.
        let plain = path.hasPrefix("/") && path.utf8.count <= maxFixPathBytes && path.utf8.allSatisfy(isPlainPathByte)
        return .forwardUpgrade(path: plain ? path : "/PATH", upstream: upstream?.description ?? "BACKEND")
    }

    /// The longest request path a fix quotes.
    static let maxFixPathBytes = 200

    /// RFC 3986 unreserved characters, `/` and `%`.
    private static func isPlainPathByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "/"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "%"):
            true
        default:
            false
        }
    }

    func examine(_ pair: inout AuditPair) -> [AuditFinding] {
        var findings = Findings(front: LegID(pair.front), back: LegID(pair.back))
        guard pair.front.request != nil, pair.back.request != nil else { return [] }
        examineRequest(pair, &findings)
        examineAnswer(pair, &findings)
        examineHeaders(pair, &findings)
        if [pair.front.upgraded, pair.back.upgraded].contains(where: {
            $0.map(ProtocolID.websocket.matches(token:)) == true
        }) {
            pair.delays = examineMessages(pair, &findings)
            examineEnd(pair, &findings)
        }
        return findings.list
    }

    /// The findings of one pair, each naming both legs.
    struct Findings {
        let front: LegID
        let back: LegID
        var list: [AuditFinding] = []

        mutating func add(_ code: AuditFinding.Code, _ message: String, fix: ProxyConfigFix? = nil) {
            list.append(AuditFinding(code: code, message: message, fix: fix, front: front, back: back))
        }
    }

    private func examineRequest(_ pair: AuditPair, _ findings: inout Findings) {
        let front = pair.front
        let back = pair.back
        guard let frontRequest = front.request, let backRequest = back.request else { return }
        let offered = front.offeredProtocols
        if !offered.isEmpty {
            let upgradeFix = configFix(Self.upgradeTopic(front, upstream: back.server))
            if back.offeredProtocols.isEmpty {
                let asked = front.connectProtocol != nil ? ":protocol" : "Upgrade:"
                findings.add(
                    .upgradeHeaderDropped,
                    "the client sent \(asked) \(offered.joined(separator: ", ")), the upstream request has no Upgrade header",
                    fix: upgradeFix)
            } else if !back.isHTTP2 && !backRequest.connectionUpgrade {
                findings.add(
                    .connectionHeaderDropped,
                    "the upstream request has Upgrade but Connection: \(backRequest.headers.combined("Connection") ?? "(none)")",
                    fix: upgradeFix)
            }
            if backRequest.isHTTP10 && !frontRequest.isHTTP10 {
                findings.add(
                    .http10Upstream,
                    "the client spoke \(frontRequest.version), the proxy sent \(backRequest.version) upstream, where Upgrade is ignored",
                    fix: configFix(.upstreamHTTP11))
            }
        }
        if back.offeredProtocols.contains(where: { $0.lowercasedASCII == "h2c" }), back.response?.status == 101 {
            findings.add(
                .h2cSmuggling,
                "the proxy forwarded Upgrade: h2c and the upstream switched to HTTP/2: requests can now bypass the proxy's rules (h2c smuggling)",
                fix: configFix(.stripH2CUpgrade))
        }
    }

    private func examineAnswer(_ pair: AuditPair, _ findings: inout Findings) {
        let front = pair.front
        let back = pair.back
        let frontStatus = front.response?.status
        let backStatus = back.response?.status
        func said(_ record: ExchangeRecord) -> String {
            record.response.map { String($0.status) } ?? "no answer"
        }
        if back.switched && !front.switched {
            findings.add(.statusRewritten, "the upstream switched (\(said(back))), the client got \(said(front))")
        } else if front.switched && !back.switched {
            findings.add(
                .switchWithoutUpstream,
                "the client got \(said(front)) (switched) but the upstream answered \(said(back)): the proxy switched protocols without the backend agreeing (WebSocket smuggling risk)",
                fix: configFix(.passUpstream101))
        }
        if let frontStatus, frontStatus == 502 || frontStatus == 504, backStatus == nil || back.switched {
            findings.add(
                .proxyErrorStatus,
                "the client got \(frontStatus) from the proxy itself (\(frontStatus == 504 ? "upstream timeout" : "bad gateway"))"
                    + ProxyAuditor.bodyPreview(front))
        }
    }

    private func examineHeaders(_ pair: AuditPair, _ findings: inout Findings) {
        let front = pair.front
        let back = pair.back
        for name in Self.forwardedHeaders {
            let before = front.requestHeader(name)
            let after = back.requestHeader(name)
            if before != nil && before != after {
                findings.add(
                    .headerChanged, "\(name): \(before ?? "") → \(after ?? "removed")",
                    fix: name == "Sec-WebSocket-Extensions" ? configFix(.forwardExtensions) : nil)
            }
        }
        if let before = front.requestHeader("Host"), let after = back.requestHeader("Host"), before != after {
            findings.add(.hostRewritten, "Host: \(before) → \(after)")
        }
        for name in Self.proxyHeaders where back.requestHeader(name) != nil && front.requestHeader(name) == nil {
            findings.add(.headerAdded, "the proxy added \(name): \(back.requestHeader(name) ?? "")")
        }
        guard let frontResponse = front.response, let backResponse = back.response else { return }
        // Across HTTP versions Upgrade has no place in the HTTP/2 answer.
        let names =
            front.isHTTP2 || back.isHTTP2 ? Array(Self.relayedResponseHeaders.dropFirst()) : Self.relayedResponseHeaders
        for name in names {
            let sent = backResponse.headers.combined(name)
            let relayed = frontResponse.headers.combined(name)
            guard sent != relayed else { continue }
            let what = "the \(backResponse.status) answer's \(name)"
            switch (sent, relayed) {
            case (let sent?, nil):
                findings.add(
                    .responseHeaderChanged,
                    "\(what): \(sent) → removed"
                        + (name == "Upgrade" ? " (the client is not told which protocol the upstream requires)" : ""))
            case (nil, let relayed?):
                findings.add(.responseHeaderChanged, "\(what): added \(relayed) by the proxy")
            case (let sent?, let relayed?):
                findings.add(.responseHeaderChanged, "\(what): \(sent) → \(relayed)")
            case (nil, nil):
                break
            }
        }
    }
}
