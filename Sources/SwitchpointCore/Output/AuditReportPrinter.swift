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
        if report.exchangesNotKept > 0 {
            let limit = AuditLimits.maxExchangesPerConnection
            writer.write(
                line: TerminalText.escape(
                    CountedNoun.text(report.exchangesNotKept, "more exchange")
                        + " not audited: past \(limit) on one connection"))
        }
        writeContext(report)
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
                    "exchange \(index + 1)  paired by \(pair.evidence.rawValue) (\(pair.confidence.rawValue) confidence"
                    + (Self.requestGap(pair, clockOffset: report.clockOffsetMilliseconds).map {
                        "; sent upstream \(TimestampText.duration(milliseconds: $0)) after the client's request"
                    } ?? "") + ")"
            )
            writer.write(
                line: Self.side(
                    "front: \(pair.front.client) → \(pair.front.server) [\(AuditFinding.label(pair.front))]",
                    "back: \(pair.back.client) → \(pair.back.server) [\(AuditFinding.label(pair.back))]"))
            writer.write(line: Self.side(Self.request(pair.front), Self.request(pair.back)))
            writer.write(line: Self.side(Self.answer(pair.front), Self.answer(pair.back)))
            if pair.front.switched || pair.back.switched {
                writer.write(line: Self.side(Self.messages(pair.front), Self.messages(pair.back)))
                // Program-made words; escaped whole all the same, as every new line is.
                writer.write(
                    line: TerminalText.escape(
                        Self.side(
                            "end: " + Self.ending(pair.front, proxyIs: .serverToClient),
                            "end: " + Self.ending(pair.back, proxyIs: .clientToServer))))
            }
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
        writeTunnels(report, findingsByFront: findingsByFront)
        let pairedTunnels = Set(report.tunnels.map { LegID($0.front) })
        let unattached = report.findings.filter { finding in
            finding.front.map { !pairedFronts.contains($0) && !pairedTunnels.contains($0) } ?? true
        }
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

    /// The captures and their roles (for more than one), the proxy recognised and the TLS
    /// legs, under the header.
    private func writeContext(_ report: ProxyAuditor.Report) {
        if report.files.count > 1 {
            for (index, file) in report.files.enumerated() {
                writer.write(line: TerminalText.escape("file \(index + 1): \(file.role.description) \(file.path)"))
            }
        }
        if let proxy = report.proxy {
            writer.write(
                line: TerminalText.escape(
                    "proxy: \(proxy.kind.displayName) (\(proxy.evidence)); fixes are given for it"))
        } else {
            writer.write(line: "proxy: not recognised (--proxy NAME names it); fixes are given for nginx")
        }
        for tls in report.tls {
            let name = tls.serverName.map { " sni " + $0 } ?? ""
            let state =
                tls.decrypted ? "decrypted" : "not decrypted (no key in the key log): its exchanges are not audited"
            writer.write(line: TerminalText.escape("tls \(tls.leg)\(name): \(state)"))
        }
    }

    private func writeTunnels(_ report: ProxyAuditor.Report, findingsByFront: [LegID: [AuditFinding]]) {
        for (index, tunnel) in report.tunnels.enumerated() {
            writer.write(line: "")
            let answer = tunnel.front.response.map { "\($0.status) \($0.reason)" } ?? "no answer"
            writer.write(
                line: TerminalText.escape(
                    "tunnel \(index + 1)  \(ProxyAuditor.describe(tunnel.front)) → \(answer)  paired by \(tunnel.evidence.rawValue)"
                ))
            let bytes =
                tunnel.front.tunnelBytes.map { "tunnel bytes c2s \($0.clientToServer) s2c \($0.serverToClient)" }
                ?? "tunnel bytes unknown"
            if let back = tunnel.back {
                let lines = [
                    Self.side(
                        "front: \(tunnel.front.client) → \(tunnel.front.server) [\(LegID(tunnel.front))]",
                        "back: \(back.client) → \(back.server) [\(back.label)]"),
                    Self.side(bytes, "bytes c2s \(back.bytes.clientToServer) s2c \(back.bytes.serverToClient)"),
                    Self.side(
                        "end: " + Self.ending(tunnel.front, proxyIs: .serverToClient),
                        "end: " + Self.describe(back.ending, proxyIs: .clientToServer)),
                ]
                for line in lines { writer.write(line: TerminalText.escape(line)) }
            } else {
                writer.write(
                    line: TerminalText.escape(
                        "    front: \(tunnel.front.client) → \(tunnel.front.server) [\(LegID(tunnel.front))], \(bytes)")
                )
            }
            for finding in findingsByFront[LegID(tunnel.front)] ?? [] { write(finding) }
        }
    }

    /// Milliseconds from the client's request to the upstream one (the pairing's time
    /// window), the back capture's clock corrected.
    static func requestGap(_ pair: AuditPair, clockOffset: Double?) -> Double? {
        guard let front = pair.front.requestTime, let back = pair.back.requestTime else { return nil }
        return back.seconds(since: front) * 1000 - (clockOffset ?? 0)
    }

    /// Who sent the first FIN or RST on a leg, and after how much silence.
    static func ending(_ record: ExchangeRecord, proxyIs proxySide: Direction) -> String {
        if record.isHTTP2 { return record.closedAt == nil ? "stream open" : "stream ended" }
        guard let ending = record.ending else { return "open at the end of the capture" }
        return describe(ending, proxyIs: proxySide)
    }

    static func describe(_ ending: LegEnding, proxyIs proxySide: Direction) -> String {
        guard let closer = ending.firstCloser, let kind = ending.firstCloseKind else {
            return "\(ending.reason.rawValue), no FIN or RST seen"
        }
        let who = closer == proxySide ? "the proxy" : (closer == .clientToServer ? "the client" : "the server")
        let silence =
            ending.silenceBeforeClose.map { " \(JSONLine.fixed($0, decimals: 2)) s after the last data" } ?? ""
        return "\(who) closed first (\(kind.rawValue))\(silence)"
    }

    private func write(_ finding: AuditFinding) {
        var where_ = ""
        if let front = finding.front { where_ += " front \(front)" }
        if let back = finding.back { where_ += " back \(back)" }
        writer.write(
            line:
                "  !! \(finding.severity.rawValue) \(finding.code.rawValue):\(where_): \(TerminalText.escape(finding.message))"
        )
        guard let fix = finding.configFix else { return }
        // Each snippet on lines of its own, ready to paste (the JSON `fix` is one line).
        let assumed = fix.assumed ? "; proxy not recognised, the nginx form (--proxy NAME gives another)" : ""
        writer.write(line: TerminalText.escape("     fix (\(fix.proxy.displayName)\(assumed)): \(fix.advice)"))
        for snippet in fix.snippets {
            writer.write(line: "       in the \(snippet.context.rawValue):")
            for line in snippet.lines { writer.write(line: "         " + TerminalText.escape(line)) }
        }
    }

    /// `escaping: .ascii` (`--json-ascii`): pure ASCII out.
    package func json(_ report: ProxyAuditor.Report, problems: [CaptureError], escaping: JSONEscaping = .standard) {
        for pair in report.pairs {
            let line = Self.pairLine(pair, clockOffset: report.clockOffsetMilliseconds, escaping: escaping)
            writer.write(line: line.line)
        }
        for tunnel in report.tunnels {
            let line = Self.tunnelLine(tunnel, escaping: escaping)
            writer.write(line: line.line)
        }
        for finding in report.findings {
            let line = Self.findingLine(finding, escaping: escaping)
            writer.write(line: line.line)
        }
        let line = Self.summaryLine(report, problems: problems, escaping: escaping)
        writer.write(line: line.line)
        writer.flush()
    }
}

