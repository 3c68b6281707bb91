#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `--html FILE` and `--har FILE`: the recorders that listen to the run, and the files
/// written from them when it ends (offline at the end of the input, live when the capture
/// stops, for the audit after both legs are read).
package final class ReportExports {
    package let htmlPath: String?
    package let harPath: String?

    package init?(html: String?, har: String?) {
        guard html != nil || har != nil else { return nil }
        htmlPath = html
        harPath = har
    }

    /// Writes the requested files from the recorders' connections (one recorder per
    /// capture file; the audit's report when there is one). Each file is written whole
    /// or the error says why not.
    package func write(recorders: [ReportRecorder], audit: ProxyAuditor.Report? = nil) throws(ReportWriteError) {
        var capture = ReportCapture()
        var connections: [ReportConnection] = []
        for recorder in recorders {
            capture.merge(recorder.capture)
            connections += recorder.connections
        }
        if let htmlPath {
            let page = HTMLReportWriter(capture: capture, connections: connections, audit: audit).render()
            try Self.write(page, to: htmlPath, what: "HTML report")
        }
        if let harPath {
            var findings: [String: [AuditFinding]] = [:]
            for finding in audit?.findings ?? [] {
                // On the front leg's entry (the client's view), else on the one it names.
                if let label = (finding.front ?? finding.back)?.description {
                    findings[label, default: []].append(finding)
                }
            }
            let archive = HARWriter(
                connections: connections, auditFindings: findings, labelWithFile: recorders.count > 1
            ).render()
            try Self.write(archive, to: harPath, what: "HAR file")
        }
    }

    /// Writes `buffer` to `path` (created or truncated), every byte or an error: a short
    /// write, a full disk or a failed close is reported, never ignored.
    static func write(_ buffer: OutputBuffer, to path: String, what: String) throws(ReportWriteError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw ReportWriteError(what: what, path: path, errno: errno) }
        let bytes = buffer.bytes
        var written = 0
        while written < bytes.count {
            guard let base = bytes.baseAddress else { break }
            let result = Glibc.write(descriptor, base + written, bytes.count - written)
            if result < 0 {
                if errno == EINTR { continue }
                let code = errno
                close(descriptor)
                throw ReportWriteError(what: what, path: path, errno: code)
            }
            written += result
        }
        if close(descriptor) != 0 { throw ReportWriteError(what: what, path: path, errno: errno) }
    }
}
