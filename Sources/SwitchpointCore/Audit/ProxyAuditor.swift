/// Correlates the two legs of a proxy (client→proxy "front", proxy→upstream "back") and
/// says what the proxy did to each exchange: every request of a keep-alive connection and
/// every HTTP/2 stream, across HTTP versions, and a forward proxy's CONNECT tunnels.
package struct ProxyAuditor {
    package struct Options: Sendable {
        /// `HOST:PORT` (or `:PORT`) where clients connect to the proxy.
        package var front: String?
        /// `HOST:PORT` (or `:PORT`) of the upstream.
        package var back: String?
        /// `--proxy`: the proxy whose configuration language fixes are given in, when
        /// its marks on the traffic do not tell.
        package var proxy: ProxyKind?
        /// Both legs closed within this many milliseconds of each other with no close
        /// frame: the proxy closed them (an idle timeout), when who closed first is unknown.
        package var idleKillWindowMilliseconds = 500.0
        package init() {}
    }

    package struct Report: Sendable {
        package var pairs: [AuditPair] = []
        /// Forward-proxy tunnels (CONNECT) paired with the proxy's connection to the target.
        package var tunnels: [TunnelPair] = []
        package var findings: [AuditFinding] = []
        /// Two captures: how far the back capture's clock runs ahead of the front's.
        package var clockOffsetMilliseconds: Double?
        package var singleLeg = false
        package var records = 0
        /// Exchanges beyond `AuditLimits.maxExchangesPerConnection` on a connection: not audited.
        package var exchangesNotKept = 0
        /// The proxy recognised (or named with `--proxy`); fixes are in its language.
        package var proxy: ProxyIdentity?
        /// TLS legs: decrypted with the key log, or not (their exchanges are not audited).
        package var tls: [TLSLegStatus] = []
        /// The captures read, in file-number order, with the leg each held.
        package var files: [AuditedCapture] = []
        package var worstSeverity: Severity? { findings.map(\.severity).max() }
    }

    let options: Options

    package init(options: Options = Options()) {
        self.options = options
    }

    /// Audits captures given as lists of timeline events (one list per file).
    package func audit(files: [[TimelineEvent]]) -> Report {
        audit(
            captures: files.enumerated().map { index, events in
                let builder = ExchangeRecordBuilder(file: index + 1)
                for event in events { builder.receive(event) }
                return builder.finishCapture()
            })
    }

    /// Audits the exchange records of each file (`ExchangeRecordBuilder`).
    package func audit(records recordsByFile: [[ExchangeRecord]]) -> Report {
        audit(captures: recordsByFile.map { CaptureExchanges(records: $0) })
    }

    /// Audits what `ExchangeRecordBuilder` kept of each file; `roles` says which leg each
    /// holds (by default: one capture holds both, of two the client side is first). The
    /// captures are consumed: each record is held once in fronts or backs, then in its pair.
    package func audit(captures: consuming [CaptureExchanges], roles: [CaptureRole]? = nil) -> Report {
        let roles = roles ?? CaptureRole.byPosition(count: captures.count)
        var report = Report()
        report.tls = captures.flatMap(\.tls)
        report.exchangesNotKept = captures.reduce(0) { $0 + $1.exchangesNotKept }
        let connections = captures.flatMap(\.connections)
        var records = captures.flatMap(\.records)
        captures = []
        report.records = records.count
        let (frontIndices, backIndices) = split(records, roles: roles)
        let allFronts = frontIndices.map { records[$0] }
        let backs = backIndices.map { records[$0] }
        records = []
        // Pairing looks backs up by their evidence (a dictionary, a time-sorted group), so
        // it is O(log n) per front instead of a scan of every unpaired back.
        var index = BackIndex(backs)
        for front in allFronts where !front.isConnectTunnel {
            guard let (position, evidence, confidence) = index.match(front) else { continue }
            report.pairs.append(
                AuditPair(front: front, back: backs[position], evidence: evidence, confidence: confidence, delays: []))
        }
        let unpairedBacks = index.unpaired.map { backs[$0] }.filter { !$0.isConnectTunnel }
        let paired = Set(report.pairs.map { LegID($0.front) } + report.pairs.map { LegID($0.back) })
        let unpairedFronts = allFronts.filter { !$0.isConnectTunnel && !paired.contains(LegID($0)) }
        report.tunnels = TunnelPair.pair(allFronts.filter(\.isConnectTunnel), connections: connections)
        if roles.contains(.front), roles.contains(.back), !report.pairs.isEmpty {
            report.clockOffsetMilliseconds = clockOffset(report.pairs)
        }
        report.proxy =
            options.proxy.map { ProxyIdentity(kind: $0, evidence: "--proxy") }
            ?? ProxyIdentity.recognise(
                pairs: report.pairs, answeredByProxy: unpairedFronts.filter { $0.response != nil })
        let examiner = PairExamination(
            proxy: report.proxy, clockOffset: report.clockOffsetMilliseconds ?? 0,
            idleKillWindowMilliseconds: options.idleKillWindowMilliseconds)
        for index in report.pairs.indices {
            report.findings += examiner.examine(&report.pairs[index])
        }
        for tunnel in report.tunnels { report.findings += examiner.examine(tunnel) }
        if report.pairs.isEmpty && report.tunnels.isEmpty {
            report.singleLeg = true
            // In the files' order, as they were read.
            let all = (allFronts + backs).sorted {
                ($0.file, $0.connection, $0.exchange, $0.stream ?? 0) < (
                    $1.file, $1.connection, $1.exchange, $1.stream ?? 0
                )
            }
            report.findings += singleLegFindings(all, proxy: report.proxy)
        } else {
            report.findings += unpairedFindings(unpairedFronts, unpairedBacks)
        }
        return report
    }

    /// Single-leg mode: only what one side proves.
    private func singleLegFindings(_ records: [ExchangeRecord], proxy: ProxyIdentity?) -> [AuditFinding] {
        var findings: [AuditFinding] = []
        for record in records where !record.findings.isEmpty || !record.offeredProtocols.isEmpty {
            for finding in record.findings {
                findings.append(
                    AuditFinding(
                        code: .singleLeg, message: "[\(finding.code.rawValue)] \(finding.message)",
                        fix: PairExamination.fix(forSingleLeg: finding.code, record: record, proxy: proxy),
                        front: Self.label(record), back: nil))
            }
        }
        return findings
    }

    /// Requests with nothing upstream: answered by the proxy itself (an ACL's 403, a
    /// 502, a static page) or never answered; upstream upgrades no client asked for.
    private func unpairedFindings(_ fronts: [ExchangeRecord], _ backs: [ExchangeRecord]) -> [AuditFinding] {
        var findings: [AuditFinding] = []
        for record in fronts {
            if let response = record.response {
                findings.append(
                    AuditFinding(
                        code: .answeredByProxy,
                        message:
                            "\(Self.describe(record)) from \(record.client) was answered \(response.status) \(response.reason) by the proxy itself, nothing was sent upstream"
                            + Self.bodyPreview(record),
                        front: Self.label(record), back: nil))
            } else if !record.offeredProtocols.isEmpty {
                findings.append(
                    AuditFinding(
                        code: .unpairedFront,
                        message:
                            "\(Self.describe(record)) from \(record.client) has no upstream request and no answer",
                        front: Self.label(record), back: nil))
            }
        }
        for record in backs where !record.offeredProtocols.isEmpty || record.webSocketKey != nil {
            findings.append(
                AuditFinding(
                    code: .unpairedBack,
                    message: "\(Self.describe(record)) to the upstream matches no client request",
                    front: nil, back: Self.label(record)))
        }
        return findings
    }

    /// `; body 150 bytes: "…"` for an answer with a body, its start quoted.
    static func bodyPreview(_ record: ExchangeRecord) -> String {
        guard record.responseBodyLength > 0 else { return "" }
        return "; body \(record.responseBodyLength) bytes: \"\(quotedBody(record))\""
    }

    /// The body's start as `bodyPreview` quotes it (`--redact` looks for it in findings).
    static func quotedBody(_ record: ExchangeRecord) -> String {
        let text = String(decoding: record.responseBody, as: UTF8.self)
            .split(whereSeparator: { $0 == "\n" || $0 == "\r" }).joined(separator: " ")
        return text.count > 120 ? String(text.prefix(120)) + "…" : text
    }

    // MARK: Legs and pairing

    static func label(_ record: ExchangeRecord) -> LegID { LegID(record) }

    static func describe(_ record: ExchangeRecord) -> String {
        guard let request = record.request else { return "a connection" }
        var text = "\(request.method) \(request.target) \(request.version)"
        if let protocolName = record.connectProtocol {
            text += " (:protocol \(protocolName))"
        } else if let upgrade = request.headers.combined("Upgrade") {
            text += " (Upgrade: \(upgrade))"
        }
        return text
    }

    static func matches(_ endpoint: Endpoint, _ pattern: String) -> Bool {
        HostPort(pattern)?.matches(endpoint) ?? false
    }

    /// Front and back legs, as indices into `records`: by --front/--back; else by the
    /// captures' roles; else (captures of both legs) a back request is a later copy of a
    /// front one. Fronts in request order.
    private func split(_ records: [ExchangeRecord], roles: [CaptureRole]) -> (fronts: [Int], backs: [Int]) {
        let all = Array(records.indices)
        func sent(_ index: Int) -> Timestamp { records[index].requestTime ?? .zero }
        func inOrder(_ indices: [Int]) -> [Int] { indices.sorted { (sent($0), $0) < (sent($1), $1) } }
        func partition(front: (ExchangeRecord) -> Bool, back: (ExchangeRecord) -> Bool) -> ([Int], [Int]) {
            (inOrder(all.filter { front(records[$0]) }), all.filter { back(records[$0]) })
        }
        if let front = options.front, let back = options.back {
            return partition(front: { Self.matches($0.server, front) }, back: { Self.matches($0.server, back) })
        }
        if let front = options.front {
            return partition(front: { Self.matches($0.server, front) }, back: { !Self.matches($0.server, front) })
        }
        if let back = options.back {
            return partition(front: { !Self.matches($0.server, back) }, back: { Self.matches($0.server, back) })
        }
        func role(_ record: ExchangeRecord) -> CaptureRole {
            roles.indices.contains(record.file - 1) ? roles[record.file - 1] : .both
        }
        if !roles.contains(.both) {
            return partition(front: { role($0) == .front }, back: { role($0) == .back })
        }
        let isBack = Self.upstreamCopies(records)
        return (inOrder(all.filter { !isBack[$0] }), all.filter { isBack[$0] })
    }

    /// One capture of both legs: which records are the proxy's upstream copies. The same
    /// Sec-WebSocket-Key twice: the later is the copy. The rest: a request that starts
    /// while another one (to a different server, same target) waits for its answer is
    /// that one's copy; per target, the two latest-answered earlier fronts on distinct
    /// servers answer that in O(1).
    static func upstreamCopies(_ records: [ExchangeRecord]) -> [Bool] {
        func sent(_ index: Int) -> Timestamp { records[index].requestTime ?? .zero }
        var isBack = [Bool](repeating: false, count: records.count)
        var assigned = [Bool](repeating: false, count: records.count)
        var byKey: [String: [Int]] = [:]
        for index in records.indices {
            if let key = records[index].webSocketKey { byKey[key, default: []].append(index) }
        }
        for group in byKey.values where group.count >= 2 {
            let sorted = group.sorted { (sent($0), $0) < (sent($1), $1) }
            for (rank, index) in sorted.enumerated() {
                assigned[index] = true
                isBack[index] = rank > 0
            }
        }
        let rest = records.indices.filter { !assigned[$0] }.sorted { (sent($0), $0) < (sent($1), $1) }
        var waiting: [String?: LatestAnswers] = [:]
        var pendingInsert: [Int] = []
        for candidate in rest {
            let time = sent(candidate)
            // Only requests strictly earlier than this one count as waiting before it.
            if let first = pendingInsert.first, sent(first) < time {
                for earlier in pendingInsert where !isBack[earlier] {
                    waiting[records[earlier].request?.target, default: LatestAnswers()].insert(
                        records[earlier].responseTime ?? .zero, server: records[earlier].server)
                }
                pendingInsert.removeAll(keepingCapacity: true)
            }
            if let latest = waiting[records[candidate].request?.target]?.latest(excluding: records[candidate].server),
                latest >= time
            {
                isBack[candidate] = true
            }
            pendingInsert.append(candidate)
        }
        return isBack
    }

    /// The back capture's clock minus the front's, in milliseconds. Symmetric estimate (as
    /// NTP does: forward and return trips through the proxy take about as long), then kept
    /// within what causality allows: nothing arrives on one leg before it left the other.
    private func clockOffset(_ pairs: [AuditPair]) -> Double? {
        var estimates: [Double] = []
        var lower = -Double.infinity
        var upper = Double.infinity
        func forward(_ front: Timestamp, _ back: Timestamp) { upper = min(upper, back.seconds(since: front) * 1000) }
        func backward(_ back: Timestamp, _ front: Timestamp) { lower = max(lower, back.seconds(since: front) * 1000) }
        for pair in pairs {
            if let frontRequest = pair.front.requestTime, let backRequest = pair.back.requestTime {
                forward(frontRequest, backRequest)
                if let frontResponse = pair.front.responseTime, let backResponse = pair.back.responseTime {
                    backward(backResponse, frontResponse)
                    estimates.append(
                        (backRequest.seconds(since: frontRequest) - frontResponse.seconds(since: backResponse)) * 500)
                }
            }
            for direction in Direction.allCases {
                let fronts = pair.front.keptMessages(direction)
                let backs = pair.back.keptMessages(direction)
                for (front, back) in zip(fronts, backs) where front.digest == back.digest {
                    if direction == .clientToServer {
                        forward(front.timestamp, back.timestamp)
                    } else {
                        backward(back.timestamp, front.timestamp)
                    }
                }
            }
        }
        guard !estimates.isEmpty else { return nil }
        let estimate = estimates.sorted()[estimates.count / 2]
        guard lower <= upper else { return estimate }
        return min(max(estimate, lower), upper)
    }
}
