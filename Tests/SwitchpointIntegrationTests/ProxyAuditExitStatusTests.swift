import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// `switchpoint audit`'s exit status, from the built command line (ProxyAuditTests audits in-process).
@Suite("Proxy audit exit status")
struct ProxyAuditExitStatusTests {
    static func path(_ name: String) -> String {
        TestEnvironment.samplesDirectory.appendingPathComponent("proxy/\(name).pcap").path
    }

    @Test("exit status: 0 without error findings, 1 with, 2 on bad input")
    func exitStatus() throws {
        #expect(try TestEnvironment.run(CommandLineTests.binary, ["audit", Self.path("ws-proxy-ok")]).status == 0)
        let failing = try TestEnvironment.run(
            CommandLineTests.binary, ["audit", Self.path("ws-proxy-nginx-default"), "--json"])
        #expect(failing.status == 1)
        #expect(failing.text.contains("\"type\":\"audit.finding\",\"code\":\"audit.upgrade_header_dropped\""))
        #expect(try TestEnvironment.run(CommandLineTests.binary, ["audit", "/nonexistent.pcap"]).status == 2)
    }

    @Test("several captures per leg with --front-file/--back-file: the report names each file's role")
    func capturesByRole() throws {
        let names = ["haproxy-keepalive-attempts", "haproxy-tunnel-timeout"]
        let arguments =
            ["audit"] + names.flatMap { ["--front-file", Self.path("\($0)-front")] }
            + names.flatMap { ["--back-file", Self.path("\($0)-back")] }
        let result = try TestEnvironment.run(CommandLineTests.binary, arguments)
        #expect(result.status == 1)  // the idle kill is an error
        let lines = result.text.components(separatedBy: "\n")
        #expect(lines.contains("file 1: client side (front) \(Self.path("haproxy-keepalive-attempts-front"))"))
        #expect(lines.contains("file 4: upstream side (back) \(Self.path("haproxy-tunnel-timeout-back"))"))
        #expect(result.text.contains("3 paired across the proxy"))
        #expect(result.text.contains("audit.idle_kill: front 2:1 back 4:1"))
        #expect(result.text.contains("audit.answered_by_proxy: front 1:1#2"))
        let json = try TestEnvironment.run(CommandLineTests.binary, arguments + ["--json"])
        #expect(json.text.contains("\"role\":\"back\""))
        let mixed = try TestEnvironment.run(
            CommandLineTests.binary,
            ["audit", "--front-file", Self.path("ws-proxy-ok-front"), "-r", Self.path("ws-proxy-ok")])
        #expect(mixed.status == 2)
    }
}
