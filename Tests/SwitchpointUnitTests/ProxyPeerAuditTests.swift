import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Acceptance (issue 26): the proxies people run, recorded by
/// `scripts/record-samples-proxy-peers` with each proxy's configuration and logs beside
/// the capture (samples/proxy/README.md says what each program logged). Each scenario's
/// findings are exactly those the logs explain, both legs in one capture and as two.
@Suite("Proxy audit on HAProxy, Apache, Squid and a TLS nginx front")
struct ProxyPeerAuditTests {
    struct Scenario: Sendable, CustomTestStringConvertible {
        var name: String
        /// Every finding code, as often as it is expected.
        var codes: [String]
        var proxy: ProxyKind?
        var pairs: Int
        var testDescription: String { name }
    }

    static let scenarios: [Scenario] = [
        // HAProxy: extended CONNECT on its h2 front, GET + Upgrade with its own key upstream.
        Scenario(name: "haproxy-rfc8441", codes: [], proxy: .haproxy, pairs: 1),
        // One keep-alive connection: 200 from the backend, HAProxy's own 403, then a 101.
        Scenario(name: "haproxy-keepalive-attempts", codes: ["audit.answered_by_proxy"], proxy: .haproxy, pairs: 2),
        Scenario(name: "haproxy-tunnel-timeout", codes: ["audit.idle_kill"], proxy: .haproxy, pairs: 1),
        Scenario(
            name: "apache-upgrade-websocket",
            codes: ["audit.header_added", "audit.header_added", "audit.header_added", "audit.host_rewritten"],
            proxy: .apache, pairs: 1),
        Scenario(
            name: "apache-no-upgrade",
            codes: [
                "audit.header_added", "audit.header_added", "audit.header_added", "audit.host_rewritten",
                "audit.response_header_changed",
                "audit.upgrade_header_dropped",
            ], proxy: .apache, pairs: 1),
        Scenario(
            name: "apache-http10",
            codes: [
                "audit.header_added", "audit.header_added", "audit.header_added", "audit.host_rewritten",
                "audit.http10_upstream",
                "audit.upgrade_header_dropped",
            ], proxy: .apache, pairs: 1),
        Scenario(name: "nginx-clear-front", codes: ["audit.host_rewritten"], proxy: .nginx, pairs: 1),
        Scenario(name: "squid-connect", codes: [], proxy: nil, pairs: 1),
    ]

    static func path(_ name: String) -> String {
        TestEnvironment.samplesDirectory.appendingPathComponent("proxy/\(name)").path
    }

    static func audit(_ files: [String], keyLog: TLSKeyLog? = nil) throws -> ProxyAuditor.Report {
        let (report, problems) = try ProxyAudit.run(
            paths: files.map(path), options: ProxyAuditor.Options(), keyLog: keyLog)
        #expect(problems.isEmpty)
        return report
    }

