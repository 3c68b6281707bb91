import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Acceptance (proxy audit): nginx in front of a websockets backend, recorded from real
/// software in five configurations, both legs in one file and as two files.
@Suite("Proxy audit")
struct ProxyAuditTests {
    struct Scenario: Sendable, CustomTestStringConvertible {
        var name: String
        var codes: Set<String>
        var testDescription: String { name }
    }

    /// nginx sends `Host: $proxy_host` upstream by default: every scenario rewrites Host.
    static let scenarios: [Scenario] = [
        Scenario(name: "ws-proxy-ok", codes: ["audit.header_added", "audit.host_rewritten"]),
        Scenario(
            name: "ws-proxy-nginx-default",
            codes: ["audit.upgrade_header_dropped", "audit.http10_upstream", "audit.host_rewritten"]),
        Scenario(
            name: "ws-proxy-no-upgrade-headers",
            codes: ["audit.upgrade_header_dropped", "audit.header_added", "audit.host_rewritten"]),
        Scenario(
            name: "ws-proxy-http10", codes: ["audit.http10_upstream", "audit.header_added", "audit.host_rewritten"]),
        Scenario(
            name: "ws-proxy-idle-timeout", codes: ["audit.idle_kill", "audit.header_added", "audit.host_rewritten"]),
        Scenario(name: "ws-proxy-two-clients", codes: ["audit.header_added", "audit.host_rewritten"]),
    ]

    static func path(_ name: String) -> String {
        TestEnvironment.samplesDirectory.appendingPathComponent("proxy/\(name).pcap").path
    }

    static func audit(
        _ paths: [String], options: ProxyAuditor.Options = ProxyAuditor.Options()
    ) throws -> ProxyAuditor.Report {
        let (report, problems) = try ProxyAudit.run(paths: paths, options: options)
        #expect(problems.isEmpty)
        return report
    }

    static func check(_ report: ProxyAuditor.Report, _ scenario: Scenario) {
        #expect(
            Set(report.findings.map(\.code.rawValue)) == scenario.codes,
            "\(report.findings.map { "\($0.code.rawValue): \($0.message)" })")
        #expect(!report.pairs.isEmpty && report.pairs.allSatisfy { $0.evidence == .secWebSocketKey })
        if scenario.name == "ws-proxy-ok" || scenario.name == "ws-proxy-two-clients" {
            #expect(report.worstSeverity != .error)
            for pair in report.pairs {
                #expect(!pair.delays.isEmpty)
                #expect(pair.delays.allSatisfy { $0 >= 0 && $0 < 1000 })
            }
        }
        if scenario.name == "ws-proxy-idle-timeout" {
            let kill = report.findings.first { $0.code == .idleKill }
            #expect(kill?.message.contains("after 2.0 s of silence") == true)
            #expect(kill?.message.contains("proxy_read_timeout 60 s") == true)
        }
    }

    @Test("both legs in one capture", arguments: scenarios)
    func oneFile(_ scenario: Scenario) throws {
        Self.check(try Self.audit([Self.path(scenario.name)]), scenario)
    }

    @Test("the two legs as two captures, with the clock offset estimated", arguments: scenarios)
    func twoFiles(_ scenario: Scenario) throws {
        let report = try Self.audit([Self.path(scenario.name + "-front"), Self.path(scenario.name + "-back")])
        Self.check(report, scenario)
        #expect(report.clockOffsetMilliseconds.map { abs($0) < 10 } == true)  // same host: near zero
    }

    @Test("--front/--back name the legs explicitly")
    func explicitLegs() throws {
        var options = ProxyAuditor.Options()
        options.front = ":8080"
        options.back = "127.0.0.1:9001"
        let report = try Self.audit([Self.path("ws-proxy-nginx-default")], options: options)
        #expect(
            Set(report.findings.map(\.code.rawValue))
                == ["audit.upgrade_header_dropped", "audit.http10_upstream", "audit.host_rewritten"])
    }

    @Test("two concurrent clients whose requests interleave on the proxy pair with their own upstream connections")
    func interleavedClients() throws {
        let report = try Self.audit([Self.path("ws-proxy-two-clients")])
        #expect(report.pairs.count == 2)
        #expect(Set(report.pairs.map(\.front.client.port)).count == 2)
        for pair in report.pairs {
            // Each pair's messages are the same on both legs (the texts carry the client's name).
            #expect(pair.front.messages.map(\.digest) == pair.back.messages.map(\.digest))
            #expect(pair.front.webSocketKey == pair.back.webSocketKey)
        }
        // The handshakes really interleave: both requests before either answer.
        let requests = report.pairs.compactMap(\.front.requestTime).max()
        let answers = report.pairs.compactMap(\.front.responseTime).min()
        #expect(requests.flatMap { request in answers.map { request < $0 } } == true)
    }

    @Test("single leg: what one side proves, marked as such")
    func singleLeg() throws {
        let report = try Self.audit([Self.path("ws-proxy-nginx-default-back")])
        #expect(report.singleLeg)
        #expect(report.findings.map(\.code) == [.singleLeg])
        #expect(report.findings.first?.message.contains("upgrade.upgrade_header_missing") == true)
    }
}

