/// Runs the audit over capture files and prints its report.
package enum ProxyAudit {
    /// Reads each file through the whole pipeline and audits the result, streaming: only
    /// per-exchange records are kept, never the events. Input problems (unreadable,
    /// truncated) are returned for the caller to report.
    /// `recorders` (one per path, for `--html`/`--har`) hear the same events as the audit.
    /// `redact`: the exports hear redacted events, and the report is redacted after pairing.
    package static func run(
        paths: [String], roles: [CaptureRole]? = nil, filter: String = "", options: ProxyAuditor.Options,
        keyLog: TLSKeyLog? = nil,
        recorders: [ReportRecorder] = [], redact: Bool = false
    ) throws(CaptureError) -> (ProxyAuditor.Report, [CaptureError]) {
        var files: [CaptureExchanges] = []
        var problems: [CaptureError] = []
        for (index, path) in paths.enumerated() {
            let builder = ExchangeRecordBuilder(file: index + 1)
            let recorder = recorders.indices.contains(index) ? recorders[index] : nil
            let output: any TimelineEventSink =
                recorder.map {
                    TimelineEventFanOut(primary: builder, others: [redact ? RedactingEventSink($0) : $0])
                } ?? builder
            var analyzer = TimelineAnalyzer(output: output, keyLog: keyLog)
            var runner = CaptureRunner()
            runner.run(try OfflineCaptureSource(paths: [path], filter: filter), into: &analyzer)
            problems += runner.problems
            recorder?.finish(packets: runner.statistics.packets, files: [path])
            files.append(builder.finishCapture())
        }
        let roles = roles ?? CaptureRole.byPosition(count: paths.count)
        // Redaction learns its secrets from every exchange read, paired or not.
        let read = redact ? files.flatMap(\.records) : []
        var report = ProxyAuditor(options: options).audit(captures: consume files, roles: roles)
        report.files = zip(paths, roles).map { AuditedCapture(path: $0, role: $1) }
        return (redact ? report.redacted(records: read) : report, problems)
    }
}
