import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// The corpus next to the checkout (../shared/corpus) may be absent on a fresh machine:
/// then the corpus tests are skipped with the reason. When the folder is there, every
/// capture the tests read must be in it; a missing one fails here by name, not as a
/// parameterized test that silently ran over nothing.
@Suite("Corpus fixtures")
struct CorpusFixtureTests {
    /// Every corpus capture a test reads (CorpusConformanceTests, the WebSocket and HTTP/2
    /// conformance with tshark), each with tshark's `.tshark.json`.
    static let captures = [
        "h2-prior-knowledge-continuation.pcap", "h2c-upgrade.pcap", "upgrade-tcp-docker-attach.pcap",
        "ws-basic.pcap", "ws-oversized-close.pcapng", "ws-permessage-deflate.pcap", "ws-ping-coalesced-with-101.pcap",
        "ws-ping-inside-fragmented-message.pcap", "ws-ping-then-rst.pcap", "ws-wrong-accept.pcap",
    ]

    @Test(
        "the corpus holds every capture the tests read, each with its tshark reference",
        .enabled(if: TestEnvironment.corpusAvailable, TestEnvironment.corpusMissingMessage))
    func capturesPresent() {
        for name in Self.captures {
            let capture = TestEnvironment.corpusDirectory.appendingPathComponent(name)
            let reference = capture.deletingPathExtension().appendingPathExtension("tshark.json")
            #expect(FileManager.default.fileExists(atPath: capture.path), "corpus capture missing: \(capture.path)")
            #expect(
                FileManager.default.fileExists(atPath: reference.path), "tshark reference missing: \(reference.path)")
        }
        let listed = Set(TestEnvironment.corpusCaptures.map(\.lastPathComponent))
        #expect(
            listed.isSuperset(of: Self.captures),
            "the conformance tests would not read \(Set(Self.captures).subtracting(listed).sorted())")
    }

    @Test("the test lists name only captures this suite checks")
    func listsAgree() {
        let named = Set(Self.captures)
        let used =
            WebSocketDissectorTests.corpusWebSocketFiles + CorpusConformanceTests.upgradeCases.map(\.file)
            + ["h2-prior-knowledge-continuation.pcap"]
        #expect(Set(used).isSubset(of: named), "not checked here: \(Set(used).subtracting(named).sorted())")
    }
}
