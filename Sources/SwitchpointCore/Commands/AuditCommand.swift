/// What `switchpoint audit FILE…` does once its arguments are read: the audit of the
/// files, its input problems on `errors`, the report on `output`, and the exit status.
/// The command-line target adds only the exports; the tests run this same code in-process.
package struct AuditCommand {
    package var paths: [String]
    /// The leg each capture holds (`--front-file`/`--back-file`); nil: by position.
    package var roles: [CaptureRole]?
    package var filter = ""
    /// `--redact`: credentials and tokens hidden in every output.
    package var redact = false
    package var options = ProxyAuditor.Options()
    /// `--keylog`, `SSLKEYLOGFILE`, pcapng secrets: TLS legs are decrypted and audited.
    package var keyLog: TLSKeyLog?
    package var json = false
    /// `--json-ascii` (implies JSON).
    package var jsonASCII = false
    /// `--html`/`--har`: one per path.
    package var recorders: [ReportRecorder] = []

    package init(paths: [String]) {
        self.paths = paths
    }

    /// The audit and what its inputs did.
    package struct Outcome {
        package var report: ProxyAuditor.Report
        package var problems: [CaptureError]

        /// 2 when an input could not be read at all; 1 with an error finding or an input
        /// that ended early (a truncated file, as the timeline); else 0.
        package var exitStatus: Int32 {
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
    package func run(
        output: LineWriter, errors: LineWriter, commandName: String = "switchpoint audit"
    ) throws(CaptureError) -> Outcome {
        let (report, problems) = try ProxyAudit.run(
            paths: paths, roles: roles, filter: filter, options: options, keyLog: keyLog, recorders: recorders,
            redact: redact)
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
