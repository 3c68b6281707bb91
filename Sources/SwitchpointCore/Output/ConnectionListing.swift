/// The connection listing `switchpoint -r FILE` prints until the dissectors take over:
/// one line per TCP connection, like `tshark -z conv,tcp`, plus what reassembly saw.
/// Live, lines stream out as connections close; offline, the text table is printed in
/// connection order at the end. `--json` streams the same as JSON lines.
package struct ConnectionListing: StreamSignalSink {
    package enum Format: Sendable {
        case text
        case json
    }

    private let writer: LineWriter
    private let format: Format
    private let streaming: Bool
    /// Offline rows print in connection order: a row waits here only while an earlier
    /// connection is still open (connections are numbered from 1 as they open, and each
    /// closes once), so a flood of short flows streams instead of piling up.
    private var heldRows: [ConnectionID: String] = [:]
    private var nextRow: ConnectionID = 1
    private var captureStart: Timestamp?
    private var wroteHeader = false
    package private(set) var connections = 0
    package private(set) var gaps = 0
    package private(set) var gapBytes: UInt64 = 0
    package private(set) var anomalies: [ReassemblyAnomalyCode: Int] = [:]
    /// The dissectors' view (protocol, upgrade, findings columns), when they ran alongside.
    private let facts: ConnectionFacts?

    package init(writer: LineWriter, format: Format, streaming: Bool, facts: ConnectionFacts? = nil) {
        self.writer = writer
        self.format = format
        self.streaming = streaming
        self.facts = facts
    }

    package mutating func receive(_ signal: StreamSignal) {
        switch signal {
        case .opened(let opening):
            connections += 1
            if captureStart == nil { captureStart = opening.capture.timestamp }
            if format == .json { writer.write(line: Self.json(opening)) }
        case .data:
            break
        case .gap(let gap):
            gaps += 1
            gapBytes += gap.length
            if format == .json { writer.write(line: Self.json(gap)) }
        case .anomaly(let anomaly):
            anomalies[anomaly.code, default: 0] += 1
            if format == .json { writer.write(line: Self.json(anomaly)) }
        case .closed(let summary):
            switch format {
            case .json: writer.write(line: Self.json(summary))
            case .text:
                let row = Self.text(
                    summary, captureStart: captureStart ?? summary.start, facts: facts?.take(summary.connection))
                if streaming {
                    writeHeaderOnce()
                    writer.write(line: row)
                } else {
                    heldRows[summary.connection] = row
                    while let ready = heldRows.removeValue(forKey: nextRow) {
                        writeHeaderOnce()
                        writer.write(line: ready)
                        nextRow += 1
                    }
                }
            }
        }
    }

    private mutating func writeHeaderOnce() {
        guard !wroteHeader else { return }
        wroteHeader = true
        writer.write(line: facts == nil ? Self.header : Self.headerWithFacts)
    }

    /// Closing lines: totals for the connections, the decoder and the inputs.
    package mutating func finish(statistics: DecodeStatistics, problems: [CaptureError]) {
        switch format {
        case .text:
            for (_, row) in heldRows.sorted(by: { $0.key < $1.key }) {
                writeHeaderOnce()
                writer.write(line: row)
            }
            heldRows.removeAll()
            if !wroteHeader { writer.write(line: "no TCP connections") }
            for line in summaryLines(statistics: statistics, problems: problems) { writer.write(line: line) }
        case .json:
            var line = JSONLine()
            statistics.addSummaryFields(to: &line, connections: connections, gaps: gaps, gapBytes: gapBytes)
            line.addRaw(
                "anomalies",
                json: JSONLine.countsObject(anomalies.map { ($0.key.rawValue, $0.value) } + statistics.problemCounts))
            line.addRaw(
                "input_problems",
                json: "[" + problems.map { JSONLine.quoted($0.description) }.joined(separator: ",") + "]")
            writer.write(line: line.line)
        }
        writer.flush()
    }

    func summaryLines(statistics: DecodeStatistics, problems: [CaptureError]) -> [String] {
        var lines: [String] = []
        var packets =
            CountedNoun.text(connections, "connection") + "; " + statistics.packetBreakdown(alwaysShowOther: true)
        if gaps > 0 {
            packets += "; " + CountedNoun.text(gaps, "gap") + ", " + CountedNoun.text(gapBytes, "byte") + " missing"
        }
        lines.append(packets)
        let counts = anomalies.map { ($0.key.rawValue, $0.value) } + statistics.problemCounts
        if !counts.isEmpty {
            lines.append(
                "anomalies: " + counts.sorted { $0.0 < $1.0 }.map { "\($0.0) ×\($0.1)" }.joined(separator: ", "))
        }
        for problem in problems {
            lines.append("input problem: \(TerminalText.escape(problem.description))")
        }
        return lines
    }

    // MARK: Text

    static let header = [
        pad("conn", 5, right: true), pad("client", 22), pad("server", 22), pad("start s", 12, right: true),
        pad("duration s", 12, right: true), pad("c2s pkts", 9, right: true), pad("c2s bytes", 12, right: true),
        pad("s2c pkts", 9, right: true), pad("s2c bytes", 12, right: true), pad("gaps", 5, right: true),
        pad("handshake", 11), "close",
    ].joined(separator: " ")

    /// With the dissectors' columns before `close` (which stays last).
    static let headerWithFacts = [
        pad("conn", 5, right: true), pad("client", 22), pad("server", 22), pad("start s", 12, right: true),
        pad("duration s", 12, right: true), pad("c2s pkts", 9, right: true), pad("c2s bytes", 12, right: true),
        pad("s2c pkts", 9, right: true), pad("s2c bytes", 12, right: true), pad("gaps", 5, right: true),
        pad("handshake", 11), pad("protocol", factsWidths.protocol), pad("upgrade", factsWidths.upgrade),
        pad("findings", factsWidths.findings), "close",
    ].joined(separator: " ")

    static let factsWidths = (protocol: 16, upgrade: 34, findings: 11)

    static func text(
        _ summary: ConnectionSummary, captureStart: Timestamp, facts: ConnectionFacts.Facts? = nil
    ) -> String {
        let c2s = summary.clientToServer
        let s2c = summary.serverToClient
        let gapCount = c2s.gaps + s2c.gaps
        var handshake = summary.handshake.rawValue
        if summary.handshake == .none { handshake = "mid-stream" }
        return
            ([
                pad(String(summary.connection), 5, right: true),
                pad(summary.client.description, 22),
                pad(summary.server.description, 22),
                pad(JSONLine.fixed(summary.start.seconds(since: captureStart), decimals: 6), 12, right: true),
                pad(JSONLine.fixed(summary.end.seconds(since: summary.start), decimals: 6), 12, right: true),
                pad(String(c2s.packets), 9, right: true),
                pad(String(c2s.deliveredBytes), 12, right: true),
                pad(String(s2c.packets), 9, right: true),
                pad(String(s2c.deliveredBytes), 12, right: true),
                pad(String(gapCount), 5, right: true),
                pad(handshake, 11),
            ]
            + (facts.map { facts in
                [
                    // Both hold the wire's Upgrade token: escaped here, where they are printed.
                    pad(TerminalText.escape(facts.protocolColumn), factsWidths.protocol),
                    pad(TerminalText.escape(facts.upgrade ?? "-"), factsWidths.upgrade),
                    pad(facts.findingsColumn, factsWidths.findings),
                ]
            } ?? []) + [
                summary.reason.rawValue
            ]).joined(separator: " ")
    }

    static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let count = text.count
        guard count < width else { return text }
        let padding = String(repeating: " ", count: width - count)
        return right ? padding + text : text + padding
    }

    // MARK: JSON (the same lines the timeline prints for these events)

    static func json(_ opening: ConnectionOpening) -> String {
        JSONTimelinePrinter.line(
            TimelineEvent(
                timestamp: opening.capture.timestamp, connection: opening.connection,
                packet: opening.capture.packetNumber, kind: .connectionOpened(opening)))
    }

    static func json(_ gap: StreamGap) -> String {
        JSONTimelinePrinter.line(
            TimelineEvent(
                timestamp: gap.capture.timestamp, connection: gap.connection, packet: gap.capture.packetNumber,
                direction: gap.direction, offset: gap.offset, kind: .gap(length: gap.length, reason: gap.reason)))
    }

    static func json(_ anomaly: ReassemblyAnomaly) -> String {
        JSONTimelinePrinter.line(
            TimelineEvent(
                timestamp: anomaly.capture.timestamp, connection: anomaly.connection,
                packet: anomaly.capture.packetNumber,
                direction: anomaly.direction, kind: .finding(Finding(anomaly: anomaly))))
    }

    static func json(_ summary: ConnectionSummary) -> String {
        JSONTimelinePrinter.line(
            TimelineEvent(
                timestamp: summary.capture.timestamp, connection: summary.connection,
                packet: summary.capture.packetNumber, kind: .connectionClosed(summary)))
    }

}
