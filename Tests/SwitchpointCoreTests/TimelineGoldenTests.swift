import Foundation
import Testing

@testable import SwitchpointCore

/// End-to-end output on real captures, compared with golden files in Golden/. The
/// commands run in-process through their library entry points (`InProcessCommand`), the
/// code the command line runs, so no built binary is needed. Set UPDATE_GOLDEN=1 to
/// rewrite the files after an intended change (and review the diff).
@Suite("Timeline golden files and corpus upgrades")
struct TimelineGoldenTests {
    static let goldenDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Golden")
    static let updating = ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1"

    struct GoldenCase: Sendable, CustomTestStringConvertible {
        var name: String
        var path: URL
        var testDescription: String { name }
    }

    /// Captures from the corpus next to the checkout (../shared/corpus).
    static let corpusCases: [GoldenCase] = [
        GoldenCase(
            name: "ws-wrong-accept",
            path: TestEnvironment.corpusDirectory.appendingPathComponent("ws-wrong-accept.pcap")),
        GoldenCase(
            name: "upgrade-tcp-docker-attach",
            path: TestEnvironment.corpusDirectory.appendingPathComponent("upgrade-tcp-docker-attach.pcap")),
        GoldenCase(
            name: "h2c-upgrade", path: TestEnvironment.corpusDirectory.appendingPathComponent("h2c-upgrade.pcap")),
        GoldenCase(
            name: "ws-ping-coalesced-with-101",
            path: TestEnvironment.corpusDirectory.appendingPathComponent("ws-ping-coalesced-with-101.pcap")),
        GoldenCase(
            name: "h2-prior-knowledge-continuation",
            path: TestEnvironment.corpusDirectory.appendingPathComponent("h2-prior-knowledge-continuation.pcap")),
    ]

    /// Captures committed under samples/.
    static let sampleCases: [GoldenCase] = [
        GoldenCase(
            name: "http-nginx-lo", path: TestEnvironment.samplesDirectory.appendingPathComponent("http-nginx-lo.pcap")),
        GoldenCase(
            name: "upgrade-refused-then-retry",
            path: TestEnvironment.samplesDirectory.appendingPathComponent("proxy/upgrade-refused-then-retry.pcap")),
        GoldenCase(
            name: "ws-proxy-nginx-default",
            path: TestEnvironment.samplesDirectory.appendingPathComponent("proxy/ws-proxy-nginx-default.pcap")),
        GoldenCase(
            name: "ws-session-deflate",
            path: TestEnvironment.samplesDirectory.appendingPathComponent("websocket/ws-session-deflate.pcap")),
        GoldenCase(
            name: "rfc8441-websocket-over-h2",
            path: TestEnvironment.samplesDirectory.appendingPathComponent("http2/rfc8441-websocket-over-h2.pcap")),
        GoldenCase(
            name: "tls13-alpn", path: TestEnvironment.samplesDirectory.appendingPathComponent("tls/tls13-alpn.pcap")),
        GoldenCase(
            name: "tls12-alpn", path: TestEnvironment.samplesDirectory.appendingPathComponent("tls/tls12-alpn.pcap")),
        GoldenCase(
            name: "apps-jsonrpc", path: TestEnvironment.samplesDirectory.appendingPathComponent("apps/jsonrpc.pcap")),
        GoldenCase(
            name: "apps-graphql-transport-ws",
            path: TestEnvironment.samplesDirectory.appendingPathComponent("apps/graphql-transport-ws.pcap")),
        GoldenCase(
            name: "apps-graphql-ws",
            path: TestEnvironment.samplesDirectory.appendingPathComponent("apps/graphql-ws.pcap")),
    ]

    static let auditCases = ["ws-proxy-nginx-default", "ws-proxy-idle-timeout"]

