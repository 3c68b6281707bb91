import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// `audit --redact` (issue 27, item 6): the report is redacted after pairing, so findings
/// quoting request lines, a proxy's own answer and fixes quoting a path lose their secrets.
@Suite("audit --redact")
struct AuditRedactionTests {
    static let pathSecret = "ZqPathSecret1"
    static let querySecret = "ZqQuerySecret2"
    static let bodySecret = "ZqBodySecret3"
    static let secrets = [pathSecret, querySecret, bodySecret]

    static func upgradeRequest(_ target: String, upgrade: Bool = true) -> [UInt8] {
        let headers =
            upgrade
            ? "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n" : ""
        return Array("GET \(target) HTTP/1.1\r\nHost: example.test\r\n\(headers)\r\n".utf8)
    }

    static func answer(_ status: String, body: String = "") -> [UInt8] {
        Array("HTTP/1.1 \(status)\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
    }

    static func captures(front: [(Direction, [UInt8])], back: [(Direction, [UInt8])]) -> [CaptureExchanges] {
        [front, back].enumerated().map { index, messages in
            let builder = ExchangeRecordBuilder(file: index + 1)
            for event in ProxyAuditScriptedTests.leg(messages) { builder.receive(event) }
            return builder.finishCapture()
        }
    }

    /// Every text of the report a printer, the HAR or a PostgreSQL row can take.
    static func texts(_ report: ProxyAuditor.Report) -> [String] {
        var records: [ExchangeRecord] = report.tunnels.map(\.front)
        for pair in report.pairs { records += [pair.front, pair.back] }
        var texts: [String] = []
        for finding in report.findings { texts += [finding.message, finding.fix ?? ""] }
        for record in records {
            texts.append(record.request?.target ?? "")
            texts.append(String(decoding: record.responseBody, as: UTF8.self))
            texts += record.request?.headers.fields.map(\.value) ?? []
            texts += record.findings.map(\.message)
        }
        return texts
    }

    static func check(_ captures: [CaptureExchanges], expecting code: AuditFinding.Code) {
        let report = ProxyAuditor().audit(captures: captures)
        #expect(report.findings.contains { $0.code == code }, "\(report.findings.map(\.code))")
        let plain = Self.texts(report).joined(separator: "\n")
        let redacted = Self.texts(report.redacted(records: captures.flatMap(\.records))).joined(separator: "\n")
        for secret in secrets {
            #expect(plain.contains(secret), "the report does not quote \(secret): the case tests nothing")
            #expect(!redacted.contains(secret), "\(secret) in \(redacted)")
        }
        #expect(redacted.contains("‹redacted len="))
    }

    @Test("answered by the proxy: the request line and the body preview quoted")
    func answeredByProxy() {
        Self.check(
            Self.captures(
                // The first request pairs (the audit then reports unpaired ones), the second
                // is answered by the proxy itself.
                front: [
                    (.clientToServer, Self.upgradeRequest("/other")), (.serverToClient, Self.answer("400 Bad Request")),
                    (
                        .clientToServer,
                        Self.upgradeRequest("/ws;jsessionid=\(Self.pathSecret)?token=\(Self.querySecret)")
                    ),
                    (.serverToClient, Self.answer("403 Forbidden", body: "denied for \(Self.bodySecret)")),
                ],
                back: [
                    (.clientToServer, Self.upgradeRequest("/other")), (.serverToClient, Self.answer("400 Bad Request")),
                ]),
            expecting: .answeredByProxy)
    }

    @Test("the Upgrade header dropped: the fix quoting the path")
    func fixQuotingPath() {
        let target = "/ws;jsessionid=\(Self.pathSecret)?token=\(Self.querySecret)"
        Self.check(
            Self.captures(
                front: [
                    (.clientToServer, Self.upgradeRequest(target)),
                    (.serverToClient, Self.answer("400 Bad Request", body: "no \(Self.bodySecret)")),
                ],
                back: [
                    (.clientToServer, Self.upgradeRequest(target, upgrade: false)),
                    (.serverToClient, Self.answer("400 Bad Request", body: "no \(Self.bodySecret)")),
                ]),
            expecting: .upgradeHeaderDropped)
    }
}
