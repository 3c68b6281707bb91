import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Detection without hints on a capture editcap cut late, and `--decode-as` on the built
/// command line (DetectionRecoveryTests has the in-process rest).
@Suite("Detection and recovery with editcap and the command line")
struct DetectionRecoveryToolTests {
    static func analyze(_ path: String) throws -> CollectingEventSink {
        let sink = CollectingEventSink()
        var analyzer = TimelineAnalyzer(output: sink)
        var runner = CaptureRunner()
        runner.drive(try TestEnvironment.fixtureSource(paths: [path]), into: &analyzer)
        return sink
    }

    static func rawChunks(_ sink: CollectingEventSink) -> Int {
        sink.events.filter { $0.tag == .rawData }.count
    }

    static func messages(_ sink: CollectingEventSink) -> [(Direction, WebSocketMessage)] {
        sink.events.compactMap {
            if case .wsMessage(let message) = $0.kind { ($0.direction ?? .clientToServer, message) } else { nil }
        }
    }

    /// The capture with its first `drop` packets removed (tcpdump started late).
    static func lateStart(_ sample: String, drop: Int, directory: URL) throws -> String {
        let editcap = try TestEnvironment.requiredTool("editcap", package: "wireshark-common")
        let output = directory.appendingPathComponent("late-\(drop).pcap").path
        let path = TestEnvironment.samplesDirectory.appendingPathComponent(sample).path
        #expect(try TestEnvironment.run(editcap, ["-r", path, output, "\(drop + 1)-1000000"]).status == 0)
        return output
    }

    @Test(
        "a WebSocket session captured after its handshake is websocket by content, plain and deflate",
        arguments: ["websocket/ws-session-plain.pcap", "websocket/ws-session-deflate.pcap"])
    func webSocketAfterHandshake(_ sample: String) throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let full = try Self.analyze(TestEnvironment.samplesDirectory.appendingPathComponent(sample).path)
        let late = try Self.analyze(try Self.lateStart(sample, drop: 11, directory: directory))
        #expect(late.findingCodes.contains("detect.by_content"))
        let verdict = try #require(late.findings.first { $0.code == .detectedByContent })
        #expect(verdict.message.hasPrefix("websocket by content: "))
        #expect(verdict.message.contains("(masked)"))
        #expect(Self.rawChunks(late) == 0)
        // Every message decoded without the handshake is one of the full decode's, in order
        // and the same (or, compressed with a history never seen, with unknown bytes).
        let fullMessages = Self.messages(full)
        let lateMessages = Self.messages(late)
        #expect(lateMessages.count >= 8)
        for direction in [Direction.clientToServer, .serverToClient] {
            let expected = fullMessages.filter { $0.0 == direction }.map(\.1)
            let got = lateMessages.filter { $0.0 == direction }.map(\.1)
            let tail = Array(expected.suffix(got.count))
            for (message, reference) in zip(got, tail) {
                if let recovery = message.recovery {
                    // Copies from the unseen window are unknown; every known byte is right.
                    for range in recovery.known {
                        let shown = min(message.kept.count, reference.kept.count)
                        let bounds = min(Int(range.lowerBound), shown)..<min(Int(range.upperBound), shown)
                        #expect(Array(message.kept[bounds]) == Array(reference.kept[bounds]))
                    }
                    #expect(message.length == reference.length)
                } else {
                    #expect(message == reference)
                }
            }
        }
        let violations = late.findings.filter { $0.severity != .info && $0.code != .websocketCompressionHistoryMissing }
        #expect(violations.isEmpty, "\(violations)")
    }

    @Test("--decode-as accepts websocket, http2, h2, http, tls and raw; anything else exits 2")
    func decodeAsNames() throws {
        let path = TestEnvironment.samplesDirectory.appendingPathComponent("detection/h2c-server-first-nghttpd.pcap")
            .path
        for name in ["websocket", "http2", "h2", "HTTP2", "http", "tls", "raw"] {
            #expect(
                try TestEnvironment.run(CommandLineTests.binary, ["-r", path, "--decode-as", "\(name)=18612"]).status
                    == 0, "\(name)")
        }
        for name in ["foo", "h2c", "ws", "http3"] {
            let result = try TestEnvironment.run(CommandLineTests.binary, ["-r", path, "--decode-as", "\(name)=18612"])
            #expect(result.status == 2, "\(name)")
            #expect(result.errorText.contains("websocket, http2, h2, http, tls, raw"))
        }
        let forced = try InProcessCommand.timeline([path]) { $0.analysis.decodeAs = [18612: .http2] }
        #expect(forced.text.contains("stream 1  GET http://127.0.0.1:18612/index.html → 200"))
        #expect(try TestEnvironment.run(CommandLineTests.binary, ["help", "audit"]).text.contains("switchpoint audit"))
        #expect(try TestEnvironment.run(CommandLineTests.binary, ["help", "audit"]).status == 0)
        #expect(
            try TestEnvironment.run(CommandLineTests.binary, ["--help"]).text.contains(
                "PROTOCOL is websocket, http2 (or"))
    }
}
