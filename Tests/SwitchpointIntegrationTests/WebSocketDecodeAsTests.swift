import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

@Suite("WebSocket without a captured handshake (--decode-as)")
struct WebSocketDecodeAsTests {
    /// Copies `sample` without its packets up to and including the 101 (and `extra` more).
    static func midstream(_ sample: String, extra: Int = 0, directory: URL) throws -> String {
        let tshark = try TestEnvironment.requiredTool("tshark")
        let editcap = try TestEnvironment.requiredTool("editcap", package: "wireshark-common")
        let found = try TestEnvironment.run(
            tshark, ["-r", sample, "-Y", "http.response.code == 101", "-T", "fields", "-e", "frame.number"])
        let switchPacket = try #require(Int(found.text.trimmingCharacters(in: .whitespacesAndNewlines)))
        let output = directory.appendingPathComponent("midstream.pcap").path
        #expect(
            try TestEnvironment.run(editcap, ["-r", sample, output, "\(switchPacket + 1 + extra)-100000"]).status == 0)
        return output
    }

    @Test("a capture that starts after the 101 decodes with --decode-as")
    func decodeAs() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try Self.midstream(
            TestEnvironment.samplesDirectory.appendingPathComponent("ws-echo-veth.pcap").path, directory: directory)
        let sink = CollectingEventSink()
        var analyzer = TimelineAnalyzer(output: sink, decodeAs: [8765: .websocket])
        var runner = CaptureRunner()
        runner.drive(try TestEnvironment.fixtureSource(paths: [path]), into: &analyzer)
        #expect(sink.findings.isEmpty, "\(sink.findings)")
        let texts = sink.messages.filter { $0.1.isText && $0.0 == .clientToServer }.map {
            String(decoding: $0.1.kept, as: UTF8.self)
        }
        #expect(texts.first == "hello 0: switchpoint sample message ")
        #expect(sink.messages.count >= 20)
        #expect(sink.closeFrames.count == 2)
    }

    @Test("compressed messages that need history the capture lacks are said to, not printed as garbage")
    func historyMissing() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // Skip the first messages so later ones refer back to a window never seen.
        let path = try Self.midstream(
            TestEnvironment.samplesDirectory.appendingPathComponent("websocket/ws-session-deflate.pcap").path,
            extra: 4, directory: directory)
        let sink = CollectingEventSink()
        var analyzer = TimelineAnalyzer(output: sink, decodeAs: [80: .websocket])
        var runner = CaptureRunner()
        runner.drive(try TestEnvironment.fixtureSource(paths: [path]), into: &analyzer)
        #expect(sink.findingCodes.contains("websocket.compression_history_missing"))
        #expect(!sink.findingCodes.contains("websocket.inflate_failed"))
        for (_, message) in sink.messages where message.problem != nil {
            #expect(message.kept.isEmpty)
        }
        // Whatever did inflate is real text from the session.
        for (_, message) in sink.messages where message.problem == nil && message.isText && message.complete {
            #expect(String(validating: message.kept, as: UTF8.self) != nil)
        }
    }
}