/// The audit findings the recorded nginx scenarios do not produce, from scripted legs.
@Suite("Proxy audit findings on scripted legs")
struct ProxyAuditScriptedTests {
    typealias W = WSFixtures

    static func leg(_ messages: [(Direction, [UInt8])]) -> [TimelineEvent] {
        var conversation = Conversation(bytes: messages)
        conversation.registry = .standard
        return conversation.run(.whole).events
    }

    static func codes(front: [(Direction, [UInt8])], back: [(Direction, [UInt8])]) -> Set<String> {
        Set(ProxyAuditor().audit(files: [leg(front), leg(back)]).findings.map(\.code.rawValue))
    }

    static func status(_ line: String) -> [UInt8] {
        Array("HTTP/1.1 \(line)\r\nContent-Length: 0\r\n\r\n".utf8)
    }

    @Test("the client got 101 while the upstream refused: switch without upstream 101")
    func switchWithoutUpstream() {
        #expect(
            Self.codes(
                front: [(.clientToServer, W.request()), (.serverToClient, W.response())],
                back: [(.clientToServer, W.request()), (.serverToClient, Self.status("400 Bad Request"))]
            )
            .contains("audit.switch_without_upstream_101"))
    }

    @Test("the upstream switched, the client got 502 from the proxy")
    func statusRewritten() {
        let codes = Self.codes(
            front: [(.clientToServer, W.request()), (.serverToClient, Self.status("502 Bad Gateway"))],
            back: [(.clientToServer, W.request()), (.serverToClient, W.response())])
        #expect(codes.isSuperset(of: ["audit.status_rewritten", "audit.proxy_error_status"]))
    }

    @Test("Sec-WebSocket-Extensions removed on the way")
    func headerChanged() {
        #expect(
            Self.codes(
                front: [
                    (.clientToServer, W.request(extensions: "permessage-deflate")), (.serverToClient, W.response()),
                ],
                back: [(.clientToServer, W.request()), (.serverToClient, W.response())]
            )
            .contains("audit.header_changed"))
    }

    @Test("the upstream's close 1001 never reached the client")
    func closeNotRelayed() {
        let codes = Self.codes(
            front: [(.clientToServer, W.request()), (.serverToClient, W.response())],
            back: [(.clientToServer, W.request()), (.serverToClient, W.response() + W.close(1001, "going away"))])
        #expect(codes.contains("audit.close_not_relayed"))
    }

    @Test("Upgrade: h2c forwarded and accepted upstream: h2c smuggling")
    func h2cSmuggling() {
        let request = Array(
            "GET /admin HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n"
                .utf8)
        let switched = Array("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n".utf8)
        #expect(
            Self.codes(
                front: [(.clientToServer, request), (.serverToClient, switched)],
                back: [(.clientToServer, request), (.serverToClient, switched)]
            )
            .contains("audit.h2c_smuggling"))
    }

    @Test("a message lost and one altered between the legs")
    func messages() {
        let codes = Self.codes(
            front: [
                (.clientToServer, W.request()), (.serverToClient, W.response()),
                (.clientToServer, W.text("one", client: true) + W.text("two", client: true)),
            ],
            back: [
                (.clientToServer, W.request()), (.serverToClient, W.response()),
                (.clientToServer, W.text("ONE", client: true)),
            ])
        #expect(codes.isSuperset(of: ["audit.message_lost", "audit.message_altered"]))
    }
}
