/// `switchpoint audit --redact`. The audit pairs exchanges by `Sec-WebSocket-Key`, so it must
/// read the keys as sent: its events are not redacted on the way in (the exports' are, by
/// `RedactingEventSink`); the finished report is, with the same `Redaction` policy, before
/// anything prints it.
extension ProxyAuditor.Report {
    package func redacted() -> ProxyAuditor.Report {
        var report = self
        var secrets: [String] = []
        for index in report.pairs.indices {
            report.pairs[index].front = report.pairs[index].front.redacted(secrets: &secrets)
            report.pairs[index].back = report.pairs[index].back.redacted(secrets: &secrets)
        }
        guard !secrets.isEmpty else { return report }
        for index in report.findings.indices {
            report.findings[index].message = Redaction.text(report.findings[index].message, secrets: secrets)
        }
        return report
    }
}

extension ExchangeRecord {
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
        if !secrets.isEmpty {
            for index in record.findings.indices {
                record.findings[index].message = Redaction.text(record.findings[index].message, secrets: secrets)
            }
        }
        return record
    }
}
