import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// End-to-end output on real captures, compared with golden files in Golden/. Every input
/// is in samples/ (the corpus in ../shared is only for CorpusConformanceTests). The
/// commands run in-process through their library entry points (`InProcessCommand`), the
/// code the command line runs, so no built binary is needed. Set UPDATE_GOLDEN=1 to
/// rewrite the files after an intended change (and review the diff).
@Suite("Timeline golden files")
struct TimelineGoldenTests {
    static let goldenDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Golden")
    static let updating = ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1"

    struct GoldenCase: Sendable, CustomTestStringConvertible {
        var name: String
        var path: URL
        var testDescription: String { name }
    }

    /// Captures committed under samples/.
    static let sampleCases: [GoldenCase] =
        [
            GoldenCase(
                name: "http-nginx-lo",
                path: TestEnvironment.samplesDirectory.appendingPathComponent("http-nginx-lo.pcap")),
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
                name: "tls13-alpn", path: TestEnvironment.samplesDirectory.appendingPathComponent("tls/tls13-alpn.pcap")
            ),
            GoldenCase(
                name: "tls12-alpn", path: TestEnvironment.samplesDirectory.appendingPathComponent("tls/tls12-alpn.pcap")
            ),
            GoldenCase(
                name: "h2c-upgrade-curl",
                path: TestEnvironment.samplesDirectory.appendingPathComponent("http2/h2c-upgrade-curl.pcap")),
            GoldenCase(
                name: "apps-jsonrpc", path: TestEnvironment.samplesDirectory.appendingPathComponent("apps/jsonrpc.pcap")
            ),
            GoldenCase(
                name: "apps-graphql-transport-ws",
                path: TestEnvironment.samplesDirectory.appendingPathComponent("apps/graphql-transport-ws.pcap")),
            GoldenCase(
                name: "apps-graphql-ws",
                path: TestEnvironment.samplesDirectory.appendingPathComponent("apps/graphql-ws.pcap")),
            GoldenCase(
                name: "apps-k8s-exec-stdin-exit3",
                path: TestEnvironment.samplesDirectory.appendingPathComponent("apps/k8s-exec-stdin-exit3.pcap")),
        ] + edgeCases.map { GoldenCase(name: $0, path: edgeCase($0)) }

    /// The scenarios once taken from the corpus, recorded here by
    /// scripts/record-samples-edge-cases (samples/edge-cases/README.md).
    static let edgeCases = [
        "ws-wrong-accept-websockets", "ws-ping-coalesced-with-101-websockets",
        "ws-ping-inside-fragmented-message-websockets", "h2-prior-knowledge-continuation-nghttp",
        "upgrade-tcp-docker-attach-fake-daemon",
    ]

    static func edgeCase(_ name: String) -> URL {
        TestEnvironment.samplesDirectory.appendingPathComponent("edge-cases/\(name).pcap")
    }

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
        for name in Self.sampleCases.map(\.name) + Self.auditCases.map({ "audit-" + $0 }) {
            expected.insert(name + ".txt")
            expected.insert(name + ".jsonl")
        }
        #expect(present.subtracting(expected).sorted() == [], "golden files no case compares")
        #expect(expected.subtracting(present).sorted() == [], "golden files missing")
    }

    @Test("the Docker attach sample's terminal bytes never reach the output raw")
    func dockerEscapes() throws {
        try Self.checkEscapes(Self.edgeCase("upgrade-tcp-docker-attach-fake-daemon").path)
    }

    /// The terminal output of a Docker attach session (ANSI escapes) shown escaped in
    /// every output mode.
    static func checkEscapes(_ path: String) throws {
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
}
