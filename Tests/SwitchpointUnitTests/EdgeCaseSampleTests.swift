import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// The edge-case samples (samples/edge-cases, made by scripts/record-samples-edge-cases)
/// show what the programs that made them logged: each check reads the log beside the
/// capture and compares, so a new recording (new keys, new ports) needs no edit here.
@Suite("Edge-case samples agree with their programs' logs")
struct EdgeCaseSampleTests {
    static func path(_ name: String) -> String { TimelineGoldenTests.edgeCase(name).path }

    /// The JSON lines of NAME.log whose `event` is `event` (and `side` is `side`).
    static func logLines(_ name: String, side: String, event: String) throws -> [[String: Any]] {
        let url = TimelineGoldenTests.edgeCase(name).deletingPathExtension().appendingPathExtension("log")
        let text = try String(contentsOf: url, encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            guard let object, object["side"] as? String == side, object["event"] as? String == event else { return nil }
            return object
        }
    }

    /// Runs the analyzer over `path`; requires every upgrade to be a 101 to
    /// `protocolName` whose offsets sit right after the request head and the 101's head.
    static func checkedUpgrades(
        _ path: String, protocolName: String
    ) throws -> (
        sink: EventCollector, upgrades: [TimelineEvent]
    ) {
        let (streams, _) = try TestEnvironment.reassemble([path])
        let sink = CollectingEventSink()
        var analyzer = TimelineAnalyzer(output: sink)
        var runner = CaptureRunner()
        runner.drive(try TestEnvironment.fixtureSource(paths: [path]), into: &analyzer)
        let upgrades = sink.events.filter { if case .upgrade = $0.kind { true } else { false } }
        #expect(!upgrades.isEmpty)
        for event in upgrades {
            guard case .upgrade(let upgrade) = event.kind else { continue }
            #expect(upgrade.protocolName.lowercased() == protocolName)
            #expect(upgrade.status == 101)
            let clientBytes = streams.bytes(event.connection, .clientToServer)
            let serverBytes = streams.bytes(event.connection, .serverToClient)
            let serverHead = Array(serverBytes.prefix(Int(upgrade.serverToClientOffset)))
            #expect(serverHead.suffix(4) == Array("\r\n\r\n".utf8))
            #expect(String(decoding: serverHead.prefix(12), as: UTF8.self) == "HTTP/1.1 101")
            let clientHead = Array(clientBytes.prefix(Int(upgrade.clientToServerOffset)))
            #expect(clientHead.suffix(4) == Array("\r\n\r\n".utf8))  // no upgrade request here has a body
        }
        return (sink, upgrades)
    }

    static func controls(_ sink: EventCollector, _ opcode: WebSocketOpcode) -> [(TimelineEvent, WebSocketControl)] {
        sink.events.compactMap { event in
            if case .wsControl(let control) = event.kind, WebSocketOpcode(rawValue: control.opcode) == opcode {
                (event, control)
            } else {
                nil
            }
        }
    }

    static func messages(_ sink: EventCollector) -> [(TimelineEvent, WebSocketMessage)] {
        sink.events.compactMap { event in
            if case .wsMessage(let message) = event.kind { (event, message) } else { nil }
        }
    }

    @Test("wrong accept: the finding names the value the server sent and the right one")
    func wrongAccept() throws {
        let name = "ws-wrong-accept-websockets"
        let (sink, upgrades) = try Self.checkedUpgrades(Self.path(name), protocolName: "websocket")
        let tampered = try #require(try Self.logLines(name, side: "server", event: "accept_tampered").first)
        let sent = try #require(tampered["sent"] as? String)
        let correct = try #require(tampered["correct"] as? String)
        let finding = sink.findings.first { $0.code == .websocketAcceptMismatch }
        #expect(finding?.message == "Sec-WebSocket-Accept is \"\(sent)\", expected \"\(correct)\"")
        #expect(finding?.severity == .error)
        #expect(upgrades.count == 1)
        #expect(Self.messages(sink).isEmpty)  // the client closed without a frame
        #expect(try Self.logLines(name, side: "client", event: "rejected").count == 1)
    }

