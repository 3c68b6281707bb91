import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// The example protocol of docs/architecture.md: Docker's attach stream after
/// `Upgrade: tcp`, multiplexed (no TTY) or raw (TTY).
@Suite struct DockerAttachDissectorTests {
    static let request =
        "POST /v1.41/containers/cc4f/attach?stderr=1&stdin=1&stdout=1&stream=1 HTTP/1.1\r\nHost: 127.0.0.1:2375\r\n"
        + "Content-Length: 0\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n"
    static let response =
        "HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\n"
        + "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n"

    /// One multiplexed frame: stream type, three zero bytes, the length big-endian.
    static func frame(_ stream: DockerStreamType, _ text: String) -> [UInt8] {
        let payload = Array(text.utf8)
        let length = UInt32(payload.count)
        return [
            stream.rawValue, 0, 0, 0, UInt8(length >> 24), UInt8(truncatingIfNeeded: length >> 16),
            UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length),
        ] + payload
    }

    static func chunks(_ sink: CollectingEventSink) -> [String] {
        sink.events.compactMap { event in
            guard case .rawData(let chunk) = event.kind else { return nil }
            return "\(event.direction?.shortName ?? "-") @\(event.offset ?? 0) \(chunk.protocolName) \(chunk.length) "
                + String(decoding: chunk.head, as: UTF8.self)
        }
    }

    static func conversation(server: [UInt8], client: String = "ls\r") -> Conversation {
        var conversation = Conversation(bytes: [
            (.clientToServer, Array(request.utf8)), (.serverToClient, Array(response.utf8) + server),
            (.clientToServer, Array(client.utf8)),
        ])
        conversation.registry = .standard
        return conversation
    }

    @Test("stdout and stderr frames become one chunk each, however the bytes arrive")
    func multiplexed() {
        let server =
            Self.frame(.stdout, "/ # ") + Self.frame(.stderr, "sh: lx: not found\n") + Self.frame(.stdout, "")
            + Self.frame(.stdout, String(repeating: "x", count: 300))
        // Whole, byte by byte and random splits must give the same events.
        let sink = Self.conversation(server: server).runAllSplittings()
        let start = UInt64(Self.response.utf8.count)
        #expect(
            Self.chunks(sink) == [
                "s2c @\(start) stdout 4 / # ",
                "s2c @\(start + 12) stderr 18 sh: lx: not found\n",
                "s2c @\(start + 38) stdout 0 ",
                "s2c @\(start + 46) stdout 300 " + String(repeating: "x", count: RawStreamDissector.previewLength),
                "c2s @\(Self.request.utf8.count) tcp 3 ls\r",
            ])
        #expect(sink.upgrades.map(\.protocolName) == ["tcp"])
    }

    @Test("a TTY stream (no frame header first) is shown raw, as before the dissector existed")
    func ttyIsRaw() {
        let sink = Self.conversation(server: Array("/ # ".utf8)).run(.whole)
        #expect(
            Self.chunks(sink) == [
                "s2c @\(Self.response.utf8.count) tcp 4 / # ", "c2s @\(Self.request.utf8.count) tcp 3 ls\r",
            ])
    }

    @Test("a header that is not one turns the rest of the stream raw, its bytes included")
    func badHeaderFallsBackToRaw() {
        let server = Self.frame(.stdout, "ok") + [1, 9, 9, 9, 0, 0, 0, 1] + Array("zz".utf8)
        let sink = Self.conversation(server: server).run(.whole)
        let start = UInt64(Self.response.utf8.count)
        #expect(
            Self.chunks(sink).prefix(2) == [
                "s2c @\(start) stdout 2 ok", "s2c @\(start + 10) tcp 8 \u{1}\t\t\t\0\0\0\u{1}",
            ])
        #expect(Self.chunks(sink).dropFirst(2).first == "s2c @\(start + 18) tcp 2 zz")
    }

    @Test("only Docker's attach and exec paths are framed")
    func paths() {
        #expect(DockerAttachUpgradeHandler.isDockerStream("/v1.41/containers/abc/attach?stream=1"))
        #expect(DockerAttachUpgradeHandler.isDockerStream("/containers/abc/attach"))
        #expect(DockerAttachUpgradeHandler.isDockerStream("/v1.43/exec/abc/start"))
        #expect(!DockerAttachUpgradeHandler.isDockerStream("/attach"))
        #expect(!DockerAttachUpgradeHandler.isDockerStream("/v1.41/containers/abc/logs"))
    }

    @Test(
        "the recorded TTY attach gives the raw view's events exactly",
        .enabled(if: TestEnvironment.corpusAvailable, TestEnvironment.corpusMissingMessage))
    func recordedAttachUnchanged() throws {
        let path = TestEnvironment.corpusDirectory.appendingPathComponent("upgrade-tcp-docker-attach.pcap").path
        try #require(FileManager.default.fileExists(atPath: path), "missing \(path)")
        let docker = try WebSocketDissectorTests.timeline(path)
        var rawOnly = DissectorRegistry.standard
        rawOnly.register(RawUpgradeHandlerNamedTCP())
        let raw = CollectingEventSink()
        var analyzer = TimelineAnalyzer(output: raw, registry: rawOnly)
        var runner = CaptureRunner()
        runner.drive(try OfflineCaptureSource(paths: [path]), into: &analyzer)
        #expect(Self.chunks(docker).count > 10)
        #expect(docker.lines == raw.lines)
    }
}

/// `tcp` shown raw, as the standard registry did before the Docker handler.
private struct RawUpgradeHandlerNamedTCP: UpgradeHandler {
    var protocolID: ProtocolID { ProtocolID(name: "tcp", upgradeTokens: ["tcp"]) }

    func makeDissector(_ context: UpgradeContext) -> (any UpgradedStreamDissector)? {
        RawStreamDissector(protocolName: context.protocolName)
    }
}
