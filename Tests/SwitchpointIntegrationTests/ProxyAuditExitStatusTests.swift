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
}
