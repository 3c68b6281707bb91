import ArgumentParser
import Foundation
import SwitchpointCore

/// The scale-out options shared by the timeline and the audit: `--pg`, `--sensor` (issue
/// 17). Kept apart from the commands so they stay small; `--metrics`, live only, is the
/// timeline's (`MetricsArguments`).
struct ExportArguments: ParsableArguments {
    @Option(
        name: .customLong("pg"),
        help: ArgumentHelp(
            "Also store connections, upgrades, findings, WebSocket sessions and HTTP/2 streams in PostgreSQL (schema: docs/postgres.sql, created when missing).",
            valueName: "postgres://user@host:port/db"))
    var postgresURL: String?

    @Option(
        name: .long,
        help: ArgumentHelp("The sensor name stored with every row (default: the host name).", valueName: "name"))
    var sensor: String?

    @Option(
        name: .customLong("pg-queue"),
        help: ArgumentHelp(
            "Rows held while the database is slow or away; beyond them rows are dropped and counted.", valueName: "rows"
        ))
    var postgresQueue: Int = 65_536

    @Option(
        name: .customLong("pg-overflow"),
        help: ArgumentHelp(
            "When the row queue is full: drop rows and count them (the default live), or wait for room (the default reading files; after one wait of --pg-wait seconds, drop).",
            valueName: "drop|wait"))
    var postgresOverflow: PostgresEventSink.Options.Overflow?

    @Option(
        name: .customLong("pg-wait"),
        help: ArgumentHelp(
            "At the end, how long to wait for queued rows to be stored (or the server to come back).",
            valueName: "seconds"))
    var postgresWait: Int = 30

    static let postgresQueueRange: ClosedRange<Int> = 1...100_000_000
    static let postgresWaitRange: ClosedRange<Int> = 0...86_400

    func check(live: Bool, connectionsListing: Bool = false, metrics: String? = nil) throws {
        if let postgresURL { _ = try targetOrValidationError(postgresURL) }
        if postgresURL != nil && connectionsListing {
            throw ValidationError("--pg stores the timeline; it does not go with --connections")
        }
        if sensor != nil && postgresURL == nil {
            throw ValidationError("--sensor names the rows --pg stores: give --pg too")
        }
        guard Self.postgresQueueRange.contains(postgresQueue) else {
            throw ValidationError(
                "--pg-queue must be between \(Self.postgresQueueRange.lowerBound) and \(Self.postgresQueueRange.upperBound)"
            )
        }
        guard Self.postgresWaitRange.contains(postgresWait) else {
            throw ValidationError("--pg-wait must be between 0 and \(Self.postgresWaitRange.upperBound) seconds")
        }
        if let metrics {
            guard live else { throw ValidationError("--metrics serves a live capture's counters: give -i too") }
            if connectionsListing { throw ValidationError("--metrics does not go with --connections") }
            guard HostPort(metrics) != nil else {
                throw ValidationError(
                    "--metrics takes ADDR:PORT, e.g. 127.0.0.1:9464 (got '\(TerminalText.escape(metrics))')")
            }
        }
    }

    private func targetOrValidationError(_ url: String) throws -> PostgresTarget {
        do {
            return try PostgresTarget(url: url)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// Starts what was asked for: the PostgreSQL writer, the metrics server.
    func start(
        command: String, capture: ThreadedCaptureSource?, live: Bool = false, metrics: String? = nil
    ) throws -> ExportSession {
        let session = ExportSession()
        if let postgresURL {
            var options = PostgresEventSink.Options(sensor: sensor ?? ExportRun.defaultSensor)
            options.queueCapacity = postgresQueue
            options.drainSeconds = TimeInterval(postgresWait)
            options.overflow = postgresOverflow ?? (live ? .drop : .wait)
            let target = try PostgresTarget(url: postgresURL)
            session.target = target
            session.postgres = PostgresEventSink(
                target: target, command: command, options: options, report: ExportSession.report)
        }
        if let metrics, let capture, let endpoint = HostPort(metrics) {
            let sink = PrometheusMetricsSink(capture: capture)
            session.metricsServer = try MetricsHTTPServer(
                host: endpoint.host.isEmpty ? "0.0.0.0" : endpoint.host, port: Int(endpoint.port), sink: sink)
            session.metrics = sink
        }
        return session
    }
}

/// The running exports of one invocation.
final class ExportSession {
    var target: PostgresTarget?
    var postgres: PostgresEventSink?
    var metrics: PrometheusMetricsSink?
    var metricsServer: MetricsHTTPServer?

    /// The outputs fed beside the printer, by option.
    var exports: [TimelineExport] {
        var exports: [TimelineExport] = []
        if let postgres { exports.append(TimelineExport(option: "--pg", sink: postgres)) }
        if let metrics { exports.append(TimelineExport(option: TimelineExport.metricsOption, sink: metrics)) }
        return exports
    }

    /// Stops the exports and reports on standard error what was stored and what was lost.
    /// False when `--pg` lost rows or never reached its server (the exit status says so).
    @discardableResult
    func finish() -> Bool {
        metricsServer?.stop()
        guard let postgres, let target else { return true }
        let totals = postgres.finish()
        var line =
            "postgres: \(totals.written) rows written to \(target) (run \(postgres.run.id.uuidString.lowercased()), sensor \(postgres.run.sensor))"
        line += ", \(totals.dropped) dropped, \(totals.reconnects) reconnect\(totals.reconnects == 1 ? "" : "s")"
        if !totals.connected { line += "; the server was never reached" }
        if postgres.stoppedWaiting {
            line += "; the queue stayed full past --pg-wait, so later rows were dropped instead of waited for"
        }
        Self.report(line)
        return totals.connected && totals.dropped == 0
    }

    /// One line on standard error (from the writer's thread too: one write call per line).
    @Sendable static func report(_ message: String) {
        FileHandle.standardError.write(Data(("switchpoint: " + TerminalText.escape(message) + "\n").utf8))
    }
}

extension PostgresEventSink.Options.Overflow: ExpressibleByArgument {}

/// `--metrics`: a live capture's counters for Prometheus (the timeline's only).
struct MetricsArguments: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp("Live (-i): serve Prometheus metrics at http://ADDR:PORT/metrics.", valueName: "addr:port"))
    var metrics: String?
}
