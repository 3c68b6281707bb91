/// Runs the audit over capture files and prints its report.
public enum ProxyAudit {
    /// Reads each file through the whole pipeline and audits the result. Input problems
    /// (unreadable, truncated) are returned for the caller to report.
    public static func run(paths: [String], filter: String = "", options: ProxyAuditor.Options) throws(CaptureError) -> (ProxyAuditor.Report, [CaptureError]) {
        var files: [[TimelineEvent]] = []
        var problems: [CaptureError] = []
        for path in paths {
            let collector = EventCollector()
            var analyzer = TimelineAnalyzer(output: collector)
            var runner = CaptureRunner()
            runner.run(try OfflineCaptureSource(paths: [path], filter: filter), into: &analyzer)
            problems += runner.problems
            files.append(collector.events)
        }
        return (ProxyAuditor(options: options).audit(files: files), problems)
    }
}
