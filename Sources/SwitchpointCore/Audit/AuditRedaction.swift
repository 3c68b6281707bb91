/// `switchpoint audit --redact`. The audit pairs exchanges by `Sec-WebSocket-Key`, target
/// and body, so it must read them as sent: its events are not redacted on the way in (the
/// exports' are, by `RedactingEventSink`); the finished report is, with the same
/// `Redaction` policy, before anything prints it.
extension ProxyAuditor.Report {
    /// `records`: every exchange the audit read (paired or not), whose secrets its findings
    /// may quote.
    package func redacted(records: [ExchangeRecord] = []) -> ProxyAuditor.Report {
        var report = self
        var byLeg: [LegID: [String]] = [:]
        for record in records {
            var secrets: [String] = []
            _ = record.redacted(secrets: &secrets)
            if !secrets.isEmpty { byLeg[LegID(record), default: []] += secrets }
        }
        for index in report.pairs.indices {
            report.pairs[index].front = report.pairs[index].front.redacted(
                secrets: &byLeg[LegID(report.pairs[index].front), default: []])
            report.pairs[index].back = report.pairs[index].back.redacted(
                secrets: &byLeg[LegID(report.pairs[index].back), default: []])
        }
        for index in report.tunnels.indices {
            let leg = LegID(report.tunnels[index].front)
            report.tunnels[index].front = report.tunnels[index].front.redacted(secrets: &byLeg[leg, default: []])
        }
        for index in report.findings.indices {
            let secrets = [report.findings[index].front, report.findings[index].back].compactMap { $0 }
                .flatMap { byLeg[$0] ?? [] }
            report.findings[index].redact(secrets: secrets)
        }
        return report
    }
}

extension AuditFinding {
    /// The message and the fix (which may quote a path) with `secrets` and anything
    /// `Redaction.prose` recognises replaced.
    mutating func redact(secrets: [String]) {
        message = Redaction.prose(message, secrets: secrets)
        guard var fix = configFix else { return }
        fix.advice = Redaction.prose(fix.advice, secrets: secrets)
        for index in fix.snippets.indices {
            fix.snippets[index].lines = fix.snippets[index].lines.map { Redaction.prose($0, secrets: secrets) }
        }
        configFix = fix
    }
}

extension ExchangeRecord {
    /// The record with its target, headers and body preview redacted; `secrets` gets every
    /// value replaced, and the body as findings quote it.
    func redacted(secrets: inout [String]) -> ExchangeRecord {
        var record = self
        if var request = record.request {
            request.target = Redaction.target(request.target, secrets: &secrets)
            if let fields = Redaction.fields(request.headers.fields, secrets: &secrets) {
                request.headers.fields = fields
            }
            record.request = request
        }
        if var response = record.response, let fields = Redaction.fields(response.headers.fields, secrets: &secrets) {
            response.headers.fields = fields
            record.response = response
        }
        if !record.responseBody.isEmpty {
            secrets.append(ProxyAuditor.quotedBody(self))
            record.responseBody = Redaction.replacementBytes(length: record.responseBodyLength)
        }
        for index in record.findings.indices {
            let code = record.findings[index].code
            record.findings[index].message = Redaction.prose(
                record.findings[index].message, secrets: secrets,
                wholeQuotes: Redaction.findingsQuotingRawLines.contains(code))
        }
        return record
    }
}
