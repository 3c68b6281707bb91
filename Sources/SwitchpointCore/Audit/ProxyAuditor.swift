/// Correlates the two legs of a reverse proxy (client→proxy "front", proxy→upstream
/// "back") and says what the proxy did to each upgrade.
public struct ProxyAuditor {
    public struct Options: Sendable {
        /// `HOST:PORT` (or `:PORT`) where clients connect to the proxy.
        public var front: String?
        /// `HOST:PORT` (or `:PORT`) of the upstream.
        public var back: String?
        /// Both legs closed within this many milliseconds of each other with no close
        /// frame: the proxy closed them (an idle timeout).
        public var idleKillWindowMilliseconds = 500.0
        public init() {}
    }

    public struct Report: Sendable {
        public var pairs: [AuditPair] = []
        public var findings: [AuditFinding] = []
        /// Two captures: how far the back capture's clock runs ahead of the front's.
        public var clockOffsetMilliseconds: Double?
        public var singleLeg = false
        public var records = 0
        public var worstSeverity: Severity? { findings.map(\.severity).max() }
    }

    let options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    /// Audits captures given as lists of timeline events (one list per file).
    public func audit(files: [[TimelineEvent]]) -> Report {
        let records = files.enumerated().flatMap { ExchangeRecord.records(from: $0.element, file: $0.offset + 1) }
        var report = Report()
        report.records = records.count
        let (fronts, backs) = split(records, fileCount: files.count)
        var unpairedBacks = backs
        for front in fronts {
            guard let (index, evidence, confidence) = match(front, in: unpairedBacks) else { continue }
            let back = unpairedBacks.remove(at: index)
            report.pairs.append(AuditPair(front: front, back: back, evidence: evidence, confidence: confidence, delays: []))
        }
        if files.count == 2, !report.pairs.isEmpty {
            report.clockOffsetMilliseconds = clockOffset(report.pairs)
        }
        let offset = report.clockOffsetMilliseconds ?? 0
        for index in report.pairs.indices {
            report.findings += examine(&report.pairs[index], clockOffset: offset)
        }
        let paired = Set(report.pairs.map { "\($0.front.file):\($0.front.connection)" } + report.pairs.map { "\($0.back.file):\($0.back.connection)" })
        if report.pairs.isEmpty {
            // Single-leg mode: only what one side proves.
            report.singleLeg = true
            for record in records where !record.findings.isEmpty || record.request?.offeredProtocols.isEmpty == false {
                for finding in record.findings {
                    report.findings.append(AuditFinding(code: .singleLeg, message: "[\(finding.code)] \(finding.message)", fix: Self.fix(forSingleLeg: finding.code),
                                                        front: Self.label(record), back: nil))
                }
            }
        } else {
            for record in fronts where !paired.contains(Self.label(record)) && record.request?.offeredProtocols.isEmpty == false {
                report.findings.append(AuditFinding(code: .unpairedFront, message: "\(Self.describe(record)) from \(record.client) has no upstream request: the proxy answered \(record.response.map { "\($0.status) \($0.reason)" } ?? "nothing") itself", fix: nil, front: Self.label(record), back: nil))
            }
            for record in unpairedBacks where record.request?.offeredProtocols.isEmpty == false || record.webSocketKey != nil {
                report.findings.append(AuditFinding(code: .unpairedBack, message: "\(Self.describe(record)) to the upstream matches no client request", fix: nil, front: nil, back: Self.label(record)))
            }
        }
        return report
    }

    // MARK: Legs and pairing

    static func label(_ record: ExchangeRecord) -> String { "\(record.file):\(record.connection)" }

    static func describe(_ record: ExchangeRecord) -> String {
        guard let request = record.request else { return "a connection" }
        return "\(request.method) \(request.target) \(request.version)"
    }

