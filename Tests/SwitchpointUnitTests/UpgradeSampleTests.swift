import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Acceptance (HTTP/1.1 issue): recorded refusals, a stripping proxy and a working one,
/// each explained by the timeline.
@Suite("Recorded upgrades explained")
struct UpgradeSampleTests {
    static func timeline(_ name: String) throws -> CollectingEventSink {
        try WebSocketDissectorTests.timeline(
            TestEnvironment.samplesDirectory.appendingPathComponent("proxy/\(name).pcap").path)
    }

    /// Findings per connection, keyed by the server port (8080 = nginx front, 9001 = backend).
    static func findingsByPort(_ sink: CollectingEventSink) -> [UInt16: [Finding]] {
        var ports: [ConnectionID: UInt16] = [:]
        var result: [UInt16: [Finding]] = [:]
        for event in sink.events {
            if case .connectionOpened(let opening) = event.kind { ports[event.connection] = opening.server.port }
            if case .finding(let finding) = event.kind, let port = ports[event.connection] {
                result[port, default: []].append(finding)
            }
        }
        return result
    }

    @Test("a refused upgrade (400, then 426 naming websocket) and a successful retry")
    func refusedThenRetry() throws {
        let sink = try Self.timeline("upgrade-refused-then-retry")
        let findings = sink.findings
        #expect(findings.map(\.code.rawValue) == ["upgrade.refused", "upgrade.refused_426"])
        #expect(findings[0].message.contains("Sec-WebSocket-Version is not 13"))
        #expect(findings[1].message.contains("the server demands Upgrade: websocket"))
        #expect(sink.upgrades.map(\.protocolName) == ["websocket"])
        #expect(sink.messages.count == 4)  // two echoes
    }

    @Test("nginx defaults: the client sees 505 explained, the backend leg shows the stripped Upgrade")
    func nginxDefaults() throws {
        let byPort = Self.findingsByPort(try Self.timeline("ws-proxy-nginx-default"))
        #expect(byPort[8080]?.map(\.code.rawValue) == ["upgrade.refused"])
        #expect(byPort[8080]?.first?.message.contains("proxy_http_version 1.1") == true)
        #expect(byPort[9001]?.map(\.code.rawValue) == ["upgrade.upgrade_header_missing"])
    }

    @Test("HTTP/1.1 upstream without forwarded headers: 426 at the client, stripped Upgrade upstream")
    func noUpgradeHeaders() throws {
        let byPort = Self.findingsByPort(try Self.timeline("ws-proxy-no-upgrade-headers"))
        #expect(byPort[8080]?.map(\.code.rawValue) == ["upgrade.refused_426"])
        // Upstream: the key without Upgrade, and the backend's 426 to a request that offered
        // no upgrade (the proxy dropped it), explained as such.
        #expect(byPort[9001]?.map(\.code.rawValue) == ["upgrade.upgrade_header_missing", "upgrade.refused_426"])
        #expect(byPort[9001]?.last?.message.contains("offered no upgrade") == true)
    }

    @Test("a correct proxy: both legs switch, messages flow, no warning")
    func correctProxy() throws {
        let sink = try Self.timeline("ws-proxy-ok")
        #expect(sink.findings.isEmpty, "\(sink.findings)")
        #expect(sink.upgrades.count == 2)
        #expect(sink.messages.count == 20)  // 5 messages and 5 echoes on each leg
        #expect(sink.closeFrames.count == 4)
    }
}
