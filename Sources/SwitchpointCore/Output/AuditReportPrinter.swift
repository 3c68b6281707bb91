/// The audit report as text (grouped by exchange, both legs side by side) or JSON lines.
package struct AuditReportPrinter {
    let writer: LineWriter

    package init(writer: LineWriter) {
        self.writer = writer
    }

    static func request(_ record: ExchangeRecord) -> String {
        guard let request = record.request else { return "-" }
        var text = "\(request.method) \(request.target) \(request.version)"
        for name in ["Upgrade", "Connection"] {
            if let value = request.headers.combined(name) { text += "  \(name): \(value)" }
        }
        return TerminalText.escape(text)
    }

    static func answer(_ record: ExchangeRecord) -> String {
        guard let response = record.response else { return "no answer" }
        return TerminalText.escape("\(response.status) \(response.reason)")
            + (record.upgraded.map { " → " + TerminalText.escape($0) } ?? "")
    }

    static func messages(_ record: ExchangeRecord) -> String {
        let c2s = record.messageCount(.clientToServer)
        let s2c = record.messageCount(.serverToClient)
        let closes = record.closeFrames.map { "\($0.direction.shortName) close \($0.code.map(String.init) ?? "-")" }
        return "messages c2s \(c2s) s2c \(s2c)"
            + (closes.isEmpty ? ", no close frame" : ", " + closes.joined(separator: ", "))
            + ", tcp \(record.closeReason?.rawValue ?? "open")"
    }

    static func side(_ left: String, _ right: String, width: Int = 64) -> String {
        let padded = left.count < width ? left + String(repeating: " ", count: width - left.count) : left
        return "    " + padded + " │ " + right
    }

    package func text(_ report: ProxyAuditor.Report, problems: [CaptureError]) {
        var header =
            "== proxy audit: " + CountedNoun.text(report.records, "exchange")
            + " read, \(report.pairs.count) paired across the proxy"
        if let offset = report.clockOffsetMilliseconds {
            header +=
                "; the back capture's clock is \(JSONLine.fixed(offset, decimals: 3)) ms ahead of the front's (estimated from the handshakes)"
        }
        writer.write(line: header)
        if report.singleLeg {
            writer.write(line: "single-leg mode: no exchange could be paired, so only what one side proves is reported")
        }
        // Findings grouped by front once (a lookup per pair, not a scan of every finding).
        let findingsByFront = Dictionary(
            grouping: report.findings.filter { $0.front != nil },
            by: { $0.front ?? LegID(file: -1, connection: ConnectionID(0)) })
        let pairedFronts = Set(report.pairs.map { AuditFinding.label($0.front) })
        for (index, pair) in report.pairs.enumerated() {
            writer.write(line: "")
            writer.write(
                line:
                    "exchange \(index + 1)  paired by \(pair.evidence.rawValue) (\(pair.confidence.rawValue) confidence)"
            )
            writer.write(
                line: Self.side(
                    "front: \(pair.front.client) → \(pair.front.server) [\(AuditFinding.label(pair.front))]",
                    "back: \(pair.back.client) → \(pair.back.server) [\(AuditFinding.label(pair.back))]"))
            writer.write(line: Self.side(Self.request(pair.front), Self.request(pair.back)))
            writer.write(line: Self.side(Self.answer(pair.front), Self.answer(pair.back)))
            writer.write(line: Self.side(Self.messages(pair.front), Self.messages(pair.back)))
            if let p50 = pair.delays.quantile(0.5), let p99 = pair.delays.quantile(0.99), let max = pair.delays.max() {
                writer.write(
                    line:
                        "    proxy delay per message: p50 \(TimestampText.duration(milliseconds: p50))  p99 \(TimestampText.duration(milliseconds: p99))  max \(TimestampText.duration(milliseconds: max))  (\(CountedNoun.text(pair.delays.count, "message")))"
                )
            }
            for finding in findingsByFront[AuditFinding.label(pair.front)] ?? [] {
                write(finding)
            }
        }
        let unattached = report.findings.filter { finding in finding.front.map { !pairedFronts.contains($0) } ?? true }
        if !unattached.isEmpty { writer.write(line: "") }
        for finding in unattached { write(finding) }
        writer.write(line: "")
        var counts: [String: Int] = [:]
        for finding in report.findings { counts[finding.severity.rawValue, default: 0] += 1 }
        writer.write(
            line: "== summary: " + CountedNoun.text(report.findings.count, "finding")
                + (counts.isEmpty
                    ? ""
                    : " ("
                        + ["error", "warn", "info"].compactMap { name in counts[name].map { "\($0) \(name)" } }.joined(
                            separator: ", ") + ")"))
        for problem in problems { writer.write(line: "input problem: \(TerminalText.escape(problem.description))") }
        writer.flush()
    }

    private func write(_ finding: AuditFinding) {
        var where_ = ""
        if let front = finding.front { where_ += " front \(front)" }
        if let back = finding.back { where_ += " back \(back)" }
        writer.write(
            line:
                "  !! \(finding.severity.rawValue) \(finding.code.rawValue):\(where_): \(TerminalText.escape(finding.message))"
        )
        if let fix = finding.fix { writer.write(line: "     fix: \(fix)") }
    }

    /// `escaping: .ascii` (`--json-ascii`): pure ASCII out.
    package func json(_ report: ProxyAuditor.Report, problems: [CaptureError], escaping: JSONEscaping = .standard) {
        for pair in report.pairs {
            var line = JSONLine(escaping: escaping)
            line.add("type", "audit.pair")
            line.add("front", AuditFinding.label(pair.front).description)
            line.add("back", AuditFinding.label(pair.back).description)
            line.add("evidence", pair.evidence.rawValue)
            line.add("confidence", pair.confidence.rawValue)
            line.add("front_client", pair.front.client.description)
            line.add("front_server", pair.front.server.description)
            line.add("back_client", pair.back.client.description)
            line.add("back_server", pair.back.server.description)
            line.add("front_request", pair.front.request.map { "\($0.method) \($0.target) \($0.version)" })
            line.add("back_request", pair.back.request.map { "\($0.method) \($0.target) \($0.version)" })
            if let status = pair.front.response?.status {
                line.add("front_status", status)
            } else {
                line.addNull("front_status")
            }
            if let status = pair.back.response?.status {
                line.add("back_status", status)
            } else {
                line.addNull("back_status")
            }
            line.add("messages_front", pair.front.messageCount)
            line.add("messages_back", pair.back.messageCount)
            if let p50 = pair.delays.quantile(0.5) { line.add("delay_p50_ms", p50, decimals: 3) }
            if let p99 = pair.delays.quantile(0.99) { line.add("delay_p99_ms", p99, decimals: 3) }
            if let max = pair.delays.max() { line.add("delay_max_ms", max, decimals: 3) }
            writer.write(line: line.line)
        }
        for finding in report.findings {
            var line = JSONLine(escaping: escaping)
            line.add("type", "audit.finding")
            line.add("code", finding.code.rawValue)
            line.add("severity", finding.severity.rawValue)
            line.add("message", finding.message)
            line.add("fix", finding.fix)
            line.add("front", finding.front?.description)
            line.add("back", finding.back?.description)
            writer.write(line: line.line)
        }
        var line = JSONLine(escaping: escaping)
        line.add("type", "audit.summary")
        line.add("exchanges", report.records)
        line.add("pairs", report.pairs.count)
        line.add("single_leg", report.singleLeg)
        if let offset = report.clockOffsetMilliseconds { line.add("clock_offset_ms", offset, decimals: 3) }
        var counts: [String: Int] = [:]
        for finding in report.findings { counts[finding.code.rawValue, default: 0] += 1 }
        line.addRaw("findings", json: JSONLine.countsObject(counts.map { ($0.key, $0.value) }, escaping: escaping))
        line.add("worst_severity", report.worstSeverity?.rawValue)
        line.addRaw(
            "input_problems",
            json: "[" + problems.map { JSONLine.quoted($0.description, escaping: escaping) }.joined(separator: ",")
                + "]")
        writer.write(line: line.line)
        writer.flush()
    }
}

extension AuditFinding {
    static func label(_ record: ExchangeRecord) -> LegID { ProxyAuditor.label(record) }
}