extension AuditReportPrinter {
    static func pairLine(_ pair: AuditPair, clockOffset: Double?, escaping: JSONEscaping) -> JSONLine {
        var line = JSONLine(escaping: escaping)
        line.add("type", "audit.pair")
        line.add("front", AuditFinding.label(pair.front).description)
        line.add("back", AuditFinding.label(pair.back).description)
        line.add("evidence", pair.evidence.rawValue)
        line.add("confidence", pair.confidence.rawValue)
        if let gap = requestGap(pair, clockOffset: clockOffset) { line.add("request_gap_ms", gap, decimals: 3) }
        line.add("front_client", pair.front.client.description)
        line.add("front_server", pair.front.server.description)
        line.add("back_client", pair.back.client.description)
        line.add("back_server", pair.back.server.description)
        line.add("front_request", pair.front.request.map { "\($0.method) \($0.target) \($0.version)" })
        line.add("back_request", pair.back.request.map { "\($0.method) \($0.target) \($0.version)" })
        addStatus(pair.front.response?.status, name: "front_status", to: &line)
        addStatus(pair.back.response?.status, name: "back_status", to: &line)
        line.add("messages_front", pair.front.messageCount)
        line.add("messages_back", pair.back.messageCount)
        if let p50 = pair.delays.quantile(0.5) { line.add("delay_p50_ms", p50, decimals: 3) }
        if let p99 = pair.delays.quantile(0.99) { line.add("delay_p99_ms", p99, decimals: 3) }
        if let max = pair.delays.max() { line.add("delay_max_ms", max, decimals: 3) }
        addEnding(pair.front, prefix: "front", proxyIs: .serverToClient, to: &line)
        addEnding(pair.back, prefix: "back", proxyIs: .clientToServer, to: &line)
        return line
    }

