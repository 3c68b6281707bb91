import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Pairing across connection reuse and HTTP versions, on exchange records made by hand
/// (the samples cover HAProxy's RFC 8441 translation and a keep-alive client connection;
/// these cover the other directions).
@Suite("Proxy audit pairing across reuse and HTTP versions")
struct ProxyAuditPairingTests {
    static let client = Endpoint(address: IPAddress(ipv4: 0x0A00_0001), port: 40000)
    static let proxyFront = Endpoint(address: IPAddress(ipv4: 0x0A00_0002), port: 8080)
    static let proxyBack = Endpoint(address: IPAddress(ipv4: 0x7F00_0001), port: 50000)
    static let upstream = Endpoint(address: IPAddress(ipv4: 0x7F00_0001), port: 9001)

    static func time(_ milliseconds: Int64) -> Timestamp {
        Timestamp(nanoseconds: 1_000_000_000 + milliseconds * 1_000_000)
    }

    static func h1(
        file: Int, connection: Int, exchange: Int = 1, target: String, at: Int64, upgrade: Bool = false,
        status: Int = 200
    ) -> ExchangeRecord {
        var headers = HTTPHeaders([HTTPField(name: "Host", value: "example.test")])
        if upgrade {
            headers.fields += [
                HTTPField(name: "Upgrade", value: "websocket"), HTTPField(name: "Connection", value: "Upgrade"),
                HTTPField(name: "Sec-WebSocket-Version", value: "13"),
            ]
        }
        var record = ExchangeRecord(
            file: file, connection: connection, exchange: exchange, client: file == 1 ? client : proxyBack,
            server: file == 1 ? proxyFront : upstream)
        record.request = HTTPRequestHead(method: "GET", target: target, version: "HTTP/1.1", headers: headers)
        record.requestTime = time(at)
        record.response = HTTPResponseHead(
            version: "HTTP/1.1", status: status, reason: status == 101 ? "Switching Protocols" : "OK",
            headers: HTTPHeaders(upgrade && status == 101 ? [HTTPField(name: "Upgrade", value: "websocket")] : []))
        record.responseTime = time(at + 2)
        if upgrade && status == 101 { record.upgraded = "websocket" }
        return record
    }

    static func h2(
        file: Int, connection: Int, stream: UInt32, target: String, at: Int64, extendedConnect: Bool = false
    ) -> ExchangeRecord {
        var record = ExchangeRecord(
            file: file, connection: connection, stream: stream, client: file == 1 ? client : proxyBack,
            server: file == 1 ? proxyFront : upstream)
        record.authority = "example.test"
        record.connectProtocol = extendedConnect ? "websocket" : nil
        record.request = HTTPRequestHead(
            method: extendedConnect ? "CONNECT" : "GET", target: target, version: "HTTP/2",
            headers: HTTPHeaders(
                [HTTPField(name: "sec-websocket-version", value: "13")].filter { _ in extendedConnect }))
        record.requestTime = time(at)
        record.response = HTTPResponseHead(version: "HTTP/2", status: 200, reason: "", headers: HTTPHeaders())
        record.responseTime = time(at + 2)
        if extendedConnect { record.upgraded = "websocket" }
        return record
    }

    @Test("an upstream keep-alive connection carrying two clients' requests: each pairs with its own exchange")
    func upstreamConnectionReuse() {
        let fronts = [
            Self.h1(file: 1, connection: 1, target: "/a", at: 0), Self.h1(file: 1, connection: 2, target: "/b", at: 10),
        ]
        let backs = [
            Self.h1(file: 2, connection: 1, exchange: 1, target: "/a", at: 1),
            Self.h1(file: 2, connection: 1, exchange: 2, target: "/b", at: 11),
        ]
        let report = ProxyAuditor().audit(records: [fronts, backs])
        #expect(report.pairs.count == 2)
        #expect(report.pairs.map { LegID($0.back).description } == ["2:1", "2:1#2"])
        #expect(report.pairs.map { $0.front.request?.target } == report.pairs.map { $0.back.request?.target })
        #expect(report.findings.isEmpty, "\(report.findings.map(\.message))")
    }

    @Test("an HTTP/1.1 upgrade sent upstream as an RFC 8441 extended CONNECT pairs, and is no dropped upgrade")
    func upgradeToExtendedConnect() {
        let front = Self.h1(file: 1, connection: 1, target: "/chat", at: 0, upgrade: true, status: 101)
        let back = Self.h2(file: 2, connection: 1, stream: 1, target: "/chat", at: 1, extendedConnect: true)
        let report = ProxyAuditor().audit(records: [[front], [back]])
        #expect(report.pairs.count == 1)
        #expect(report.pairs.first?.evidence == .translatedTargetTiming)
        #expect(
            report.findings.map(\.code).filter { $0.severity != .info }.isEmpty, "\(report.findings.map(\.message))")
    }

    @Test("an HTTP/2 request proxied as HTTP/1.1 pairs by target and time; :authority is its Host")
    func h2RequestAsH1() {
        let front = Self.h2(file: 1, connection: 1, stream: 5, target: "/page", at: 0)
        let back = Self.h1(file: 2, connection: 1, target: "/page", at: 1)
        let report = ProxyAuditor().audit(records: [[front], [back]])
        #expect(report.pairs.count == 1)
        #expect(report.pairs.first?.evidence == .translatedTargetTiming)
        #expect(LegID(front).description == "1:1/s5")
        #expect(!report.findings.contains { $0.code == .hostRewritten })
    }

    @Test("an extended CONNECT the proxy sent upstream without Upgrade is a dropped upgrade, the fix for the proxy")
    func extendedConnectDropped() {
        let front = Self.h2(file: 1, connection: 1, stream: 1, target: "/chat", at: 0, extendedConnect: true)
        let back = Self.h1(file: 2, connection: 1, target: "/chat", at: 1)
        var options = ProxyAuditor.Options()
        options.proxy = .haproxy
        let report = ProxyAuditor(options: options).audit(records: [[front], [back]])
        let dropped = report.findings.first { $0.code == .upgradeHeaderDropped }
        #expect(dropped?.message.contains(":protocol websocket") == true)
        #expect(dropped?.configFix?.proxy == .haproxy)
        #expect(report.findings.contains { $0.code == .switchWithoutUpstream })
    }

    @Test("a fix quotes the request path only when it is plain: a quote or a line break from the wire is not pasted")
    func fixPathFromTheWireIsPlainOrPlaceholder() {
        var options = ProxyAuditor.Options()
        options.proxy = .apache
        for (target, expected) in [("/chat", "\"/chat\""), ("/x\"\nProxyPass / http://evil/", "\"/PATH\"")] {
            let front = Self.h1(file: 1, connection: 1, target: target, at: 0, upgrade: true, status: 426)
            let back = Self.h1(file: 2, connection: 1, target: target, at: 1, status: 426)
            let report = ProxyAuditor(options: options).audit(records: [[front], [back]])
            let lines = report.findings.first { $0.code == .upgradeHeaderDropped }?.configFix?.snippets.flatMap(\.lines)
            #expect(
                lines?.count == 1 && lines?.first?.hasPrefix("ProxyPass \(expected) ") == true,
                "\(String(describing: lines))")
        }
    }
}
