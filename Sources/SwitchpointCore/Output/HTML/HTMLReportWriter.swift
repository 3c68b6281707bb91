import Crypto

/// Writes the self-contained HTML report (`--html FILE`): the capture's facts, a sortable,
/// filterable table of connections, and per connection (per proxied exchange for the
/// audit) a sequence diagram in inline SVG. No network access when opened: style and
/// script are inline, allowed by hash in a Content-Security-Policy that forbids the rest.
package struct HTMLReportWriter {
    package var capture: ReportCapture
    package var connections: [ReportConnection]
    /// The proxy audit's pairs and findings, when the report comes from `switchpoint audit`.
    package var audit: ProxyAuditor.Report?

    /// Each audited leg's pair, by `file:conn`.
    private let pairIndex: [String: Int]

    package init(capture: ReportCapture, connections: [ReportConnection], audit: ProxyAuditor.Report? = nil) {
        self.capture = capture
        self.connections = connections
        self.audit = audit
        var index: [String: Int] = [:]
        for (position, pair) in (audit?.pairs ?? []).enumerated() {
            index["\(pair.front.file):\(pair.front.connection)"] = position
            index["\(pair.back.file):\(pair.back.connection)"] = position
        }
        pairIndex = index
    }

    /// The whole page.
    package func render() -> OutputBuffer {
        let out = OutputBuffer(capacity: 64 * 1024)
        out.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
        out.append(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src 'none'; base-uri 'none'; form-action 'none'; style-src '"
        )
        out.append(trusted: Self.hash(HTMLReportAssets.style))
        out.append("'; script-src '")
        out.append(trusted: Self.hash(HTMLReportAssets.script))
        out.append(
            "'\">\n<meta name=\"viewport\" content=\"width=device-width\">\n<title>switchpoint report</title>\n<style>")
        out.append(trusted: HTMLReportAssets.style)
        out.append("</style></head>\n<body>\n")
        writeHeader(out)
        let auditByLabel = auditFindingsByConnection()
        writeTable(out, auditByLabel: auditByLabel)
        writeDiagrams(out, auditByLabel: auditByLabel)
        out.append("<script>")
        out.append(trusted: HTMLReportAssets.script)
        out.append("</script>\n</body></html>\n")
        return out
    }

    /// `sha256-…` for the CSP.
    static func hash(_ text: String) -> String {
        "sha256-" + Base64.encode(Array(SHA256.hash(data: Array(text.utf8))))
    }

    // MARK: Header

    private func writeHeader(_ out: OutputBuffer) {
        out.append("<header><h1>switchpoint ")
        out.append(audit == nil ? "report" : "proxy audit report")
        out.append("</h1><dl class=\"facts\">")
        fact(out, "files") { HTMLEscaper.append(capture.files.joined(separator: ", "), to: out) }
        fact(out, "time span") {
            if let first = capture.first, let last = capture.last {
                out.append(utc: first)
                out.append(" – ")
                out.append(utc: last)
                out.append(" (")
                out.append(duration: Double(last.nanoseconds(since: first)) / 1e6)
                out.append(")")
            } else {
                out.append("no events")
            }
        }
        fact(out, "packets") { out.append(decimal: capture.packets) }
        fact(out, "connections") {
            out.append(decimal: capture.connections)
            if capture.connectionsNotListed > 0 {
                out.append(" (")
                out.append(decimal: capture.connectionsNotListed)
                out.append(" past the first ")
                out.append(decimal: ReportLimits.maxListedConnections)
                out.append(" not listed)")
            }
            if capture.connectionsNotDetailed > 0 {
                out.append(" (")
                out.append(decimal: capture.connectionsNotDetailed)
                out.append(" listed without a diagram: only the first ")
                out.append(decimal: ReportLimits.maxDetailedConnections)
                out.append(" are recorded in detail)")
            }
        }
        fact(out, "upgrades") {
            var parts: [String] = capture.switched.sorted { $0.key < $1.key }.map { "\($0.key) switched ×\($0.value)" }
            parts += capture.refused.sorted { $0.key < $1.key }.map { "refused (\($0.key)) ×\($0.value)" }
            if capture.declined > 0 { parts.append("declined (HTTP/1.1 kept) ×\(capture.declined)") }
            HTMLEscaper.append(parts.isEmpty ? "none" : parts.joined(separator: ", "), to: out)
        }
        fact(out, "findings") { Self.severityCounts(capture.findings, into: out) }
        if let audit {
            fact(out, "proxy audit") {
                out.append(decimal: audit.records)
                out.append(" exchanges read, ")
                out.append(decimal: audit.pairs.count)
                out.append(" paired across the proxy")
                if audit.singleLeg { out.append(" (single leg: only what one side proves)") }
                if let offset = audit.clockOffsetMilliseconds {
                    out.append("; the upstream capture's clock runs ")
                    out.append(fixed: offset, decimals: 3)
                    out.append(" ms ahead")
                }
            }
            fact(out, "audit findings") {
                var counts: [Severity: Int] = [:]
                for finding in audit.findings { counts[finding.severity, default: 0] += 1 }
                Self.severityCounts(counts, into: out)
            }
        }
        out.append("</dl></header>\n")
    }

    private func fact(_ out: OutputBuffer, _ name: StaticString, _ value: () -> Void) {
        out.append("<dt>")
        out.append(name)
        out.append("</dt><dd>")
        value()
        out.append("</dd>")
    }

    static func severityCounts(_ counts: [Severity: Int], into out: OutputBuffer) {
        let parts = [Severity.error, .warn, .info].compactMap { severity in
            counts[severity].map { "\($0) \(severity.rawValue)" }
        }
        out.append(trusted: parts.isEmpty ? "none" : parts.joined(separator: ", "))
    }

    // MARK: Table

    /// Audit findings by the `file:conn` label of each leg they name.
    private func auditFindingsByConnection() -> [String: [AuditFinding]] {
        var byLabel: [String: [AuditFinding]] = [:]
        for finding in audit?.findings ?? [] {
            for label in Set([finding.front, finding.back].compactMap { $0?.description }) {
                byLabel[label, default: []].append(finding)
            }
        }
        return byLabel
    }

    /// Where a row's link and filter point: the pair's article for an audited leg, else the
    /// connection's own.
    private func articleID(_ connection: ReportConnection) -> String {
        if let index = pairIndex[connection.label] { return "p-\(index + 1)" }
        return "c-\(connection.file)-\(connection.id)"
    }

    static func rank(_ severity: Severity?) -> Int {
        switch severity {
        case nil: 0
        case .info: 1
        case .warn: 2
        case .error: 3
        }
    }

    private func writeTable(_ out: OutputBuffer, auditByLabel: [String: [AuditFinding]]) {
        let protocols = Set(connections.map { $0.protocolAfter?.lowercasedASCII ?? "" }).sorted()
        out.append("<section id=\"connections\"><h2>Connections</h2><div class=\"filters\">")
        out.append("<label>text <input id=\"filter-text\" type=\"search\" autocomplete=\"off\"></label>")
        out.append("<label>protocol <select id=\"filter-protocol\"><option value=\"\">any</option>")
        for name in protocols where !name.isEmpty {
            out.append("<option value=\"")
            HTMLEscaper.append(name, to: out)
            out.append("\">")
            HTMLEscaper.append(name, to: out)
            out.append("</option>")
        }
        if protocols.contains("") { out.append("<option value=\"-\">no switch</option>") }
        out.append("</select></label><label>severity <select id=\"filter-severity\"><option value=\"0\">any</option>")
        out.append(
            "<option value=\"1\">info or worse</option><option value=\"2\">warn or worse</option><option value=\"3\">error</option></select></label>"
        )
        out.append("<span class=\"muted\"><span id=\"shown-count\">")
        out.append(decimal: connections.count)
        out.append("</span> of ")
        out.append(decimal: connections.count)
        out.append(" shown</span></div>\n<table id=\"conn-table\"><thead><tr>")
        out.append(
            "<th data-type=\"num\">#</th><th>client</th><th>server</th><th>before</th><th>after</th><th>outcome</th>")
        out.append(
            "<th data-type=\"num\">bytes c→s</th><th data-type=\"num\">bytes s→c</th><th data-type=\"num\">duration</th><th data-type=\"num\">findings</th></tr></thead><tbody>\n"
        )
        for (index, connection) in connections.enumerated() {
            let auditFindings = auditByLabel[connection.label] ?? []
            let worst = [connection.worstSeverity, auditFindings.map(\.severity).max()].compactMap { $0 }.max()
            let findingCount = connection.findingTotal + auditFindings.count
            let after = connection.protocolAfter?.lowercasedASCII
            out.append("<tr class=\"conn-row")
            if let worst {
                out.append(" sev-")
                out.append(trusted: worst.rawValue)
            }
            out.append("\" data-conn=\"")
            out.append(trusted: connection.label)
            out.append("\" data-target=\"")
            out.append(trusted: articleID(connection))
            out.append("\" data-rank=\"")
            out.append(decimal: Self.rank(worst))
            out.append("\" data-protocol=\"")
            if let after { HTMLEscaper.append(after, to: out) } else { out.append("-") }
            out.append("\" data-text=\"")
            let searchable =
                [
                    connection.label, connection.client.description, connection.server.description,
                    connection.protocolBefore,
                    after ?? "", connection.outcome,
                ] + auditFindings.map(\.code.rawValue)
            HTMLEscaper.append(searchable.joined(separator: " ").lowercased(), to: out)
            out.append("\"><td class=\"num\" data-value=\"")
            out.append(decimal: index)
            out.append("\"><a href=\"#")
            out.append(trusted: articleID(connection))
            out.append("\">")
            out.append(trusted: connection.label)
            out.append("</a></td>")
            cell(out, connection.client.description)
            cell(out, connection.server.description)
            cell(out, connection.protocolBefore)
            cell(out, connection.protocolAfter ?? "—")
            cell(out, connection.outcome.isEmpty ? "—" : connection.outcome)
            numberCell(out, connection.bytesClientToServer)
            numberCell(out, connection.bytesServerToClient)
            out.append("<td class=\"num\" data-value=\"")
            out.append(fixed: connection.durationSeconds, decimals: 6)
            out.append("\">")
            out.append(duration: connection.durationSeconds * 1000)
            out.append("</td><td class=\"num\" data-value=\"")
            out.append(decimal: Self.rank(worst) * 1_000_000 + findingCount)
            out.append("\">")
            out.append(decimal: findingCount)
            if let worst {
                out.append(" (")
                out.append(trusted: worst.rawValue)
                out.append(")")
            }
            out.append("</td></tr>\n")
        }
        out.append("</tbody></table></section>\n")
    }

    private func cell(_ out: OutputBuffer, _ text: String) {
        out.append("<td data-value=\"")
        HTMLEscaper.append(text, to: out)
        out.append("\">")
        HTMLEscaper.append(text, to: out)
        out.append("</td>")
    }

    private func numberCell(_ out: OutputBuffer, _ value: UInt64) {
        out.append("<td class=\"num\" data-value=\"")
        out.append(decimal: value)
        out.append("\">")
        out.append(decimal: value)
        out.append("</td>")
    }

    // MARK: Diagrams

    private func writeDiagrams(_ out: OutputBuffer, auditByLabel: [String: [AuditFinding]]) {
        out.append(
            "<section id=\"diagrams\"><h2>Sequence diagrams</h2><p class=\"muted\">Click an arrow or a stream to see its headers or payload. "
        )
        out.append("HTTP/2 streams are drawn as a waterfall above their connection's diagram. ")
        out.append("Per connection the first and last ")
        out.append(decimal: ReportLimits.headMessages)
        out.append(" messages are drawn; long stretches are collapsed, marked idle only when no byte moved.</p>\n")
        var nextDetail = 0
        var notDrawn = 0
        let byLabel = Dictionary(connections.map { ($0.label, $0) }, uniquingKeysWith: { first, _ in first })
        var drawnPairs = Set<String>()
        if let audit {
            for (index, pair) in audit.pairs.enumerated() {
                let frontLabel = "\(pair.front.file):\(pair.front.connection)"
                let backLabel = "\(pair.back.file):\(pair.back.connection)"
                drawnPairs.insert(frontLabel)
                drawnPairs.insert(backLabel)
                guard let front = byLabel[frontLabel], let back = byLabel[backLabel], front.detailed, back.detailed
                else { continue }
                guard out.count < ReportLimits.htmlDiagramBudgetBytes else {
                    notDrawn += 1
                    continue
                }
                let shift = -Int64((audit.clockOffsetMilliseconds ?? 0) * 1e6)
                var findings = auditByLabel[frontLabel] ?? []
                for finding in auditByLabel[backLabel] ?? []
                where !findings.contains(where: { $0.code == finding.code && $0.message == finding.message }) {
                    findings.append(finding)
                }
                let diagram = SequenceDiagram(
                    lanes: [
                        "client " + front.client.description, "proxy " + front.server.description,
                        "upstream " + back.server.description,
                    ],
                    legs: [
                        .init(connection: front, left: 0, right: 1),
                        .init(connection: back, left: 1, right: 2, shiftNanoseconds: shift),
                    ],
                    extra: findings.map { Self.placed($0, pair: pair, backShift: shift, start: front.start) })
                article(
                    out, id: "p-\(index + 1)", connections: [front, back], diagram: diagram, findings: findings,
                    nextDetail: &nextDetail
                ) {
                    out.append("exchange ")
                    out.append(decimal: index + 1)
                    out.append(": front ")
                    out.append(trusted: frontLabel)
                    out.append(" ↔ back ")
                    out.append(trusted: backLabel)
                    out.append(" <span class=\"muted\">paired by ")
                    HTMLEscaper.append(
                        pair.evidence.rawValue + " (" + pair.confidence.rawValue + " confidence)", to: out)
                    out.append("</span>")
                }
            }
        }
        for connection in connections where connection.detailed && !drawnPairs.contains(connection.label) {
            guard out.count < ReportLimits.htmlDiagramBudgetBytes else {
                notDrawn += 1
                continue
            }
            let diagram = SequenceDiagram(
                lanes: ["client " + connection.client.description, "server " + connection.server.description],
                legs: [.init(connection: connection, left: 0, right: 1)])
            article(
                out, id: "c-\(connection.file)-\(connection.id)", connections: [connection], diagram: diagram,
                findings: auditByLabel[connection.label] ?? [], nextDetail: &nextDetail
            ) {
                out.append("connection ")
                out.append(trusted: connection.label)
                out.append(": ")
                HTMLEscaper.append(connection.client.description + " → " + connection.server.description, to: out)
            }
        }
        if notDrawn > 0 {
            out.append("<p class=\"muted\">")
            out.append(decimal: notDrawn)
            out.append(" more diagrams not drawn: the page reached its ")
            out.append(decimal: ReportLimits.htmlDiagramBudgetBytes / (1024 * 1024))
            out.append(" MiB budget.</p>")
        }
        out.append("</section>\n")
    }

    /// An audit finding at the moment it is about: the upstream request for what the proxy
    /// did to the headers, the client's answer for what it did to the status, the close
    /// for idle kills and unrelayed closes, the first message for lost or altered ones.
    static func placed(_ finding: AuditFinding, pair: AuditPair, backShift: Int64, start: Timestamp) -> ReportItem {
        let backRequest = pair.back.requestTime.map { $0.adding(nanoseconds: backShift) }
        let time: Timestamp? =
            switch finding.code {
            case .upgradeHeaderDropped, .connectionHeaderDropped, .http10Upstream, .headerChanged, .headerAdded,
                .h2cSmuggling, .hostRewritten:
                backRequest ?? pair.front.requestTime
            case .statusRewritten, .switchWithoutUpstream, .proxyErrorStatus, .responseHeaderChanged, .answeredByProxy:
                pair.front.responseTime
            case .idleKill, .closeNotRelayed, .tunnelBytesDiffer:
                pair.front.closedAt
            case .messageLost, .messageAltered, .messageReordered:
                pair.front.messages.first?.timestamp
            case .unpairedFront, .unpairedBack, .singleLeg:
                pair.front.requestTime
            }
        return ReportItem(time: time ?? pair.front.requestTime ?? start, direction: nil, kind: .auditFinding(finding))
    }

    private func article(
        _ out: OutputBuffer, id: String, connections: [ReportConnection], diagram: SequenceDiagram,
        findings: [AuditFinding], nextDetail: inout Int, title: () -> Void
    ) {
        let worst = (connections.compactMap(\.worstSeverity) + findings.map(\.severity)).max()
        out.append("<article class=\"conn\" id=\"")
        out.append(trusted: id)
        // The connections on the diagram's own clock (an audit's shifted leg is not).
        out.append("\" data-conns=\"")
        let unshifted = diagram.legs.filter { $0.shiftNanoseconds == 0 }.map(\.connection.label)
        out.append(trusted: unshifted.joined(separator: " "))
        out.append("\" data-rank=\"")
        out.append(decimal: Self.rank(worst))
        out.append("\"><h2>")
        title()
        out.append("</h2>")
        for connection in connections {
            let elided = connection.bulk.elided
            let exchangesElided = connection.exchanges.elided
            if connection.controlFrames.elided > 0 {
                out.append("<p class=\"muted\">")
                out.append(trusted: connection.label)
                out.append(": ")
                out.append(decimal: connection.controlFrames.elided)
                out.append(" connection-level HTTP/2 frames between the first and last ")
                out.append(decimal: ReportLimits.headControlFrames)
                out.append(" not drawn</p>")
            }
            if elided > 0 || exchangesElided > 0 || connection.landmarksDropped > 0 {
                out.append("<p class=\"muted\">")
                out.append(trusted: connection.label)
                out.append(": ")
                out.append(decimal: connection.bulk.total)
                out.append(" messages, ")
                out.append(decimal: elided)
                out.append(" not drawn; ")
                out.append(decimal: connection.landmarksDropped)
                out.append(" handshakes/findings past the first ")
                out.append(decimal: ReportLimits.maxLandmarksPerConnection)
                out.append(" not drawn</p>")
            }
        }
        if !findings.isEmpty {
            out.append("<ul class=\"findings\">")
            for finding in findings {
                out.append("<li class=\"sev-")
                out.append(trusted: finding.severity.rawValue)
                out.append("\" data-severity=\"")
                out.append(trusted: finding.severity.rawValue)
                out.append("\">")
                out.append(trusted: finding.severity.rawValue)
                out.append(" ")
                out.append(trusted: finding.code.rawValue)
                out.append(": ")
                HTMLEscaper.append(finding.message, to: out)
                if let fix = finding.fix {
                    out.append("<span class=\"fix\">fix: ")
                    HTMLEscaper.append(fix, to: out)
                    out.append("</span>")
                }
                out.append("</li>")
            }
            out.append("</ul>")
        }
        let origin = diagram.origin
        for leg in diagram.legs {
            // HTTP/2 streams as a waterfall, their header blocks shown under it on a click;
            // its times count from the diagram's first item, as the diagram's do.
            let streamDetails = OutputBuffer(capacity: 4096)
            HTTP2Waterfall(connection: leg.connection, origin: origin &- leg.shiftNanoseconds).write(
                into: out, details: streamDetails, nextDetail: &nextDetail)
            if streamDetails.count > 0 {
                out.append("<div class=\"details wf-details\">")
                out.append(streamDetails)
                out.append("</div>")
            }
        }
        let details = OutputBuffer(capacity: 4096)
        out.append("<div class=\"seq-body\">")
        diagram.write(into: out, details: details, nextDetail: &nextDetail)
        out.append("<div class=\"details\">")
        out.append(details)
        out.append("</div></div></article>\n")
    }
}