    @Test("ping coalesced with the 101: the ping is read from the 101's packet, then the logged exchange")
    func pingCoalescedWith101() throws {
        let name = "ws-ping-coalesced-with-101-websockets"
        let (sink, upgrades) = try Self.checkedUpgrades(Self.path(name), protocolName: "websocket")
        let ping = try #require(Self.controls(sink, .ping).first)
        #expect(ping.0.packet == upgrades.first?.packet)
        #expect(ping.0.direction == .serverToClient)
        #expect(ping.1.payload == Array("switchpoint".utf8))
        #expect(Self.controls(sink, .pong).map(\.1.payload) == [Array("switchpoint".utf8)])
        let sent = try Self.logLines(name, side: "client", event: "sent_text").compactMap { $0["text"] as? String }
        let received = try Self.logLines(name, side: "client", event: "received_text").compactMap {
            $0["text"] as? String
        }
        let texts = Self.messages(sink).map { ($0.0.direction, String(decoding: $0.1.kept, as: UTF8.self)) }
        #expect(texts.filter { $0.0 == .clientToServer }.map(\.1) == sent)
        #expect(texts.filter { $0.0 == .serverToClient }.map(\.1) == received)
    }

    @Test("ping inside a fragmented message: one message of all fragments, the ping between them")
    func pingInsideFragmentedMessage() throws {
        let name = "ws-ping-inside-fragmented-message-websockets"
        let (sink, _) = try Self.checkedUpgrades(Self.path(name), protocolName: "websocket")
        let sent = try #require(try Self.logLines(name, side: "client", event: "sent_text").first)
        let pingText = try #require(
            try Self.logLines(name, side: "client", event: "sent_ping").first?["text"] as? String)
        let message = try #require(Self.messages(sink).first { $0.0.direction == .clientToServer })
        #expect(String(decoding: message.1.kept, as: UTF8.self) == sent["text"] as? String)
        #expect(message.1.frames == 3)  // TEXT, CONTINUATION, and websockets' empty final CONTINUATION
        let ping = try #require(Self.controls(sink, .ping).first)
        #expect(ping.1.payload == Array(pingText.utf8))
        #expect(ping.0.packet > message.0.firstPacket && ping.0.packet < message.0.packet)
    }

    @Test("CONTINUATION: the request header block over three frames is one list of ten fields")
    func headerBlockOverContinuation() throws {
        let path = Self.path("h2-prior-knowledge-continuation-nghttp")
        let sink = CollectingEventSink()
        var analyzer = TimelineAnalyzer(output: sink)
        var runner = CaptureRunner()
        runner.drive(try TestEnvironment.fixtureSource(paths: [path]), into: &analyzer)
        let blocks = sink.events.compactMap { event -> HTTP2HeaderBlock? in
            if case .h2Headers(let block) = event.kind, event.direction == .clientToServer { block } else { nil }
        }
        let request = try #require(blocks.first)
        #expect(blocks.count == 1)
        #expect(request.frames == 3)  // HEADERS + 2 CONTINUATION (tshark shows 16384 + 16384 + 790)
        #expect(request.fields.count == 10)
        for number in 1...3 {
            let field = request.fields.first { $0.name == "x-switchpoint-big-\(number)" }
            #expect(field?.value.count == 15000)
        }
        let streams = sink.events.compactMap { event -> HTTP2StreamSummary? in
            if case .h2Stream(let stream) = event.kind { stream } else { nil }
        }
        #expect(streams.map(\.status) == [200])
        #expect(streams.map(\.responseBodyBytes) == [18])
        #expect(sink.findings.isEmpty)
    }

    @Test("Docker attach: after the 101 the stdout and stderr frames the daemon sent, as the SDK read them")
    func dockerAttach() throws {
        let name = "upgrade-tcp-docker-attach-fake-daemon"
        let (sink, upgrades) = try Self.checkedUpgrades(Self.path(name), protocolName: "tcp")
        let attach = try #require(upgrades.first)
        #expect(upgrades.count == 1)
        let chunks = sink.events.compactMap { event -> RawChunk? in
            if case .rawData(let chunk) = event.kind, event.connection == attach.connection { chunk } else { nil }
        }
        // The logs hold the payloads as latin-1 text: one character per byte.
        func frames(_ side: String) throws -> [String] {
            try Self.logLines(name, side: side, event: "frame").map { line in
                "\(line["stream"] as? String ?? "?") \(line["len"] as? Int ?? -1) \(line["payload"] as? String ?? "?")"
            }
        }
        let shown = chunks.map { chunk in
            "\(chunk.protocolName) \(chunk.length) \(String(chunk.head.map { Character(Unicode.Scalar($0)) }))"
        }
        #expect(try frames("fake-daemon").count == 4)
        #expect(shown == (try frames("fake-daemon")))
        #expect(shown == (try frames("client")))
        withKnownIssue(
            "an attach without stdin sends nothing after the 101 and the daemon closed first, yet the outcome is rejected_by_client"
        ) {
            if case .upgrade(let upgrade) = attach.kind {
                #expect(upgrade.outcome == .established)
            }
        }
    }
}
