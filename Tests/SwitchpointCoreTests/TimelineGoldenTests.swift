import Foundation
import Testing
@testable import SwitchpointCore

/// End-to-end output on real captures, compared with golden files in Golden/. Set
/// UPDATE_GOLDEN=1 to rewrite them after an intended change (and review the diff).
@Suite("Timeline golden files and corpus upgrades")
struct TimelineGoldenTests {
    static let binary = CommandLineTests.binary
    static let goldenDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    static let updating = ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1"

    struct GoldenCase: Sendable, CustomTestStringConvertible {
        var name: String
        var path: URL
        var fromCorpus: Bool
        var testDescription: String { name }
    }

    static let cases: [GoldenCase] = [
        GoldenCase(name: "ws-wrong-accept", path: TestEnvironment.corpusDirectory.appendingPathComponent("ws-wrong-accept.pcap"), fromCorpus: true),
        GoldenCase(name: "upgrade-tcp-docker-attach", path: TestEnvironment.corpusDirectory.appendingPathComponent("upgrade-tcp-docker-attach.pcap"), fromCorpus: true),
        GoldenCase(name: "h2c-upgrade", path: TestEnvironment.corpusDirectory.appendingPathComponent("h2c-upgrade.pcap"), fromCorpus: true),
        GoldenCase(name: "ws-ping-coalesced-with-101", path: TestEnvironment.corpusDirectory.appendingPathComponent("ws-ping-coalesced-with-101.pcap"), fromCorpus: true),
        GoldenCase(name: "http-nginx-lo", path: TestEnvironment.samplesDirectory.appendingPathComponent("http-nginx-lo.pcap"), fromCorpus: false),
        GoldenCase(name: "upgrade-refused-then-retry", path: TestEnvironment.samplesDirectory.appendingPathComponent("proxy/upgrade-refused-then-retry.pcap"), fromCorpus: false),
        GoldenCase(name: "ws-proxy-nginx-default", path: TestEnvironment.samplesDirectory.appendingPathComponent("proxy/ws-proxy-nginx-default.pcap"), fromCorpus: false),
        GoldenCase(name: "ws-session-deflate", path: TestEnvironment.samplesDirectory.appendingPathComponent("websocket/ws-session-deflate.pcap"), fromCorpus: false),
        GoldenCase(name: "rfc8441-websocket-over-h2", path: TestEnvironment.samplesDirectory.appendingPathComponent("http2/rfc8441-websocket-over-h2.pcap"), fromCorpus: false),
        GoldenCase(name: "h2-prior-knowledge-continuation", path: TestEnvironment.corpusDirectory.appendingPathComponent("h2-prior-knowledge-continuation.pcap"), fromCorpus: true),
        GoldenCase(name: "tls13-alpn", path: TestEnvironment.samplesDirectory.appendingPathComponent("tls/tls13-alpn.pcap"), fromCorpus: false),
        GoldenCase(name: "tls12-alpn", path: TestEnvironment.samplesDirectory.appendingPathComponent("tls/tls12-alpn.pcap"), fromCorpus: false),
    ]