    func compare(_ output: [UInt8], golden name: String) throws {
        let url = Self.goldenDirectory.appendingPathComponent(name)
        if Self.updating {
            try Data(output).write(to: url)
            return
        }
        try #require(
            FileManager.default.fileExists(atPath: url.path),
            "golden file missing: \(url.path) (UPDATE_GOLDEN=1 writes it)")
        let expected = Array(try Data(contentsOf: url))
        if output != expected {
            let outputLines = String(decoding: output, as: UTF8.self).split(
                separator: "\n", omittingEmptySubsequences: false)
            let expectedLines = String(decoding: expected, as: UTF8.self).split(
                separator: "\n", omittingEmptySubsequences: false)
            let index =
                zip(outputLines, expectedLines).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                ?? min(outputLines.count, expectedLines.count)
            Issue.record(
                "\(name) differs from its golden file at line \(index + 1):\n got: \(index < outputLines.count ? String(outputLines[index]) : "<end>")\nwant: \(index < expectedLines.count ? String(expectedLines[index]) : "<end>")\n(UPDATE_GOLDEN=1 rewrites it)"
            )
        }
    }

    /// `switchpoint -r FILE` and `switchpoint -r FILE --json`, byte for byte.
    func checkTimeline(_ golden: GoldenCase) throws {
        let text = try InProcessCommand.timeline([golden.path.path])
        #expect(text.status == 0, "\(text.errorText)")
        #expect(text.errorOutput.isEmpty, "\(text.errorText)")
        try compare(text.output, golden: golden.name + ".txt")
        let json = try InProcessCommand.timeline([golden.path.path]) { $0.json = true }
        #expect(json.status == 0, "\(json.errorText)")
        #expect(json.errorOutput.isEmpty, "\(json.errorText)")
        try compare(json.output, golden: golden.name + ".jsonl")
    }

    @Test("text and JSON timelines of the samples equal their golden files", arguments: sampleCases)
    func sampleGolden(_ golden: GoldenCase) throws {
        try checkTimeline(golden)
    }

    @Test(
        "text and JSON timelines of the corpus captures equal their golden files",
        .enabled(if: TestEnvironment.corpusAvailable, TestEnvironment.corpusMissingMessage), arguments: corpusCases)
    func corpusGolden(_ golden: GoldenCase) throws {
        try checkTimeline(golden)
    }

    @Test("the proxy audit report equals its golden files", arguments: auditCases)
    func auditGolden(name: String) throws {
        let path = TestEnvironment.samplesDirectory.appendingPathComponent("proxy/\(name).pcap").path
        let text = try InProcessCommand.audit([path])
        #expect(text.status == 1)  // both samples hold an error finding
        #expect(text.errorOutput.isEmpty, "\(text.errorText)")
        try compare(text.output, golden: "audit-\(name).txt")
        let json = try InProcessCommand.audit([path]) { $0.json = true }
        #expect(json.status == 1)
        try compare(json.output, golden: "audit-\(name).jsonl")
    }

    @Test("every file in Golden/ is compared by a case, and every case has its two files")
    func goldenFilesCovered() throws {
        let present = Set(try FileManager.default.contentsOfDirectory(atPath: Self.goldenDirectory.path))
        var expected = Set<String>()
        for name in (Self.corpusCases + Self.sampleCases).map(\.name) + Self.auditCases.map({ "audit-" + $0 }) {
            expected.insert(name + ".txt")
            expected.insert(name + ".jsonl")
        }
        #expect(present.subtracting(expected).sorted() == [], "golden files no case compares")
        #expect(expected.subtracting(present).sorted() == [], "golden files missing")
    }

    @Test(
        "the Docker attach session's terminal bytes never reach the output raw",
        .enabled(if: TestEnvironment.corpusAvailable, TestEnvironment.corpusMissingMessage))
    func dockerEscapes() throws {
        let path = TestEnvironment.corpusDirectory.appendingPathComponent("upgrade-tcp-docker-attach.pcap").path
        let variants: [(String, (inout TimelineCommand.Options) -> Void)] = [
            ("-r", { _ in }), ("-v", { $0.verbose = true }), ("--interleave", { $0.interleave = true }),
            ("--json", { $0.json = true }),
        ]
        for (name, configure) in variants {
            let result = try InProcessCommand.timeline([path], configure)
            #expect(result.status == 0)
            #expect(result.output.contains(UInt8(ascii: "\\")), "\(name): no escapes in the output")
            let offending = result.output.filter { ($0 < 0x20 && $0 != 0x0a) || $0 == 0x7f }
            #expect(offending.isEmpty, "\(name): \(offending.count) raw control bytes in the output")
        }
    }

    /// Acceptance: every corpus capture gives the upgrade its README describes, with
    /// offsets that sit exactly after the request and after the 101's head.
    struct CorpusUpgrade: Sendable, CustomTestStringConvertible {
        var file: String
        var protocolName: String
        var testDescription: String { file }
    }

    @Test(
        "corpus captures switch where and to what they should",
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
        runner.drive(try TestEnvironment.fixtureSource(paths: [path]), into: &analyzer)
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
            #expect(clientHead.suffix(4) == Array("\r\n\r\n".utf8))  // no corpus upgrade request has a body
        }
        if expected.file == "ws-wrong-accept.pcap" {
            let finding = sink.findings.first { $0.code == .websocketAcceptMismatch }
            #expect(
                finding?.message
                    == "Sec-WebSocket-Accept is \"N8ntNYkX6Qerw4tK3s/CYzpSZNc=-wrong\", expected \"N8ntNYkX6Qerw4tK3s/CYzpSZNc=\""
            )
            #expect(finding?.severity == .error)
        } else {
            #expect(!sink.findingCodes.contains("websocket.accept_mismatch"))
        }
    }
}
