/// Runs the audit over capture files and prints its report.
public enum ProxyAudit {
    /// Reads each file through the whole pipeline and audits the result, streaming: only
    /// per-exchange records are kept, never the events. Input problems (unreadable,
    /// truncated) are returned for the caller to report.
    public static func run(paths: [String], filter: String = "", options: ProxyAuditor.Options) throws(CaptureError) -> (ProxyAuditor.Report, [CaptureError]) {
        var files: [[ExchangeRecord]] = []
        var problems: [CaptureError] = []
        for (index, path) in paths.enumerated() {
            let builder = ExchangeRecordBuilder(file: index + 1)
            var analyzer = TimelineAnalyzer(output: builder)
            var runner = CaptureRunner()
            runner.run(try OfflineCaptureSource(paths: [path], filter: filter), into: &analyzer)
            problems += runner.problems
            files.append(builder.finish())
        }
        return (ProxyAuditor(options: options).audit(records: files), problems)
    }
}