    func compare(_ output: String, golden name: String) throws {
        let url = Self.goldenDirectory.appendingPathComponent(name)
        if Self.updating {
            try output.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        if output != expected {
            let outputLines = output.split(separator: "\n", omittingEmptySubsequences: false)
            let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let index = zip(outputLines, expectedLines).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(outputLines.count, expectedLines.count)
            Issue.record("\(name) differs from its golden file at line \(index + 1):\n got: \(index < outputLines.count ? String(outputLines[index]) : "<end>")\nwant: \(index < expectedLines.count ? String(expectedLines[index]) : "<end>")\n(UPDATE_GOLDEN=1 rewrites it)")
        }
    }

    @Test("text and JSON timelines equal their golden files", .enabled(if: CommandLineTests.binaryBuilt, "switchpoint is not built"),
          arguments: cases)
    func golden(_ golden: GoldenCase) throws {
        if golden.fromCorpus && !TestEnvironment.corpusAvailable {
            print("skipped \(golden.name): ../shared/corpus is absent")
            return
        }
        let text = try TestEnvironment.run(Self.binary, ["-r", golden.path.path])
        #expect(text.status == 0)
        try compare(text.text, golden: golden.name + ".txt")
        let json = try TestEnvironment.run(Self.binary, ["-r", golden.path.path, "--json"])
        #expect(json.status == 0)
        try compare(json.text, golden: golden.name + ".jsonl")
    }

    @Test("the proxy audit report equals its golden files", .enabled(if: CommandLineTests.binaryBuilt, "switchpoint is not built"),
          arguments: ["ws-proxy-nginx-default", "ws-proxy-idle-timeout"])
    func auditGolden(name: String) throws {
        let path = TestEnvironment.samplesDirectory.appendingPathComponent("proxy/\(name).pcap").path
        let text = try TestEnvironment.run(Self.binary, ["audit", path])
        #expect(text.status == 1)
        try compare(text.text, golden: "audit-\(name).txt")
        let json = try TestEnvironment.run(Self.binary, ["audit", path, "--json"])
        try compare(json.text, golden: "audit-\(name).jsonl")
    }

    @Test("the Docker attach session's terminal bytes never reach the output raw",
          .enabled(if: TestEnvironment.corpusAvailable, TestEnvironment.corpusMissingMessage),
          .enabled(if: CommandLineTests.binaryBuilt, "switchpoint is not built"))
    func dockerEscapes() throws {
        let path = TestEnvironment.corpusDirectory.appendingPathComponent("upgrade-tcp-docker-attach.pcap").path
        for arguments in [["-r", path], ["-r", path, "-v"], ["-r", path, "--interleave"], ["-r", path, "--json"]] {
            let result = try TestEnvironment.run(Self.binary, arguments)
            #expect(result.status == 0)
            #expect(result.output.contains(UInt8(ascii: "\\")))   // escapes are there
            let offending = result.output.filter { ($0 < 0x20 && $0 != 0x0a) || $0 == 0x7f }
            #expect(offending.isEmpty, "\(arguments): \(offending.count) raw control bytes in the output")
        }
    }

    /// Acceptance: every corpus capture gives the upgrade its README describes, with
    /// offsets that sit exactly after the request and after the 101's head.
    struct CorpusUpgrade: Sendable, CustomTestStringConvertible {
        var file: String
        var protocolName: String
        var testDescription: String { file }
    }

    @Test("corpus captures switch where and to what they should",
          .enabled(if: TestEnvironment.corpusAvailable, TestEnvironment.corpusMissingMessage),
          arguments: [
            CorpusUpgrade(file: "ws-basic.pcap", protocolName: "websocket"),
            CorpusUpgrade(file: "ws-permessage-deflate.pcap", protocolName: "websocket"),
            CorpusUpgrade(file: "ws-ping-then-rst.pcap", protocolName: "websocket"),
            CorpusUpgrade(file: "ws-ping-inside-fragmented-message.pcap", protocolName: "websocket"),
            CorpusUpgrade(file: "ws-ping-coalesced-with-101.pcap", protocolName: "websocket"),
            CorpusUpgrade(file: "ws-wrong-accept.pcap", protocolName: "websocket"),
            CorpusUpgrade(file: "ws-oversized-close.pcapng", protocolName: "websocket"),
            CorpusUpgrade(file: "h2c-upgrade.pcap", protocolName: "h2c"),
            CorpusUpgrade(file: "upgrade-tcp-docker-attach.pcap", protocolName: "tcp"),
          ])
    func corpusUpgrades(_ expected: CorpusUpgrade) throws {
        let path = TestEnvironment.corpusDirectory.appendingPathComponent(expected.file).path
        let (streams, _) = try TestEnvironment.reassemble([path])
        let sink = CollectingEventSink()
        var analyzer = TimelineAnalyzer(output: sink)
        var runner = CaptureRunner()
        runner.drive(try OfflineCaptureSource(paths: [path]), into: &analyzer)
        let upgrades = sink.events.compactMap { event -> (ConnectionID, UpgradeSwitch)? in
            if case .upgrade(let upgrade) = event.kind { (event.connection, upgrade) } else { nil }
        }
        #expect(!upgrades.isEmpty)
        for (connection, upgrade) in upgrades {
            #expect(upgrade.protocolName.lowercased() == expected.protocolName)
            #expect(upgrade.status == 101)
            let clientBytes = streams.bytes(connection, .clientToServer)
            let serverBytes = streams.bytes(connection, .serverToClient)
            let serverHead = Array(serverBytes.prefix(Int(upgrade.serverToClientOffset)))
            #expect(serverHead.suffix(4) == Array("\r\n\r\n".utf8))
            #expect(String(decoding: serverHead.prefix(12), as: UTF8.self) == "HTTP/1.1 101")
            let clientHead = Array(clientBytes.prefix(Int(upgrade.clientToServerOffset)))
            #expect(clientHead.suffix(4) == Array("\r\n\r\n".utf8))   // no corpus upgrade request has a body
        }
        if expected.file == "ws-wrong-accept.pcap" {
            let finding = sink.findings.first { $0.code == .websocketAcceptMismatch }
            #expect(finding?.message == "Sec-WebSocket-Accept is \"N8ntNYkX6Qerw4tK3s/CYzpSZNc=-wrong\", expected \"N8ntNYkX6Qerw4tK3s/CYzpSZNc=\"")
            #expect(finding?.severity == .error)
        } else {
            #expect(!sink.findingCodes.contains("websocket.accept_mismatch"))
        }
    }
}
