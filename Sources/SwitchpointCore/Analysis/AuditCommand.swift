/// What `switchpoint audit FILE…` does once its arguments are read: the audit of the
/// files, its input problems on `errors`, the report on `output`, and the exit status.
/// The command-line target adds only the exports; the tests run this same code in-process.
public struct AuditCommand {
    public var paths: [String]
    public var filter = ""
    /// `--redact`: credentials and tokens hidden in every output.
    public var redact = false
    public var options = ProxyAuditor.Options()
    public var json = false
    /// `--json-ascii` (implies JSON).
    public var jsonASCII = false
    /// `--html`/`--har`: one per path.
    public var recorders: [ReportRecorder] = []

    public init(paths: [String]) {
        self.paths = paths
    }

    /// The audit and what its inputs did.
    public struct Outcome {
        public var report: ProxyAuditor.Report
        public var problems: [CaptureError]

        /// 2 when an input could not be read at all; 1 with an error finding or an input
        /// that ended early (a truncated file, as the timeline); else 0.
        public var exitStatus: Int32 {
            let unreadable = problems.contains {
                switch $0 {
                case .cannotOpenFile, .unsupportedLinkType: true
                default: false
                }
            }
            if unreadable { return 2 }
            return report.worstSeverity == .error || !problems.isEmpty ? 1 : 0
        }
    }

    /// Runs the audit and prints it; an error that stops it before any report is thrown.
    public func run(output: LineWriter, errors: LineWriter, commandName: String = "switchpoint audit") throws(CaptureError) -> Outcome {
        let (report, problems) = try ProxyAudit.run(paths: paths, filter: filter, options: options, recorders: recorders, redact: redact)
        for problem in problems { errors.write(line: commandName + ": " + TerminalText.escape(problem.description)) }
        let printer = AuditReportPrinter(writer: output)
        if json || jsonASCII {
            printer.json(report, problems: problems, escaping: jsonASCII ? .ascii : .standard)
        } else {
            printer.text(report, problems: problems)
        }
        return Outcome(report: report, problems: problems)
    }
}