    static func addStatus(_ status: Int?, name: String, to line: inout JSONLine) {
        if let status { line.add(name, status) } else { line.addNull(name) }
    }

    static func tunnelLine(_ tunnel: TunnelPair, escaping: JSONEscaping) -> JSONLine {
        var line = JSONLine(escaping: escaping)
        line.add("type", "audit.tunnel")
        line.add("front", LegID(tunnel.front).description)
        line.add("back", tunnel.back?.label.description)
        line.add("evidence", tunnel.evidence.rawValue)
        line.add("target", tunnel.front.request?.target)
        addStatus(tunnel.front.response?.status, name: "front_status", to: &line)
        if let bytes = tunnel.front.tunnelBytes {
            line.add("front_bytes_c2s", bytes.clientToServer)
            line.add("front_bytes_s2c", bytes.serverToClient)
        }
        if let back = tunnel.back {
            line.add("back_bytes_c2s", back.bytes.clientToServer)
            line.add("back_bytes_s2c", back.bytes.serverToClient)
        }
        return line
    }

    static func findingLine(_ finding: AuditFinding, escaping: JSONEscaping) -> JSONLine {
        var line = JSONLine(escaping: escaping)
        line.add("type", "audit.finding")
        line.add("code", finding.code.rawValue)
        line.add("severity", finding.severity.rawValue)
        line.add("message", finding.message)
        line.add("fix", finding.fix)
        line.add("front", finding.front?.description)
        line.add("back", finding.back?.description)
        return line
    }

    static func summaryLine(_ report: ProxyAuditor.Report, problems: [CaptureError], escaping: JSONEscaping) -> JSONLine
    {
        var line = JSONLine(escaping: escaping)
        line.add("type", "audit.summary")
        line.add("exchanges", report.records)
        line.add("pairs", report.pairs.count)
        line.add("single_leg", report.singleLeg)
        if report.exchangesNotKept > 0 { line.add("exchanges_not_kept", report.exchangesNotKept) }
        if let offset = report.clockOffsetMilliseconds { line.add("clock_offset_ms", offset, decimals: 3) }
        if report.files.count > 1 {
            let files = report.files.enumerated().map { index, file in
                var object = JSONLine(escaping: escaping)
                object.add("file", index + 1)
                object.add("path", file.path)
                object.add("role", file.role.rawValue)
                return object.line
            }
            line.addRaw("files", json: "[" + files.joined(separator: ",") + "]")
        }
        line.add("proxy", report.proxy?.kind.rawValue)
        line.add("proxy_evidence", report.proxy?.evidence)
        for (name, decrypted) in [("tls_decrypted", true), ("tls_not_decrypted", false)] {
            let legs = report.tls.filter { $0.decrypted == decrypted }.map {
                JSONLine.quoted($0.leg.description, escaping: escaping)
            }
            line.addRaw(name, json: "[" + legs.joined(separator: ",") + "]")
        }
        var counts: [String: Int] = [:]
        for finding in report.findings { counts[finding.code.rawValue, default: 0] += 1 }
        line.addRaw("findings", json: JSONLine.countsObject(counts.map { ($0.key, $0.value) }, escaping: escaping))
        line.add("worst_severity", report.worstSeverity?.rawValue)
        line.addRaw(
            "input_problems",
            json: "[" + problems.map { JSONLine.quoted($0.description, escaping: escaping) }.joined(separator: ",")
                + "]")
        return line
    }
    /// `front_closed_by` (`proxy`, `client`, `server`, or null), `front_close` (`fin`/`rst`),
    /// `front_silence_s`: who ended a TCP leg and after how much silence.
    static func addEnding(
        _ record: ExchangeRecord, prefix: String, proxyIs proxySide: Direction, to line: inout JSONLine
    ) {
        guard !record.isHTTP2, let ending = record.ending, let closer = ending.firstCloser else { return }
        line.add(
            prefix + "_closed_by", closer == proxySide ? "proxy" : (closer == .clientToServer ? "client" : "server"))
        line.add(prefix + "_close", ending.firstCloseKind?.rawValue)
        if let silence = ending.silenceBeforeClose { line.add(prefix + "_silence_s", silence, decimals: 3) }
    }
}

extension AuditFinding {
    static func label(_ record: ExchangeRecord) -> LegID { ProxyAuditor.label(record) }
}
