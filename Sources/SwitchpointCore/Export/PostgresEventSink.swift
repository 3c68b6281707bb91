import Foundation

/// `--pg`: the timeline's events as rows in PostgreSQL. Receiving an event costs a mapping
/// and a queue push under a lock; the database is written by `PostgresEventWriter`'s own
/// thread, so a slow or absent server never holds up the packet path (rows beyond the
/// queue's capacity are dropped and counted instead).
package final class PostgresEventSink: TimelineEventSink {
    package struct Options: Sendable {
        package var sensor: String
        /// Rows held while the database is slow or away.
        package var queueCapacity = 65_536
        /// At the end, how long to wait for the queue to drain (or the server to come back).
        package var drainSeconds: TimeInterval = 30
        /// What a full queue does: drop the row (live: the capture must not wait) or wait
        /// for room (reading files: nothing is lost by waiting), at most `drainSeconds`.
        package var overflow = Overflow.drop

        package enum Overflow: String, Sendable {
            case drop
            case wait
        }

        package init(sensor: String) {
            self.sensor = sensor
        }
    }

    package let run: ExportRun
    private let queue: BoundedRowQueue
    private let writer: PostgresEventWriter
    private let options: Options
    private var mapper = ExportRowMapper()
    private var sequence: Int64 = 0
    private let runText: String

    package init(target: PostgresTarget, command: String, options: Options, report: @escaping (String) -> Void) {
        run = ExportRun(sensor: options.sensor, command: command)
        runText = run.id.uuidString.lowercased()
        self.options = options
        queue = BoundedRowQueue(capacity: options.queueCapacity)
        writer = PostgresEventWriter(target: target, run: run, queue: queue, report: report)
        writer.start()
    }

    package var wantsFrameEvents: Bool { false }

    package func receive(_ event: TimelineEvent) {
        mapper.rows(for: event) { row in
            enqueue(row.table, key: String(row.connection), connection: row.connection, row.values)
        }
    }

    /// `audit --pg`: one row per audit finding, with the proxy and request of its pair.
    package func receive(audit report: ProxyAuditor.Report) {
        var fronts: [LegID: ExchangeRecord] = [:]
        var backs: [LegID: ExchangeRecord] = [:]
        var confidence: [LegID: String] = [:]
        for pair in report.pairs {
            let front = ProxyAuditor.label(pair.front)
            let back = ProxyAuditor.label(pair.back)
            fronts[front] = pair.front
            backs[back] = pair.back
            confidence[front] = pair.confidence.rawValue
        }
        for finding in report.findings {
            let front = finding.front.flatMap { fronts[$0] }
            let back = finding.back.flatMap { backs[$0] }
            let request = front?.request ?? back?.request
            let label = (finding.front ?? finding.back)?.description ?? "run"
            enqueue(
                .auditFindings, key: "audit:" + label, connection: front?.connection ?? back?.connection,
                [
                    (front?.requestTime ?? back?.requestTime).map { ExportValue.time($0) } ?? .null,
                    .text(finding.code.rawValue), .text(finding.severity.rawValue), .text(finding.message),
                    .text(finding.fix),
                    .text(finding.front?.description), .text(finding.back?.description),
                    .text(front.map { $0.server.description }), .text(front.map { $0.server.address.description }),
                    .integer(front?.server.port), .text(back.map { $0.server.description }),
                    .text(front.map { $0.client.address.description }), .text(finding.front.flatMap { confidence[$0] }),
                    .text(request?.method), .text(request?.target), .text(request?.headers.values("Host").first),
                ])
        }
    }

    private func enqueue(_ table: ExportTable, key: String, connection: ConnectionID?, _ values: [ExportValue]) {
        sequence += 1
        let keyValues: [ExportValue] = [
            .text(runText + ":" + key), .integer(sequence), .text(run.sensor), .text(runText),
            .integer(connection),
        ]
        queue.push(
            ExportRow(table: table, values: keyValues + values),
            waitSeconds: options.overflow == .wait ? options.drainSeconds : nil)
    }

    /// Stores what is queued (waiting at most `drainSeconds`), then the totals: rows
    /// written, dropped, reconnects.
    package func finish() -> (written: Int, dropped: Int, reconnects: Int, connected: Bool) {
        let totals = writer.finish(waitingAtMost: options.drainSeconds)
        return (totals.written, totals.dropped, totals.reconnects, totals.connected)
    }

    /// A full queue was waited on until `drainSeconds` ran out (`Overflow.wait`): rows after that were dropped.
    package var stoppedWaiting: Bool { queue.stoppedWaiting }

    /// Rows queued so far (what the writer has not taken yet).
    var queued: Int { queue.depth }
}
