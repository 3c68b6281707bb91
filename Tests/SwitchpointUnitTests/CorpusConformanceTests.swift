import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Conformance with the captures of other projects' test suites in ../shared/corpus (see
/// its README for what the peers report). Not golden tests: those read only samples/.
/// Where ../shared is missing (a plain clone) every test here is skipped with the reason.
@Suite("Corpus conformance (../shared/corpus)")
struct CorpusConformanceTests {
    static func corpus(_ file: String) -> String {
        TestEnvironment.corpusDirectory.appendingPathComponent(file).path
    }

    /// Every corpus capture gives the upgrade its README describes, with
    /// offsets that sit exactly after the request and after the 101's head.
    struct CorpusUpgrade: Sendable, CustomTestStringConvertible {
        var file: String
        var protocolName: String
        var testDescription: String { file }
    }

    static let upgradeCases = [
        CorpusUpgrade(file: "ws-basic.pcap", protocolName: "websocket"),
        CorpusUpgrade(file: "ws-permessage-deflate.pcap", protocolName: "websocket"),
        CorpusUpgrade(file: "ws-ping-then-rst.pcap", protocolName: "websocket"),
        CorpusUpgrade(file: "ws-ping-inside-fragmented-message.pcap", protocolName: "websocket"),
        CorpusUpgrade(file: "ws-ping-coalesced-with-101.pcap", protocolName: "websocket"),
        CorpusUpgrade(file: "ws-wrong-accept.pcap", protocolName: "websocket"),
        CorpusUpgrade(file: "ws-oversized-close.pcapng", protocolName: "websocket"),
        CorpusUpgrade(file: "h2c-upgrade.pcap", protocolName: "h2c"),
        CorpusUpgrade(file: "upgrade-tcp-docker-attach.pcap", protocolName: "tcp"),
    ]

    @Test(
        "the captures switch where and to what they should",
        .enabled(if: TestEnvironment.corpusAvailable, TestEnvironment.corpusMissingMessage),
        arguments: upgradeCases)
    func corpusUpgrades(_ expected: CorpusUpgrade) throws {
        let path = Self.corpus(expected.file)
        let (sink, _) = try EdgeCaseSampleTests.checkedUpgrades(path, protocolName: expected.protocolName)
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

    @Test(
        "the Docker attach session's terminal bytes never reach the output raw",
        .enabled(if: TestEnvironment.corpusAvailable, TestEnvironment.corpusMissingMessage))
    func dockerEscapes() throws {
        try TimelineGoldenTests.checkEscapes(Self.corpus("upgrade-tcp-docker-attach.pcap"))
    }

    @Test(
        "a request header block over HEADERS + 2 CONTINUATION is one list of 7 fields",
        .enabled(if: TestEnvironment.corpusAvailable, TestEnvironment.corpusMissingMessage))
    func headerBlockOverContinuation() throws {
        let sink = CollectingEventSink()
        var analyzer = TimelineAnalyzer(output: sink)
        var runner = CaptureRunner()
        runner.drive(
            try TestEnvironment.fixtureSource(paths: [Self.corpus("h2-prior-knowledge-continuation.pcap")]),
            into: &analyzer)
        let request = sink.events.compactMap { event -> HTTP2HeaderBlock? in
            if case .h2Headers(let block) = event.kind, event.direction == .clientToServer { block } else { nil }
        }.first
        #expect(request?.frames == 3)
        #expect(request?.fields.count == 7)
        let long = String(repeating: "name", count: 10)
        #expect(request?.fields.first { $0.name == long }?.value == String(repeating: "value", count: 20))
        let statuses = sink.events.compactMap { event -> Int? in
            if case .h2Stream(let stream) = event.kind { stream.status } else { nil }
        }
        #expect(statuses == [200])
    }
}
