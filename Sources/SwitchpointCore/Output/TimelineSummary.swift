/// Totals for the closing lines of a timeline: connections, upgrades by protocol and
/// outcome, findings by code.
package struct TimelineSummary {
    package private(set) var connections = 0
    package private(set) var switched: [String: Int] = [:]
    package private(set) var refused: [String: Int] = [:]
    /// Optional upgrades (h2c) the server did not take: it kept HTTP/1.1.
    package private(set) var declined = 0
    /// 101s the client did not take: it closed without a byte of the new protocol.
    package private(set) var rejectedByClient: [String: Int] = [:]
    /// 101s after which the client had not spoken when the capture ended.
    package private(set) var outcomeUnknown: [String: Int] = [:]
    package private(set) var findings: [FindingCode: (severity: Severity, count: Int)] = [:]
    package private(set) var gaps = 0
    package private(set) var gapBytes: UInt64 = 0
    /// Messages and streams per protocol.
    package private(set) var totals = ProtocolTotals()

    package init() {}

    package mutating func count(_ event: TimelineEvent) {
        // Most events count nothing: a tag check, no payload copy.
        switch event.tag {
        case .connectionOpened, .upgrade, .finding, .gap, .app: break
        case .connectionClosed, .httpRequest, .httpResponse, .httpBody, .rawData, .tlsClientHello, .tlsServerHello,
            .tlsHelloRetry, .tlsSession, .tlsEncrypted, .wsFrame, .wsMessage, .wsControl, .wsClose, .wsClosing,
            .h2Frame, .h2Settings, .h2Headers, .h2Reset, .h2GoAway, .h2Ping, .h2Stream:
            _ = totals.count(event.tag)
            return
        }
        switch event.kind {
        case .connectionOpened:
            connections += 1
        case .upgrade(let upgrade):
            switch upgrade.outcome {
            case .established?, nil: switched[upgrade.protocolName.lowercasedASCII, default: 0] += 1
            case .rejectedByClient?: rejectedByClient[upgrade.protocolName.lowercasedASCII, default: 0] += 1
            case .unknown?: outcomeUnknown[upgrade.protocolName.lowercasedASCII, default: 0] += 1
            }
        case .finding(let finding):
            findings[finding.code, default: (finding.severity, 0)].count += 1
            if finding.code == .detectedByContent && finding.message.hasPrefix(ProtocolID.websocket.name) {
                totals.webSocketJoinedMidStream = true
            }
            switch finding.code.upgradeOutcome {
            case .refused426?: refused["426", default: 0] += 1
            case .refusedOtherStatus?: refused["other status", default: 0] += 1
            case .declined?: declined += 1
            case .connectRefused?, .noVerdict?, nil: break
            }
        case .gap(let length, _):
            gaps += 1
            gapBytes += length
        case .app(let application):
            totals.count(application)
        case .connectionClosed, .httpRequest, .httpResponse, .httpBody, .rawData, .tlsClientHello, .tlsServerHello,
            .tlsHelloRetry, .tlsSession, .tlsEncrypted, .wsFrame, .wsMessage, .wsControl, .wsClose, .wsClosing,
            .h2Frame, .h2Settings, .h2Headers, .h2Reset, .h2GoAway, .h2Ping, .h2Stream:
            break
        }
    }

    /// Adds another part's totals (the workers of a sharded run each count their share).
    mutating func merge(_ other: TimelineSummary) {
        connections += other.connections
        switched.merge(other.switched, uniquingKeysWith: +)
        refused.merge(other.refused, uniquingKeysWith: +)
        declined += other.declined
        rejectedByClient.merge(other.rejectedByClient, uniquingKeysWith: +)
        outcomeUnknown.merge(other.outcomeUnknown, uniquingKeysWith: +)
        findings.merge(other.findings) { mine, theirs in (mine.severity, mine.count + theirs.count) }
        gaps += other.gaps
        gapBytes += other.gapBytes
        totals.merge(other.totals)
    }

    package var worstSeverity: Severity? { findings.values.map(\.severity).max() }

    func textLines(
        statistics: DecodeStatistics, problems: [CaptureError], live: ThreadedCaptureSource.Statistics? = nil,
        scope: SummaryScope = SummaryScope()
    ) -> [String] {
        var lines: [String] = []
        // An input that ended early changes how everything below reads: said first, once.
        for problem in problems {
            lines.append("input problem: \(TerminalText.escape(problem.description))")
        }
        var totals =
            CountedNoun.text(connections, "connection") + ", " + statistics.packetBreakdown(alwaysShowOther: false)
        if gaps > 0 {
            totals +=
                ", " + CountedNoun.text(gaps, "gap") + " (" + CountedNoun.text(gapBytes, "byte") + " never captured)"
        }
        lines.append(totals)
        var upgrades = switched.sorted { $0.key < $1.key }.map {
            "\(TerminalText.escape($0.key)) switched ×\($0.value)"
        }
        upgrades += rejectedByClient.sorted { $0.key < $1.key }.map {
            "\(TerminalText.escape($0.key)) rejected by the client ×\($0.value)"
        }
        upgrades += outcomeUnknown.sorted { $0.key < $1.key }.map {
            "\(TerminalText.escape($0.key)) switched, outcome unknown ×\($0.value)"
        }
        upgrades += refused.sorted { $0.key < $1.key }.map { "refused (\($0.key)) ×\($0.value)" }
        if declined > 0 { upgrades.append("declined (HTTP/1.1 kept) ×\(declined)") }
        lines.append("upgrades: " + (upgrades.isEmpty ? "none" : upgrades.joined(separator: ", ")))
        if let messages = self.totals.textLine { lines.append(messages) }
        if !findings.isEmpty {
            let sorted = findings.sorted { ($0.value.severity, $1.key.rawValue) > ($1.value.severity, $0.key.rawValue) }
            lines.append(
                "findings: "
                    + sorted.map { "\($0.key.rawValue) ×\($0.value.count) (\($0.value.severity.rawValue))" }.joined(
                        separator: ", "))
        }
        let decodeProblems = statistics.problemCounts
        if !decodeProblems.isEmpty {
            lines.append(
                "packets not decoded: "
                    + decodeProblems.sorted { $0.0 < $1.0 }.map { "\($0.0) ×\($0.1)" }.joined(separator: ", "))
        }
        if let live {
            var capture = "capture: " + CountedNoun.text(live.captured, "packet") + " captured"
            if let received = live.kernelReceived { capture += ", \(received) received by the filter" }
            capture += ", \(live.kernelDrops.map(String.init) ?? "?") dropped by the kernel"
            capture += ", \(live.interfaceDrops.map(String.init) ?? "?") by the interface"
            capture += ", \(live.queueDrops) by switchpoint's queue"
            lines.append(capture)
        }
        return lines + scope.textLines()
    }

    func jsonLine(
        statistics: DecodeStatistics, problems: [CaptureError], live: ThreadedCaptureSource.Statistics? = nil,
        escaping: JSONEscaping = .standard, scope: SummaryScope = SummaryScope()
    ) -> String {
        var line = JSONLine(escaping: escaping)
        statistics.addSummaryFields(to: &line, connections: connections, gaps: gaps, gapBytes: gapBytes)
        // Protocol names come from the wire: escaped like every other string value.
        line.addRaw("upgrades", json: JSONLine.countsObject(switched.map { ($0.key, $0.value) }, escaping: escaping))
        line.addRaw("refused", json: JSONLine.countsObject(refused.map { ($0.key, $0.value) }, escaping: escaping))
        line.add("declined", declined)
        line.addRaw(
            "rejected_by_client",
            json: JSONLine.countsObject(rejectedByClient.map { ($0.key, $0.value) }, escaping: escaping))
        line.addRaw(
            "outcome_unknown",
            json: JSONLine.countsObject(outcomeUnknown.map { ($0.key, $0.value) }, escaping: escaping))
        line.addRaw(
            "findings",
            json: JSONLine.countsObject(findings.map { ($0.key.rawValue, $0.value.count) }, escaping: escaping))
        line.addRaw("messages", json: totals.json)
        line.addRaw(
            "input_problems",
            json: "[" + problems.map { JSONLine.quoted($0.description, escaping: escaping) }.joined(separator: ",")
                + "]")
        if let live {
            line.add("captured", live.captured)
            if let received = live.kernelReceived { line.add("received", Int(received)) }
            if let drops = live.kernelDrops { line.add("kernel_drops", Int(drops)) }
            if let drops = live.interfaceDrops { line.add("interface_drops", Int(drops)) }
            line.add("queue_drops", live.queueDrops)
        }
        scope.addFields(to: &line)
        return line.line
    }
}