    static func check(_ report: ProxyAuditor.Report, _ scenario: Scenario) {
        #expect(
            report.findings.map(\.code.rawValue).sorted() == scenario.codes.sorted(),
            "\(report.findings.map { "\($0.code.rawValue): \($0.message)" })")
        #expect(report.pairs.count == scenario.pairs)
        #expect(report.proxy?.kind == scenario.proxy, "\(String(describing: report.proxy))")
        #expect(!report.singleLeg)
    }

    @Test("both legs in one capture", arguments: scenarios)
    func oneFile(_ scenario: Scenario) throws {
        Self.check(try Self.audit(["\(scenario.name).pcap"]), scenario)
    }

    @Test("the two legs as two captures", arguments: scenarios)
    func twoFiles(_ scenario: Scenario) throws {
        Self.check(try Self.audit(["\(scenario.name)-front.pcap", "\(scenario.name)-back.pcap"]), scenario)
    }

    @Test("RFC 8441 through HAProxy: the HTTP/2 stream pairs with the HTTP/1.1 upgrade and every message crosses")
    func rfc8441Translation() throws {
        let report = try Self.audit(["haproxy-rfc8441-front.pcap", "haproxy-rfc8441-back.pcap"])
        let pair = try #require(report.pairs.first)
        #expect(pair.evidence == .translatedTargetTiming)
        #expect(pair.front.isHTTP2 && pair.front.connectProtocol == "websocket" && pair.front.response?.status == 200)
        #expect(!pair.back.isHTTP2 && pair.back.response?.status == 101)
        for record in [pair.front, pair.back] {
            #expect(record.messageCount(.clientToServer) == 10 && record.messageCount(.serverToClient) == 10)
            #expect(record.closeFrames.map(\.code) == [1000, 1000])
        }
        #expect(pair.delays.count == 20)
    }

    @Test("RFC 8441 with the legs named by --front/--back: the same pair")
    func rfc8441NamedLegs() throws {
        var options = ProxyAuditor.Options()
        options.front = ":8080"
        options.back = "127.0.0.1:9001"
        let (report, _) = try ProxyAudit.run(paths: [Self.path("haproxy-rfc8441.pcap")], options: options)
        #expect(report.pairs.count == 1 && report.pairs.first?.evidence == .translatedTargetTiming)
        #expect(report.findings.isEmpty && !report.singleLeg)
    }

    @Test("keep-alive: the plain GET, the proxy's own 403 and the upgrade are three exchanges, each paired right")
    func keepAliveAttempts() throws {
        let report = try Self.audit(["haproxy-keepalive-attempts-front.pcap", "haproxy-keepalive-attempts-back.pcap"])
        #expect(report.records == 5)
        let targets = report.pairs.map { $0.front.request?.target }
        #expect(targets == ["/plain", "/echo"])
        let upgrade = try #require(report.pairs.first { $0.front.request?.target == "/echo" })
        #expect(upgrade.evidence == .secWebSocketKey)
        #expect(upgrade.front.exchange == 3 && upgrade.front.connection == report.pairs[0].front.connection)
        #expect(upgrade.front.messageCount == 4 && upgrade.back.messageCount == 4)
        let refused = try #require(report.findings.first { $0.code == .answeredByProxy })
        #expect(refused.message.contains("GET /denied") && refused.message.contains("403 Forbidden"))
        #expect(refused.message.contains("Request forbidden by administrative rules"))
        #expect(refused.front?.exchange == 2)
    }

    @Test("HAR: the proxy's own 403 carries audit.answered_by_proxy on its own entry, the third request's")
    func harFindingOnItsExchange() throws {
        let recorder = ReportRecorder(file: 1)
        let (report, _) = try ProxyAudit.run(
            paths: [Self.path("haproxy-keepalive-attempts.pcap")], options: ProxyAuditor.Options(),
            recorders: [recorder])
        let har = FileManager.default.temporaryDirectory.appendingPathComponent("sp-ka-\(UUID().uuidString).har")
        defer { try? FileManager.default.removeItem(at: har) }
        let exports = try #require(ReportExports(html: nil, har: har.path))
        try exports.write(recorders: [recorder], audit: report)
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: har)) as? [String: Any]
        let entries = try #require((object?["log"] as? [String: Any])?["entries"] as? [[String: Any]])
        let withAudit = entries.filter { entry in
            ((entry["_switchpointFindings"] as? [[String: Any]]) ?? []).contains {
                $0["code"] as? String == "audit.answered_by_proxy"
            }
        }
        #expect(withAudit.count == 1)
        #expect(((withAudit.first?["request"] as? [String: Any])?["url"] as? String)?.hasSuffix("/denied") == true)
    }

    @Test("timeout tunnel: HAProxy closed both legs first after 2 s of silence, and the fix is timeout tunnel")
    func tunnelTimeout() throws {
        let report = try Self.audit(["haproxy-tunnel-timeout-front.pcap", "haproxy-tunnel-timeout-back.pcap"])
        let kill = try #require(report.findings.first { $0.code == .idleKill })
        #expect(kill.message.contains("after 2.0 s of silence"))
        #expect(kill.message.contains("the proxy sent the first FIN or RST on both legs"))
        let pair = try #require(report.pairs.first)
        #expect(pair.front.ending?.firstCloser == .serverToClient)
        #expect(pair.back.ending?.firstCloser == .clientToServer)
        #expect(kill.configFix?.snippets.flatMap(\.lines) == ["timeout tunnel 1h"])
    }

    @Test("Apache without upgrade=websocket: the relayed 426 lost its Upgrade header, the fix is Apache's")
    func apacheNoUpgrade() throws {
        let report = try Self.audit(["apache-no-upgrade-front.pcap", "apache-no-upgrade-back.pcap"])
        let dropped = try #require(report.findings.first { $0.code == .responseHeaderChanged })
        #expect(dropped.message.contains("426") && dropped.message.contains("Upgrade: websocket → removed"))
        let fix = try #require(report.findings.first { $0.code == .upgradeHeaderDropped }?.configFix)
        #expect(fix.proxy == .apache)
        #expect(fix.snippets.flatMap(\.lines).contains { $0.contains("upgrade=websocket") })
    }

    @Test("a TLS-terminating nginx front audited with the browser's key log gives the cleartext twin's findings")
    func tlsFront() throws {
        var keyLog = TLSKeyLog()
        _ = try keyLog.add(contentsOf: Self.path("nginx-tls-front.keys"))
        let clear = try Self.audit(["nginx-clear-front-front.pcap", "nginx-clear-front-back.pcap"])
        for files in [["nginx-tls-front-front.pcap", "nginx-tls-front-back.pcap"], ["nginx-tls-front.pcap"]] {
            let report = try Self.audit(files, keyLog: keyLog)
            #expect(report.findings.map(\.code.rawValue).sorted() == clear.findings.map(\.code.rawValue).sorted())
            #expect(report.pairs.count == 1 && report.pairs.first?.front.decrypted == true)
            #expect(report.tls.count == 1 && report.tls.allSatisfy(\.decrypted))
            #expect(report.proxy?.kind == .nginx)
        }
        let locked = try Self.audit(["nginx-tls-front-front.pcap", "nginx-tls-front-back.pcap"])
        #expect(locked.pairs.isEmpty)
        #expect(locked.tls.count == 1 && locked.tls.allSatisfy { !$0.decrypted })
    }

    @Test("Squid CONNECT: the tunnel pairs with Squid's connection to the target, bytes equal both ways")
    func squidConnect() throws {
        let report = try Self.audit(["squid-connect-front.pcap", "squid-connect-back.pcap"])
        let tunnel = try #require(report.tunnels.first)
        #expect(report.tunnels.count == 1)
        let back = try #require(tunnel.back)
        #expect(tunnel.front.request?.method == "CONNECT")
        #expect(tunnel.front.tunnelBytes == back.bytes)
        #expect(back.server.description == tunnel.front.request?.target)
        #expect(report.pairs.first?.evidence == .secWebSocketKey)
    }
}
