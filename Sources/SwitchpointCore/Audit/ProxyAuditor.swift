/// Correlates the two legs of a reverse proxy (client→proxy "front", proxy→upstream
/// "back") and says what the proxy did to each upgrade.
package struct ProxyAuditor {
    package struct Options: Sendable {
        /// `HOST:PORT` (or `:PORT`) where clients connect to the proxy.
        package var front: String?
        /// `HOST:PORT` (or `:PORT`) of the upstream.
        package var back: String?
        /// Both legs closed within this many milliseconds of each other with no close
        /// frame: the proxy closed them (an idle timeout).
        package var idleKillWindowMilliseconds = 500.0
        package init() {}
    }

    package struct Report: Sendable {
        package var pairs: [AuditPair] = []
        package var findings: [AuditFinding] = []
        /// Two captures: how far the back capture's clock runs ahead of the front's.
        package var clockOffsetMilliseconds: Double?
        package var singleLeg = false
        package var records = 0
        package var worstSeverity: Severity? { findings.map(\.severity).max() }
    }

    let options: Options

    package init(options: Options = Options()) {
        self.options = options
    }

    /// Audits captures given as lists of timeline events (one list per file).
    package func audit(files: [[TimelineEvent]]) -> Report {
        audit(records: files.enumerated().map { ExchangeRecord.records(from: $0.element, file: $0.offset + 1) })
    }

    /// Audits the exchange records of each file (`ExchangeRecordBuilder`).
    package func audit(records recordsByFile: [[ExchangeRecord]]) -> Report {
        let records = recordsByFile.flatMap { $0 }
        let fileCount = recordsByFile.count
        var report = Report()
        report.records = records.count
        let (fronts, backs) = split(records, fileCount: fileCount)
        // Pairing looks backs up by their evidence (a dictionary, a time-sorted group), so
        // it is O(log n) per front instead of a scan of every unpaired back.
        var index = BackIndex(backs)
        for front in fronts {
            guard let (position, evidence, confidence) = index.match(front) else { continue }
            report.pairs.append(
                AuditPair(front: front, back: backs[position], evidence: evidence, confidence: confidence, delays: []))
        }
        let unpairedBacks = index.unpaired.map { backs[$0] }
        if fileCount == 2, !report.pairs.isEmpty {
            report.clockOffsetMilliseconds = clockOffset(report.pairs)
        }
        let offset = report.clockOffsetMilliseconds ?? 0
        for index in report.pairs.indices {
            report.findings += examine(&report.pairs[index], clockOffset: offset)
        }
        let paired = Set(report.pairs.map { LegID($0.front) } + report.pairs.map { LegID($0.back) })
        if report.pairs.isEmpty {
            // Single-leg mode: only what one side proves.
            report.singleLeg = true
            for record in records where !record.findings.isEmpty || record.request?.offeredProtocols.isEmpty == false {
                for finding in record.findings {
                    report.findings.append(
                        AuditFinding(
                            code: .singleLeg, message: "[\(finding.code.rawValue)] \(finding.message)",
                            fix: Self.fix(forSingleLeg: finding.code),
                            front: Self.label(record), back: nil))
                }
            }
        } else {
            for record in fronts
            where !paired.contains(Self.label(record)) && record.request?.offeredProtocols.isEmpty == false {
                report.findings.append(
                    AuditFinding(
                        code: .unpairedFront,
                        message:
                            "\(Self.describe(record)) from \(record.client) has no upstream request: the proxy answered \(record.response.map { "\($0.status) \($0.reason)" } ?? "nothing") itself",
                        fix: nil, front: Self.label(record), back: nil))
            }
            for record in unpairedBacks
            where record.request?.offeredProtocols.isEmpty == false || record.webSocketKey != nil {
                report.findings.append(
                    AuditFinding(
                        code: .unpairedBack,
                        message: "\(Self.describe(record)) to the upstream matches no client request", fix: nil,
                        front: nil, back: Self.label(record)))
            }
        }
        return report
    }

    // MARK: Legs and pairing

    static func label(_ record: ExchangeRecord) -> LegID { LegID(record) }

    static func describe(_ record: ExchangeRecord) -> String {
        guard let request = record.request else { return "a connection" }
        return "\(request.method) \(request.target) \(request.version)"
    }

    static func matches(_ endpoint: Endpoint, _ pattern: String) -> Bool {
        HostPort(pattern)?.matches(endpoint) ?? false
    }

    /// Front and back legs: by --front/--back; else with two files the first is the client
    /// side; else both lists hold everything and pairing decides.
    private func split(_ records: [ExchangeRecord], fileCount: Int) -> ([ExchangeRecord], [ExchangeRecord]) {
        if let front = options.front, let back = options.back {
            return (records.filter { Self.matches($0.server, front) }, records.filter { Self.matches($0.server, back) })
        }
        if let front = options.front {
            return (
                records.filter { Self.matches($0.server, front) }, records.filter { !Self.matches($0.server, front) }
            )
        }
        if let back = options.back {
            return (records.filter { !Self.matches($0.server, back) }, records.filter { Self.matches($0.server, back) })
        }
        if fileCount == 2 {
            return (records.filter { $0.file == 1 }, records.filter { $0.file == 2 })
        }
        // One capture of both legs: a back request is a later copy of a front one.
        let keyed = Dictionary(grouping: records.filter { $0.webSocketKey != nil }, by: { $0.webSocketKey ?? "" })
        var fronts: [ExchangeRecord] = []
        var backs: [ExchangeRecord] = []
        var assigned = Set<LegID>()
        for (_, group) in keyed where group.count >= 2 {
            let sorted = group.sorted { ($0.requestTime ?? .zero) < ($1.requestTime ?? .zero) }
            fronts.append(sorted[0])
            backs.append(contentsOf: sorted.dropFirst())
            for record in sorted { assigned.insert(Self.label(record)) }
        }
        // The rest: a request that starts while another one (to a different server, same
        // target) waits for its answer is that one's upstream copy. Per target, the two
        // latest-answered earlier fronts on distinct servers answer that in O(1).
        let rest = records.filter { !assigned.contains(Self.label($0)) }.sorted {
            ($0.requestTime ?? .zero) < ($1.requestTime ?? .zero)
        }
        var restBacks = Set<LegID>()
        var waiting: [String?: LatestAnswers] = [:]
        var pendingInsert: [ExchangeRecord] = []
        for candidate in rest {
            let sent = candidate.requestTime ?? .zero
            // Only requests strictly earlier than this one count as waiting before it.
            if let first = pendingInsert.first, (first.requestTime ?? .zero) < sent {
                for earlier in pendingInsert where !restBacks.contains(Self.label(earlier)) {
                    waiting[earlier.request?.target, default: LatestAnswers()].insert(
                        earlier.responseTime ?? .zero, server: earlier.server)
                }
                pendingInsert.removeAll(keepingCapacity: true)
            }
            if let latest = waiting[candidate.request?.target]?.latest(excluding: candidate.server), latest >= sent {
                restBacks.insert(Self.label(candidate))
            }
            pendingInsert.append(candidate)
        }
        fronts += rest.filter { !restBacks.contains(Self.label($0)) }
        backs += rest.filter { restBacks.contains(Self.label($0)) }
        return (fronts.sorted { ($0.requestTime ?? .zero) < ($1.requestTime ?? .zero) }, backs)
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

    // MARK: Findings

    static let forwardedHeaders = [
        "Sec-WebSocket-Extensions", "Sec-WebSocket-Protocol", "Sec-WebSocket-Version", "Origin", "Host",
    ]
    static let proxyHeaders = [
        "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Real-IP", "Forwarded", "Via",
    ]
    static let nginxUpgradeFix =
        "forward the hop-by-hop headers: proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection $connection_upgrade;"

    private func examine(_ pair: inout AuditPair, clockOffset: Double) -> [AuditFinding] {
        let front = pair.front
        let back = pair.back
        var findings: [AuditFinding] = []
        func add(_ code: AuditFinding.Code, _ message: String, fix: String? = nil) {
            findings.append(
                AuditFinding(code: code, message: message, fix: fix, front: Self.label(front), back: Self.label(back)))
        }
        guard let frontRequest = front.request, let backRequest = back.request else { return [] }
        let offered = frontRequest.offeredProtocols
        if !offered.isEmpty {
            if backRequest.offeredProtocols.isEmpty {
                add(
                    .upgradeHeaderDropped,
                    "the client sent Upgrade: \(offered.joined(separator: ", ")), the upstream request has no Upgrade header",
                    fix: Self.nginxUpgradeFix)
            } else if !backRequest.connectionUpgrade {
                add(
                    .connectionHeaderDropped,
                    "the upstream request has Upgrade but Connection: \(backRequest.headers.combined("Connection") ?? "(none)")",
                    fix: "proxy_set_header Connection $connection_upgrade; (or \"upgrade\")")
            }
            if backRequest.isHTTP10 && !frontRequest.isHTTP10 {
                add(
                    .http10Upstream,
                    "the client spoke \(frontRequest.version), the proxy sent \(backRequest.version) upstream, where Upgrade is ignored",
                    fix: "proxy_http_version 1.1;")
            }
        }
        if backRequest.offeredProtocols.contains(where: { $0.lowercasedASCII == "h2c" }), back.response?.status == 101 {
            add(
                .h2cSmuggling,
                "the proxy forwarded Upgrade: h2c and the upstream switched to HTTP/2: requests can now bypass the proxy's rules (h2c smuggling)",
                fix:
                    "strip Upgrade: h2c at the proxy (nginx: proxy_set_header Upgrade \"\"; for non-WebSocket locations)"
            )
        }
        let frontStatus = front.response?.status
        let backStatus = back.response?.status
        if backStatus == 101 && frontStatus != 101 {
            add(
                .statusRewritten,
                "the upstream answered 101, the client got \(frontStatus.map(String.init) ?? "no answer")")
        } else if frontStatus == 101 && backStatus != 101 {
            add(
                .switchWithoutUpstream,
                "the client got 101 but the upstream answered \(backStatus.map(String.init) ?? "nothing"): the proxy switched protocols without the backend agreeing (WebSocket smuggling risk)",
                fix: "only pass 101 through from the upstream; do not synthesize it")
        }
        if let frontStatus, frontStatus == 502 || frontStatus == 504, backStatus == nil || backStatus == 101 {
            add(
                .proxyErrorStatus,
                "the client got \(frontStatus) from the proxy itself (\(frontStatus == 504 ? "upstream timeout" : "bad gateway"))"
            )
        }
        for name in Self.forwardedHeaders {
            let before = frontRequest.headers.combined(name)
            let after = backRequest.headers.combined(name)
            if before != nil && before != after && !(name == "Host" && after != nil) {
                add(
                    .headerChanged, "\(name): \(before ?? "") → \(after ?? "removed")",
                    fix: name == "Sec-WebSocket-Extensions"
                        ? "forward Sec-WebSocket-Extensions unchanged, or let the proxy negotiate it with the client"
                        : nil)
            }
        }
        for name in Self.proxyHeaders where backRequest.headers.contains(name) && !frontRequest.headers.contains(name) {
            add(.headerAdded, "the proxy added \(name): \(backRequest.headers.combined(name) ?? "")")
        }
        if [front.upgraded, back.upgraded].contains(where: { $0.map(ProtocolID.websocket.matches(token:)) == true }) {
            findings += examineMessages(&pair, clockOffset: clockOffset)
        }
        return findings
    }

    private func examineMessages(_ pair: inout AuditPair, clockOffset: Double) -> [AuditFinding] {
        let front = pair.front
        let back = pair.back
        var findings: [AuditFinding] = []
        func add(_ code: AuditFinding.Code, _ message: String, fix: String? = nil) {
            findings.append(
                AuditFinding(code: code, message: message, fix: fix, front: Self.label(front), back: Self.label(back)))
        }
        var delays: [Double] = []
        for direction in Direction.allCases {
            // The sender's leg first: client messages cross front → back, server ones back → front.
            let sender = direction == .clientToServer ? front : back
            let receiver = direction == .clientToServer ? back : front
            let from = sender.keptMessages(direction)
            var to = MessageQueue(receiver.keptMessages(direction))
            var lost = 0
            var altered = 0
            var reordered = 0
            for message in from {
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
                add(.messageLost, "\(lost) \(who) message\(lost == 1 ? "" : "s") never reached the other leg")
            }
            if altered > 0 {
                add(
                    .messageAltered,
                    "\(altered) \(who) message\(altered == 1 ? "" : "s") changed on the way (same length, different content)"
                )
            }
            if reordered > 0 {
                add(.messageReordered, "\(reordered) \(who) message\(reordered == 1 ? "" : "s") arrived out of order")
            }
        }
        pair.delays = delays
        // Idle kill: both legs ended without a close frame, close together, after silence.
        if front.closeFrames.isEmpty, back.closeFrames.isEmpty, let frontEnd = front.closedAt,
            let backEnd = back.closedAt,
            abs(frontEnd.seconds(since: backEnd) * 1000 + (frontEnd > backEnd ? -clockOffset : clockOffset))
                <= options.idleKillWindowMilliseconds,
            let last = [front.lastActivity, back.lastActivity].compactMap({ $0 }).max()
        {
            let silence = min(frontEnd, backEnd).seconds(since: last)
            add(
                .idleKill,
                "both legs closed (\(front.closeReason?.rawValue ?? "?")/\(back.closeReason?.rawValue ?? "?")) without a close frame after \(JSONLine.fixed(silence, decimals: 1)) s of silence; the client sees 1006. Usual idle timeouts: nginx proxy_read_timeout 60 s, AWS ALB 60 s, Cloudflare 100 s",
                fix:
                    "raise the proxy's idle timeout (nginx: proxy_read_timeout) or send WebSocket pings more often than it"
            )
        }
        // Close codes relayed?
        for direction in Direction.allCases {
            let source = direction == .serverToClient ? back : front
            let target = direction == .serverToClient ? front : back
            guard let sent = source.closeFrames.first(where: { $0.direction == direction }) else { continue }
            let relayed = target.closeFrames.first { $0.direction == direction }
            if relayed == nil || relayed?.code != sent.code {
                let who = direction == .serverToClient ? "upstream" : "client"
                add(
                    .closeNotRelayed,
                    "the \(who) sent close \(sent.code.map(String.init) ?? "(no code)"), the other side saw \(relayed.map { $0.code.map(String.init) ?? "(no code)" } ?? "none (1006)")"
                )
            }
        }
        return findings
    }

    static func fix(forSingleLeg code: FindingCode) -> String? {
        switch code.proxyFix {
        case .nginxUpgrade?: nginxUpgradeFix
        case .proxyHTTPVersion?: "proxy_http_version 1.1;"
        case nil: nil
        }
    }
}

/// Back records not yet paired, indexed by the evidence a front is paired with.
struct BackIndex {
    private struct RequestKey: Hashable {
        var method: String
        var target: String
    }

    /// Backs with one method and target, sorted by request time, with union-find links
    /// to skip paired entries in both directions (amortized near O(1) per lookup).
    private struct TimeGroup {
        var positions: [Int] = []  // indices into the backs, sorted by (time, index)
        var times: [Timestamp] = []
        var nextFree: [Int] = []  // nextFree[i]: first unpaired slot ≥ i (count = none)
        var previousFree: [Int] = []  // previousFree[i + 1]: last unpaired slot ≤ i, plus one (0 = none)
        var remaining = 0

        mutating func seal(_ backs: [ExchangeRecord]) {
            positions.sort { ((backs[$0].requestTime ?? .zero), $0) < ((backs[$1].requestTime ?? .zero), $1) }
            times = positions.map { backs[$0].requestTime ?? .zero }
            nextFree = Array(0...positions.count)
            previousFree = Array(0...positions.count)
            remaining = positions.count
        }

        mutating func findNext(_ slot: Int) -> Int {
            var root = slot
            while nextFree[root] != root { root = nextFree[root] }
            var cursor = slot
            while nextFree[cursor] != root {
                let following = nextFree[cursor]
                nextFree[cursor] = root
                cursor = following
            }
            return root
        }

        /// The last unpaired slot ≤ `slot`, or nil.
        mutating func findPrevious(_ slot: Int) -> Int? {
            var root = slot + 1
            while previousFree[root] != root { root = previousFree[root] }
            var cursor = slot + 1
            while previousFree[cursor] != root {
                let following = previousFree[cursor]
                previousFree[cursor] = root
                cursor = following
            }
            return root == 0 ? nil : root - 1
        }

        mutating func take(_ slot: Int) {
            nextFree[slot] = slot + 1
            previousFree[slot + 1] = slot
            remaining -= 1
        }

        /// First slot whose time is ≥ `time`.
        func lowerBound(_ time: Timestamp) -> Int {
            var low = 0
            var high = times.count
            while low < high {
                let middle = (low + high) / 2
                if times[middle] < time { low = middle + 1 } else { high = middle }
            }
            return low
        }
    }

    private let backs: [ExchangeRecord]
    private var paired: [Bool]
    /// Sec-WebSocket-Key → backs carrying it, in order, with a cursor past the paired ones.
    private var byKey: [String: (positions: [Int], cursor: Int)] = [:]
    private var byRequest: [RequestKey: TimeGroup] = [:]
    /// Where each back sits in its time group, to unlink it when paired by key.
    private var slotInGroup: [Int] = []

    init(_ backs: [ExchangeRecord]) {
        self.backs = backs
        paired = Array(repeating: false, count: backs.count)
        slotInGroup = Array(repeating: -1, count: backs.count)
        for (position, back) in backs.enumerated() {
            if let key = back.webSocketKey { byKey[key, default: ([], 0)].positions.append(position) }
            if let request = back.request {
                byRequest[RequestKey(method: request.method, target: request.target), default: TimeGroup()].positions
                    .append(position)
            }
        }
        for key in Array(byRequest.keys) {
            byRequest[key]?.seal(backs)
            if let positions = byRequest[key]?.positions {
                for (slot, position) in positions.enumerated() { slotInGroup[position] = slot }
            }
        }
    }

    /// Backs never paired, in their original order.
    var unpaired: [Int] { paired.indices.filter { !paired[$0] } }

    /// The back record that carries `front`'s request: the same Sec-WebSocket-Key, else
    /// the same method and target sent closest in time to the front's request.
    mutating func match(_ front: ExchangeRecord) -> (Int, PairEvidence, Confidence)? {
        if let key = front.webSocketKey, var entry = byKey[key] {
            while entry.cursor < entry.positions.count, paired[entry.positions[entry.cursor]] { entry.cursor += 1 }
            byKey[key] = entry
            if entry.cursor < entry.positions.count {
                let position = entry.positions[entry.cursor]
                take(position)
                return (position, .secWebSocketKey, .high)
            }
        }
        guard let request = front.request, let sent = front.requestTime else { return nil }
        let requestKey = RequestKey(method: request.method, target: request.target)
        guard var group = byRequest[requestKey], group.remaining > 0 else { return nil }
        let candidates = group.remaining
        let bound = group.lowerBound(sent)
        var best: Int?
        let after = group.findNext(bound)
        if after < group.positions.count { best = after }
        if let before = group.findPrevious(bound - 1) {
            // Among equal times the earliest back wins, as a scan in order would pick it.
            let first = group.findNext(group.lowerBound(group.times[before]))
            let distanceBefore = abs(group.times[first].seconds(since: sent))
            if let current = best {
                let distanceAfter = abs(group.times[current].seconds(since: sent))
                if distanceBefore < distanceAfter
                    || (distanceBefore == distanceAfter && group.positions[first] < group.positions[current])
                {
                    best = first
                }
            } else {
                best = first
            }
        }
        byRequest[requestKey] = group
        guard let slot = best else { return nil }
        let position = group.positions[slot]
        take(position)
        return (position, .methodTargetTiming, candidates == 1 ? .medium : .low)
    }

    private mutating func take(_ position: Int) {
        paired[position] = true
        if let request = backs[position].request {
            let key = RequestKey(method: request.method, target: request.target)
            byRequest[key]?.take(slotInGroup[position])
        }
    }
}

/// The receiving leg's messages of one direction, matched first come first served by
/// digest or length in O(1) each (queues per value, skipping what was taken).
struct MessageQueue {
    let messages: [ExchangeRecord.Message]
    private var taken: [Bool]
    private var byDigest: [UInt64: (indices: [Int], cursor: Int)] = [:]
    private var byLength: [UInt64: (indices: [Int], cursor: Int)] = [:]
    /// The first message not taken.
    private(set) var head = 0
    private(set) var remaining: Int

    init(_ messages: [ExchangeRecord.Message]) {
        self.messages = messages
        taken = Array(repeating: false, count: messages.count)
        remaining = messages.count
        for (index, message) in messages.enumerated() {
            byDigest[message.digest, default: ([], 0)].indices.append(index)
            byLength[message.length, default: ([], 0)].indices.append(index)
        }
    }

    mutating func first(digest: UInt64) -> Int? {
        guard var entry = byDigest[digest] else { return nil }
        while entry.cursor < entry.indices.count, taken[entry.indices[entry.cursor]] { entry.cursor += 1 }
        byDigest[digest] = entry
        return entry.cursor < entry.indices.count ? entry.indices[entry.cursor] : nil
    }

    mutating func first(length: UInt64) -> Int? {
        guard var entry = byLength[length] else { return nil }
        while entry.cursor < entry.indices.count, taken[entry.indices[entry.cursor]] { entry.cursor += 1 }
        byLength[length] = entry
        return entry.cursor < entry.indices.count ? entry.indices[entry.cursor] : nil
    }

    mutating func remove(_ index: Int) {
        guard !taken[index] else { return }
        taken[index] = true
        remaining -= 1
        while head < messages.count, taken[head] { head += 1 }
    }
}

/// For one target: the latest answer time among earlier requests, on the two servers
/// with the latest answers (so "latest on a server other than X" is O(1)).
struct LatestAnswers {
    private var best: (time: Timestamp, server: Endpoint)?
    private var second: (time: Timestamp, server: Endpoint)?

    mutating func insert(_ time: Timestamp, server: Endpoint) {
        guard let top = best else {
            best = (time, server)
            return
        }
        if top.server == server {
            if time > top.time { best = (time, server) }
        } else if time > top.time {
            second = top
            best = (time, server)
        } else if let runner = second, runner.server == server {
            if time > runner.time { second = (time, server) }
        } else if second == nil || time > (second?.time ?? .zero) {
            second = (time, server)
        }
    }

    func latest(excluding server: Endpoint) -> Timestamp? {
        if let top = best, top.server != server { return top.time }
        return second?.time
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