    static func matches(_ endpoint: Endpoint, _ pattern: String) -> Bool {
        guard let colon = pattern.lastIndex(of: ":"), let port = UInt16(pattern[pattern.index(after: colon)...]) else { return false }
        var host = String(pattern[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return endpoint.port == port && (host.isEmpty || host == "*" || IPAddress(host) == endpoint.address)
    }

    /// Front and back legs: by --front/--back; else with two files the first is the client
    /// side; else both lists hold everything and pairing decides.
    private func split(_ records: [ExchangeRecord], fileCount: Int) -> ([ExchangeRecord], [ExchangeRecord]) {
        if let front = options.front, let back = options.back {
            return (records.filter { Self.matches($0.server, front) }, records.filter { Self.matches($0.server, back) })
        }
        if let front = options.front {
            return (records.filter { Self.matches($0.server, front) }, records.filter { !Self.matches($0.server, front) })
        }
        if let back = options.back {
            return (records.filter { !Self.matches($0.server, back) }, records.filter { Self.matches($0.server, back) })
        }
        if fileCount == 2 {
            return (records.filter { $0.file == 1 }, records.filter { $0.file == 2 })
        }
        // One capture of both legs: a back request is a later copy of a front one.
        let keyed = Dictionary(grouping: records.filter { $0.webSocketKey != nil }, by: { $0.webSocketKey ?? "" })
        var fronts: [ExchangeRecord] = [], backs: [ExchangeRecord] = []
        var assigned = Set<String>()
        for (_, group) in keyed where group.count >= 2 {
            let sorted = group.sorted { ($0.requestTime ?? .zero) < ($1.requestTime ?? .zero) }
            fronts.append(sorted[0])
            backs.append(contentsOf: sorted.dropFirst())
            for record in sorted { assigned.insert(Self.label(record)) }
        }
        // The rest: a request that starts while another one (to a different server) waits
        // for its answer is that one's upstream copy.
        let rest = records.filter { !assigned.contains(Self.label($0)) }.sorted { ($0.requestTime ?? .zero) < ($1.requestTime ?? .zero) }
        var restBacks = Set<String>()
        for candidate in rest {
            if rest.contains(where: { other in
                other.server != candidate.server && other.request?.target == candidate.request?.target
                    && (other.requestTime ?? .zero) < (candidate.requestTime ?? .zero)
                    && (other.responseTime ?? .zero) >= (candidate.requestTime ?? .zero) && !restBacks.contains(Self.label(other))
            }) {
                restBacks.insert(Self.label(candidate))
            }
        }
        fronts += rest.filter { !restBacks.contains(Self.label($0)) }
        backs += rest.filter { restBacks.contains(Self.label($0)) }
        return (fronts.sorted { ($0.requestTime ?? .zero) < ($1.requestTime ?? .zero) }, backs)
    }

    /// The back record that carries `front`'s request: the same Sec-WebSocket-Key, else the
    /// same method and target sent while the front waited (closest in time).
    private func match(_ front: ExchangeRecord, in backs: [ExchangeRecord]) -> (Int, String, String)? {
        if let key = front.webSocketKey, let index = backs.firstIndex(where: { $0.webSocketKey == key }) {
            return (index, "sec-websocket-key", "high")
        }
        guard let request = front.request, let sent = front.requestTime else { return nil }
        let candidates = backs.enumerated().filter { _, back in
            back.request?.method == request.method && back.request?.target == request.target
        }
        let best = candidates.min { abs(($0.element.requestTime ?? .zero).seconds(since: sent)) < abs(($1.element.requestTime ?? .zero).seconds(since: sent)) }
        guard let best else { return nil }
        return (best.offset, "method+target+timing", candidates.count == 1 ? "medium" : "low")
    }

    /// The back capture's clock minus the front's, in milliseconds. Symmetric estimate (as
    /// NTP does: forward and return trips through the proxy take about as long), then kept
    /// within what causality allows: nothing arrives on one leg before it left the other.
    private func clockOffset(_ pairs: [AuditPair]) -> Double? {
        var estimates: [Double] = []
        var lower = -Double.infinity, upper = Double.infinity
        func forward(_ front: Timestamp, _ back: Timestamp) { upper = min(upper, back.seconds(since: front) * 1000) }
        func backward(_ back: Timestamp, _ front: Timestamp) { lower = max(lower, back.seconds(since: front) * 1000) }
        for pair in pairs {
            if let frontRequest = pair.front.requestTime, let backRequest = pair.back.requestTime {
                forward(frontRequest, backRequest)
                if let frontResponse = pair.front.responseTime, let backResponse = pair.back.responseTime {
                    backward(backResponse, frontResponse)
                    estimates.append((backRequest.seconds(since: frontRequest) - frontResponse.seconds(since: backResponse)) * 500)
                }
            }
            for direction in Direction.allCases {
                let fronts = pair.front.messages.filter { $0.direction == direction }
                let backs = pair.back.messages.filter { $0.direction == direction }
                for (front, back) in zip(fronts, backs) where front.digest == back.digest {
                    if direction == .clientToServer { forward(front.timestamp, back.timestamp) } else { backward(back.timestamp, front.timestamp) }
                }
            }
        }
        guard !estimates.isEmpty else { return nil }
        let estimate = estimates.sorted()[estimates.count / 2]
        guard lower <= upper else { return estimate }
        return min(max(estimate, lower), upper)
    }

    // MARK: Findings

    static let forwardedHeaders = ["Sec-WebSocket-Extensions", "Sec-WebSocket-Protocol", "Sec-WebSocket-Version", "Origin", "Host"]
    static let proxyHeaders = ["X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Real-IP", "Forwarded", "Via"]
    static let nginxUpgradeFix = "forward the hop-by-hop headers: proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection $connection_upgrade;"

    private func examine(_ pair: inout AuditPair, clockOffset: Double) -> [AuditFinding] {
        let front = pair.front, back = pair.back
        var findings: [AuditFinding] = []
        func add(_ code: AuditFinding.Code, _ message: String, fix: String? = nil) {
            findings.append(AuditFinding(code: code, message: message, fix: fix, front: Self.label(front), back: Self.label(back)))
        }
        guard let frontRequest = front.request, let backRequest = back.request else { return [] }
        let offered = frontRequest.offeredProtocols
        if !offered.isEmpty {
            if backRequest.offeredProtocols.isEmpty {
                add(.upgradeHeaderDropped, "the client sent Upgrade: \(offered.joined(separator: ", ")), the upstream request has no Upgrade header", fix: Self.nginxUpgradeFix)
            } else if !backRequest.connectionUpgrade {
                add(.connectionHeaderDropped, "the upstream request has Upgrade but Connection: \(backRequest.headers.combined("Connection") ?? "(none)")", fix: "proxy_set_header Connection $connection_upgrade; (or \"upgrade\")")
            }
            if backRequest.isHTTP10 && !frontRequest.isHTTP10 {
                add(.http10Upstream, "the client spoke \(frontRequest.version), the proxy sent \(backRequest.version) upstream, where Upgrade is ignored", fix: "proxy_http_version 1.1;")
            }
        }
        if backRequest.offeredProtocols.contains(where: { $0.lowercasedASCII == "h2c" }), back.response?.status == 101 {
            add(.h2cSmuggling, "the proxy forwarded Upgrade: h2c and the upstream switched to HTTP/2: requests can now bypass the proxy's rules (h2c smuggling)", fix: "strip Upgrade: h2c at the proxy (nginx: proxy_set_header Upgrade \"\"; for non-WebSocket locations)")
        }
        let frontStatus = front.response?.status, backStatus = back.response?.status
        if backStatus == 101 && frontStatus != 101 {
            add(.statusRewritten, "the upstream answered 101, the client got \(frontStatus.map(String.init) ?? "no answer")")
        } else if frontStatus == 101 && backStatus != 101 {
            add(.switchWithoutUpstream, "the client got 101 but the upstream answered \(backStatus.map(String.init) ?? "nothing"): the proxy switched protocols without the backend agreeing (WebSocket smuggling risk)", fix: "only pass 101 through from the upstream; do not synthesize it")
        }
        if let frontStatus, frontStatus == 502 || frontStatus == 504, backStatus == nil || backStatus == 101 {
            add(.proxyErrorStatus, "the client got \(frontStatus) from the proxy itself (\(frontStatus == 504 ? "upstream timeout" : "bad gateway"))")
        }
        for name in Self.forwardedHeaders {
            let before = frontRequest.headers.combined(name), after = backRequest.headers.combined(name)
            if before != nil && before != after && !(name == "Host" && after != nil) {
                add(.headerChanged, "\(name): \(before ?? "") → \(after ?? "removed")",
                    fix: name == "Sec-WebSocket-Extensions" ? "forward Sec-WebSocket-Extensions unchanged, or let the proxy negotiate it with the client" : nil)
            }
        }
        for name in Self.proxyHeaders where backRequest.headers.contains(name) && !frontRequest.headers.contains(name) {
            add(.headerAdded, "the proxy added \(name): \(backRequest.headers.combined(name) ?? "")")
        }
        if front.upgraded == "websocket" || back.upgraded == "websocket" {
            findings += examineMessages(&pair, clockOffset: clockOffset)
        }
        return findings
    }

    private func examineMessages(_ pair: inout AuditPair, clockOffset: Double) -> [AuditFinding] {
        let front = pair.front, back = pair.back
        var findings: [AuditFinding] = []
        func add(_ code: AuditFinding.Code, _ message: String, fix: String? = nil) {
            findings.append(AuditFinding(code: code, message: message, fix: fix, front: Self.label(front), back: Self.label(back)))
        }
        var delays: [Double] = []
        for direction in Direction.allCases {
            // The sender's leg first: client messages cross front → back, server ones back → front.
            let from = (direction == .clientToServer ? front : back).messages.filter { $0.direction == direction }
            var to = (direction == .clientToServer ? back : front).messages.filter { $0.direction == direction }
            var lost = 0, altered = 0, reordered = 0
            for (position, message) in from.enumerated() {
                if let index = to.firstIndex(where: { $0.digest == message.digest }) {
                    if index != 0 { reordered += 1 }
                    let delay = to[index].timestamp.seconds(since: message.timestamp) * 1000
                    delays.append(direction == .clientToServer ? delay - clockOffset : delay + clockOffset)
                    to.remove(at: index)
                } else if let index = to.firstIndex(where: { $0.length == message.length }) {
                    altered += 1
                    to.remove(at: index)
                } else if position < from.count {
                    lost += 1
                }
            }
            let who = direction == .clientToServer ? "client" : "server"
            if lost > 0 { add(.messageLost, "\(lost) \(who) message\(lost == 1 ? "" : "s") never reached the other leg") }
            if altered > 0 { add(.messageAltered, "\(altered) \(who) message\(altered == 1 ? "" : "s") changed on the way (same length, different content)") }
            if reordered > 0 { add(.messageReordered, "\(reordered) \(who) message\(reordered == 1 ? "" : "s") arrived out of order") }
        }
        pair.delays = delays
        // Idle kill: both legs ended without a close frame, close together, after silence.
        if front.closeFrames.isEmpty, back.closeFrames.isEmpty, let frontEnd = front.closedAt, let backEnd = back.closedAt,
           abs(frontEnd.seconds(since: backEnd) * 1000 + (frontEnd > backEnd ? -clockOffset : clockOffset)) <= options.idleKillWindowMilliseconds,
           let last = [front.lastActivity, back.lastActivity].compactMap({ $0 }).max() {
            let silence = min(frontEnd, backEnd).seconds(since: last)
            add(.idleKill, "both legs closed (\(front.closeReason?.rawValue ?? "?")/\(back.closeReason?.rawValue ?? "?")) without a close frame after \(JSONLine.fixed(silence, decimals: 1)) s of silence; the client sees 1006. Usual idle timeouts: nginx proxy_read_timeout 60 s, AWS ALB 60 s, Cloudflare 100 s",
                fix: "raise the proxy's idle timeout (nginx: proxy_read_timeout) or send WebSocket pings more often than it")
        }
        // Close codes relayed?
        for direction in Direction.allCases {
            let source = direction == .serverToClient ? back : front
            let target = direction == .serverToClient ? front : back
            guard let sent = source.closeFrames.first(where: { $0.direction == direction }) else { continue }
            let relayed = target.closeFrames.first { $0.direction == direction }
            if relayed == nil || relayed?.code != sent.code {
                let who = direction == .serverToClient ? "upstream" : "client"
                add(.closeNotRelayed, "the \(who) sent close \(sent.code.map(String.init) ?? "(no code)"), the other side saw \(relayed.map { $0.code.map(String.init) ?? "(no code)" } ?? "none (1006)")")
            }
        }
        return findings
    }

    static func fix(forSingleLeg code: String) -> String? {
        switch code {
        case "upgrade.upgrade_header_missing", "upgrade.connection_header_missing": nginxUpgradeFix
        case "upgrade.http10_request": "proxy_http_version 1.1;"
        default: nil
        }
    }
}

extension Array where Element == Double {
    /// The `q` quantile (0...1) of the values, nearest rank.
    func quantile(_ q: Double) -> Double? {
        guard !isEmpty else { return nil }
        let sorted = self.sorted()
        return sorted[Swift.min(sorted.count - 1, Swift.max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
    }
}
