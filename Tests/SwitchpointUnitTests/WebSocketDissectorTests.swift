import Crypto
import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Builds WebSocket frames and handshakes for tests.
enum WSFixtures {
    static func request(extensions: String? = nil) -> [UInt8] {
        var text =
            "GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: \(HTTP1SwitchTests.key)\r\nSec-WebSocket-Version: 13\r\n"
        if let extensions { text += "Sec-WebSocket-Extensions: \(extensions)\r\n" }
        return Array((text + "\r\n").utf8)
    }

    static func response(extensions: String? = nil) -> [UInt8] {
        var text =
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: \(HTTP1SwitchTests.accept)\r\n"
        if let extensions { text += "Sec-WebSocket-Extensions: \(extensions)\r\n" }
        return Array((text + "\r\n").utf8)
    }

    /// A frame; `mask` masks it (clients must), `lengthForm` forces 16/64-bit lengths.
    static func frame(
        _ opcode: UInt8, _ payload: [UInt8], fin: Bool = true, rsv: UInt8 = 0, mask: [UInt8]? = nil,
        lengthForm: Int? = nil
    ) -> [UInt8] {
        var bytes: [UInt8] = [(fin ? 0x80 : 0) | (rsv << 4) | opcode]
        let maskBit: UInt8 = mask == nil ? 0 : 0x80
        let form = lengthForm ?? (payload.count < 126 ? 7 : (payload.count <= 0xffff ? 16 : 64))
        switch form {
        case 7: bytes.append(maskBit | UInt8(payload.count))
        case 16: bytes += [maskBit | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xff)]
        default:
            bytes +=
                [maskBit | 127]
                + (0..<8).reversed().map { UInt8(truncatingIfNeeded: UInt64(payload.count) >> (8 * UInt64($0))) }
        }
        guard let mask else { return bytes + payload }
        return bytes + mask + payload.enumerated().map { $0.element ^ mask[$0.offset & 3] }
    }

    static let key: [UInt8] = [0x37, 0xfa, 0x21, 0x3d]

    static func text(_ string: String, client: Bool = false) -> [UInt8] {
        frame(1, Array(string.utf8), mask: client ? key : nil)
    }

    static func close(_ code: UInt16?, _ reason: String = "", client: Bool = false) -> [UInt8] {
        let body = code.map { [UInt8($0 >> 8), UInt8($0 & 0xff)] + Array(reason.utf8) } ?? []
        return frame(8, body, mask: client ? key : nil)
    }

    /// A conversation: handshake, then frames; a proper close at the end unless told not to.
    static func conversation(
        extensions: String? = nil, _ frames: [(Direction, [UInt8])], closeProperly: Bool = true
    ) -> Conversation {
        var messages: [(Direction, [UInt8])] = [
            (.clientToServer, request(extensions: extensions)), (.serverToClient, response(extensions: extensions)),
        ]
        messages += frames
        if closeProperly {
            messages += [(.clientToServer, close(1000, client: true)), (.serverToClient, close(1000))]
        }
        var conversation = Conversation(bytes: messages)
        var options = WebSocketOptions()
        options.keepFullPayload = true
        conversation.registry = DissectorRegistry.standard(webSocket: options)
        return conversation
    }
}

@Suite("WebSocket dissector")
struct WebSocketDissectorTests {
    typealias W = WSFixtures

    @Test(
        "frames and messages are identical whole, byte by byte and in random splits; fragments assemble around a ping")
    func splitsAndFragments() throws {
        let sink = W.conversation([
            (
                .clientToServer,
                W.frame(1, Array("Hello, ".utf8), fin: false, mask: W.key) + W.frame(9, Array("p".utf8), mask: W.key)
                    + W.frame(0, Array("wörld".utf8), mask: W.key)
            ),
            (.serverToClient, W.frame(10, Array("p".utf8)) + W.frame(2, [0, 1, 2, 255], lengthForm: 7)),
            (.serverToClient, W.text(String(repeating: "x", count: 70_000))),
        ]).runAllSplittings()
        #expect(sink.findingCodes.isEmpty)
        let messages = sink.messages
        #expect(messages.count == 3)
        #expect(messages[0].0 == .clientToServer && messages[0].1.frames == 2)
        #expect(String(decoding: messages[0].1.kept, as: UTF8.self) == "Hello, wörld")
        #expect(messages[1].1.kept == [0, 1, 2, 255] && messages[1].1.opcode == 2)
        #expect(messages[2].1.length == 70_000)
        let pong = sink.events.compactMap {
            if case .wsControl(let control) = $0.kind, control.opcode == 10 { control } else { nil }
        }.first
        #expect(pong?.roundTripMilliseconds != nil)
        let closing = sink.events.compactMap { if case .wsClosing(let closing) = $0.kind { closing } else { nil } }
            .first
        #expect(
            closing
                == WebSocketClosing(
                    firstDirection: .clientToServer, firstCode: 1000, answered: true, answerMilliseconds: 1.0))
    }

    // MARK: RFC 7692 §7.2.3 examples

    static let helloCompressed: [UInt8] = [0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]

    @Test("RFC 7692 §7.2.3.1-2: one message, then a second using the shared window")
    func deflateContextTakeover() {
        let sink = W.conversation(
            extensions: "permessage-deflate",
            [
                (.serverToClient, Self.helloCompressed),
                (.serverToClient, [0xc1, 0x05, 0xf2, 0x00, 0x11, 0x00, 0x00]),
            ]
        ).runAllSplittings()
        #expect(sink.findingCodes.isEmpty)
        #expect(sink.messages.map { String(decoding: $0.1.kept, as: UTF8.self) } == ["Hello", "Hello"])
        #expect(sink.messages.allSatisfy { $0.1.compressed })
    }

    @Test("RFC 7692 §7.2.3.2 with server_no_context_takeover: every message starts a fresh window")
    func deflateNoContextTakeover() {
        let sink = W.conversation(
            extensions: "permessage-deflate; server_no_context_takeover",
            [
                (.serverToClient, Self.helloCompressed), (.serverToClient, Self.helloCompressed),
            ]
        ).runAllSplittings()
        #expect(sink.findingCodes.isEmpty)
        #expect(sink.messages.map { String(decoding: $0.1.kept, as: UTF8.self) } == ["Hello", "Hello"])
    }

    @Test("RFC 7692 §7.2.3.1 fragmented, §7.2.3.3 stored block, §7.2.3.4 BFINAL block, an empty message")
    func deflateVariants() {
        let sink = W.conversation(
            extensions: "permessage-deflate; server_no_context_takeover",
            [
                (.serverToClient, [0x41, 0x03, 0xf2, 0x48, 0xcd, 0x80, 0x04, 0xc9, 0xc9, 0x07, 0x00]),
                (.serverToClient, [0xc1, 0x08, 0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00]),
                (.serverToClient, [0xc1, 0x0b, 0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00]),
                (.serverToClient, [0xc1, 0x01, 0x00]),
            ]
        ).runAllSplittings()
        #expect(sink.findingCodes.isEmpty)
        #expect(sink.messages.map { String(decoding: $0.1.kept, as: UTF8.self) } == ["Hello", "Hello", "Hello", ""])
        #expect(sink.messages.map(\.1.frames) == [2, 1, 1, 1])
    }

    @Test("a deflate bomb stops at the inflate limit with a finding; the analysis goes on")
    func deflateBomb() throws {
        // 8 MiB of zeros deflates to a few KiB.
        let zeros = [UInt8](repeating: 0, count: 8 << 20)
        let compressed = try Self.rawDeflate(zeros)
        var conversation = W.conversation(
            extensions: "permessage-deflate",
            [
                (.serverToClient, W.frame(1, compressed, rsv: 4)), (.serverToClient, W.text("after")),
            ])
        var options = WebSocketOptions()
        options.maxInflatedMessageBytes = 1 << 20
        conversation.registry = DissectorRegistry.standard(webSocket: options)
        let sink = conversation.run(.whole)
        #expect(sink.findingCodes.contains("websocket.inflate_limit"))
        #expect(sink.messages.last.map { String(decoding: $0.1.kept, as: UTF8.self) } == "after")
    }

    @Test("capture without the handshake: bytes copied from the missing history are unknown, not garbage")
    func historyMissing() {
        let context = UpgradeContext(
            protocolName: "websocket", request: nil, response: nil, clientToServerOffset: 0, serverToClientOffset: 0)
        var dissector = WebSocketDissector(context: context)
        var events = EventBuffer(connection: 1)
        let capture = CaptureInfo(packetNumber: 1, timestamp: .zero)
        // The second "Hello" of RFC 7692 §7.2.3.2 refers back to the first, never captured.
        let second: [UInt8] = [0xc1, 0x05, 0xf2, 0x00, 0x11, 0x00, 0x00]
        second.withUnsafeBytes {
            dissector.receive($0, direction: .serverToClient, offset: 0, capture: capture, events: &events)
        }
        let codes = events.events.compactMap {
            if case .finding(let finding) = $0.kind { finding.code.rawValue } else { nil }
        }
        #expect(codes == ["websocket.compression_history_missing"])
        let message = events.events.compactMap { if case .wsMessage(let message) = $0.kind { message } else { nil } }
            .first
        // "H" is a literal, "ello" a copy from the unseen window: length known, content partly.
        #expect(message?.problem == nil)
        #expect(message?.length == 5)
        #expect(message?.recovery?.recovered == 1)
        #expect(message?.recovery?.known == [0..<1])
        // A first message (nothing to refer back to) inflates fine without the handshake.
        var fresh = WebSocketDissector(context: context)
        var freshEvents = EventBuffer(connection: 1)
        Self.helloCompressed.withUnsafeBytes {
            fresh.receive($0, direction: .serverToClient, offset: 0, capture: capture, events: &freshEvents)
        }
        let first = freshEvents.events.compactMap { if case .wsMessage(let message) = $0.kind { message } else { nil } }
            .first
        #expect(first.map { String(decoding: $0.kept, as: UTF8.self) } == "Hello")
    }

    // MARK: Rules, one finding code each

    struct RuleCase: Sendable, CustomTestStringConvertible {
        var code: String
        var frames: [(Direction, [UInt8])]
        var extensions: String?
        var closeProperly = true
        var testDescription: String { code }
    }

    static let ruleCases: [RuleCase] = [
        RuleCase(code: "websocket.client_frame_unmasked", frames: [(.clientToServer, W.text("hi"))]),
        RuleCase(code: "websocket.server_frame_masked", frames: [(.serverToClient, W.text("hi", client: true))]),
        RuleCase(
            code: "websocket.control_frame_too_long",
            frames: [(.serverToClient, W.frame(9, [UInt8](repeating: 1, count: 126)))]),
        RuleCase(code: "websocket.control_frame_fragmented", frames: [(.serverToClient, W.frame(9, [1], fin: false))]),
        RuleCase(
            code: "websocket.rsv_without_extension", frames: [(.serverToClient, W.frame(1, Array("hi".utf8), rsv: 2))]),
        RuleCase(code: "websocket.reserved_opcode", frames: [(.serverToClient, W.frame(3, [1, 2]))]),
        RuleCase(code: "websocket.unexpected_continuation", frames: [(.serverToClient, W.frame(0, Array("hi".utf8)))]),
        RuleCase(
            code: "websocket.message_interrupted",
            frames: [(.serverToClient, W.frame(1, Array("a".utf8), fin: false) + W.text("b"))]),
        RuleCase(
            code: "websocket.invalid_utf8",
            frames: [(.serverToClient, W.frame(1, Array("ab".utf8) + [0xc3], fin: false) + W.frame(0, [0x28]))]),
        RuleCase(
            code: "websocket.invalid_close_code",
            frames: [(.serverToClient, W.close(1005)), (.clientToServer, W.close(1000, client: true))],
            closeProperly: false),
        RuleCase(
            code: "websocket.close_payload_one_byte",
            frames: [(.serverToClient, W.frame(8, [3])), (.clientToServer, W.close(1000, client: true))],
            closeProperly: false),
        RuleCase(
            code: "websocket.data_after_close",
            frames: [
                (.serverToClient, W.close(1000) + W.text("late")), (.clientToServer, W.close(1000, client: true)),
            ], closeProperly: false),
        RuleCase(
            code: "websocket.non_minimal_length",
            frames: [(.serverToClient, W.frame(1, Array("hi".utf8), lengthForm: 16))]),
        RuleCase(
            code: "websocket.length_top_bit", frames: [(.serverToClient, [0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 1])]),
        RuleCase(
            code: "websocket.inflate_failed",
            frames: [(.serverToClient, W.frame(1, [0xff, 0xff, 0xff, 0xff], rsv: 4))], extensions: "permessage-deflate"),
        RuleCase(
            code: "websocket.ping_unanswered",
            frames: [(.clientToServer, W.frame(9, Array("anyone?".utf8), mask: W.key))]),
        RuleCase(
            code: "websocket.closed_without_close_frame", frames: [(.serverToClient, W.text("bye?"))],
            closeProperly: false),
        RuleCase(
            code: "websocket.close_not_answered", frames: [(.serverToClient, W.close(1001, "going away"))],
            closeProperly: false),
        RuleCase(
            code: "websocket.message_incomplete",
            frames: [(.serverToClient, W.frame(1, Array("unfinished".utf8), fin: false))], closeProperly: false),
    ]

    @Test("each rule gives its finding, however the bytes are split", arguments: ruleCases)
    func rule(_ rule: RuleCase) {
        let sink = W.conversation(extensions: rule.extensions, rule.frames, closeProperly: rule.closeProperly)
            .runAllSplittings()
        #expect(sink.findingCodes.contains(rule.code), "\(sink.findingCodes)")
    }

    @Test("gaps: inside a payload the message is marked incomplete and decoding goes on; in a header it resynchronizes")
    func gaps() {
        var payloadGap = W.conversation([
            (.serverToClient, Array(W.text(String(repeating: "a", count: 100)).prefix(40))),
            (.serverToClient, Array(W.text(String(repeating: "a", count: 100)).suffix(30)) + W.text("next")),
        ])
        payloadGap.gaps = [3: 32]
        let sink = payloadGap.runAllSplittings()
        #expect(sink.findingCodes == ["websocket.gap_in_payload"])
        #expect(sink.messages.map(\.1.complete) == [false, true])
        #expect(sink.messages.last.map { String(decoding: $0.1.kept, as: UTF8.self) } == "next")
        var headerGap = W.conversation(
            [(.serverToClient, W.text("one")), (.serverToClient, W.text("two"))], closeProperly: false)
        headerGap.gaps = [3: 1]
        // Issue 12: the frame after the gap tiles the rest of the stream exactly, so decoding
        // resumes there instead of stopping.
        let resumed = headerGap.runAllSplittings()
        #expect(resumed.findingCodes.contains("websocket.gap_in_frame_header"))
        #expect(resumed.messages.map { String(decoding: $0.1.kept, as: UTF8.self) } == ["one", "two"])
    }

    @Test("close codes: the valid ranges of RFC 6455 §7.4")
    func closeCodes() {
        for valid: UInt16 in [1000, 1001, 1003, 1007, 1011, 1012, 1014, 3000, 4999] {
            #expect(WebSocketCloseCode(rawValue: valid).maySend)
        }
        for invalid: UInt16 in [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000] {
            #expect(!WebSocketCloseCode(rawValue: invalid).maySend)
        }
    }

    static func rawDeflate(_ input: [UInt8]) throws -> [UInt8] {
        // Deflate via the same zlib, through python's zlib-compatible output would need a
        // process; build a stored-free stream with zlib's deflate instead.
        try Deflater.compress(input)
    }

    // MARK: Corpus (acceptance 1)

    struct TsharkFrame: Decodable, Equatable, CustomStringConvertible {
        var dir: String
        var fin: Bool
        var rsv: Int
        var opcode: Int
        var masked: Bool
        var len: Int
        var description: String { "\(dir) fin=\(fin) rsv=\(rsv) op=\(opcode) masked=\(masked) len=\(len)" }
    }

    struct TsharkConnection: Decodable {
        var ws_frames: [TsharkFrame]?
        var ws_text: [TsharkText]?
        var client: String
        var server: String
    }

    struct TsharkText: Decodable {
        var dir: String
        var text: String
    }
    struct TsharkFile: Decodable { var connections: [TsharkConnection] }

    static let corpusWebSocketFiles = [
        "ws-basic.pcap", "ws-permessage-deflate.pcap", "ws-ping-then-rst.pcap",
        "ws-ping-inside-fragmented-message.pcap", "ws-ping-coalesced-with-101.pcap",
        "ws-wrong-accept.pcap", "ws-oversized-close.pcapng",
    ]

    static func timeline(_ path: String, options: WebSocketOptions = WebSocketOptions()) throws -> CollectingEventSink {
        let sink = CollectingEventSink()
        var analyzer = TimelineAnalyzer(output: sink, registry: .standard(webSocket: options))
        var runner = CaptureRunner()
        runner.drive(try TestEnvironment.fixtureSource(paths: [path]), into: &analyzer)
        return sink
    }

    @Test(
        "corpus frames equal tshark's ws_frames",
        .enabled(if: TestEnvironment.corpusAvailable, TestEnvironment.corpusMissingMessage),
        arguments: corpusWebSocketFiles)
    func corpusFrames(file: String) throws {
        let path = TestEnvironment.corpusDirectory.appendingPathComponent(file)
        let jsonPath = path.deletingPathExtension().appendingPathExtension("tshark.json")
        let reference = try JSONDecoder().decode(TsharkFile.self, from: Data(contentsOf: jsonPath))
        let sink = try Self.timeline(path.path)
        let ours = sink.frames.map {
            TsharkFrame(
                dir: $0.0.shortName, fin: $0.1.fin, rsv: Int($0.1.rsv), opcode: Int($0.1.opcode), masked: $0.1.masked,
                len: Int($0.1.payloadLength))
        }
        let theirs = reference.connections.flatMap { $0.ws_frames ?? [] }
        #expect(ours == theirs)
        let texts = reference.connections.flatMap { $0.ws_text ?? [] }
        let ourTexts = sink.messages.filter { $0.1.isText }.map {
            ($0.0.shortName, String(decoding: $0.1.kept, as: UTF8.self))
        }
        for text in texts {
            #expect(
                ourTexts.contains { $0.0 == text.dir && $0.1 == text.text }, "missing \(text.dir) text \(text.text)")
        }
    }

    @Test(
        "corpus messages match what the peers' baselines say",
        .enabled(if: TestEnvironment.corpusAvailable, TestEnvironment.corpusMissingMessage))
    func corpusMessages() throws {
        func path(_ name: String) -> String { TestEnvironment.corpusDirectory.appendingPathComponent(name).path }
        let deflate = try Self.timeline(path("ws-permessage-deflate.pcap"))
        let texts = deflate.messages.map { String(decoding: $0.1.kept, as: UTF8.self) }
        #expect(texts.count == 10)
        #expect(texts.first == "KEY=07cb9559eff21e3e34f3bbd18240bac3")
        #expect(texts.dropFirst().allSatisfy { $0.hasPrefix("TOGGLE=") })
        #expect(deflate.messages.allSatisfy { $0.0 == .serverToClient && $0.1.compressed })

        let fragmented = try Self.timeline(path("ws-ping-inside-fragmented-message.pcap"))
        #expect(fragmented.messages.count == 1)
        #expect(fragmented.messages.first?.1.frames == 2)
        #expect(
            fragmented.messages.first.map { String(decoding: $0.1.kept, as: UTF8.self) }
                == "MALWARE_DOWNLOAD cmd.exe /c powershell -enc AAAA")

        let unmaskedPing = try Self.timeline(path("ws-ping-then-rst.pcap"))
        #expect(unmaskedPing.findingCodes.contains("websocket.client_frame_unmasked"))
        #expect(unmaskedPing.messages.map { String(decoding: $0.1.kept, as: UTF8.self) } == ["\"who\""])

        let oversized = try Self.timeline(path("ws-oversized-close.pcapng"))
        #expect(oversized.findingCodes.contains("websocket.control_frame_too_long"))
        #expect(oversized.findings.contains { $0.message.contains("258-byte payload; the limit is 125") })
        #expect(
            oversized.closeFrames.first?.1 == WebSocketClose(code: 1000, reason: String(repeating: "C", count: 256)))

        let coalesced = try Self.timeline(path("ws-ping-coalesced-with-101.pcap"))
        let story = coalesced.events.compactMap { event -> String? in
            switch event.kind {
            case .wsControl(let control):
                "\(event.direction!.shortName) \(control.opcode == 9 ? "ping" : "pong") \(String(decoding: control.payload, as: UTF8.self))"
            case .wsMessage(let message):
                "\(event.direction!.shortName) text \(String(decoding: message.kept, as: UTF8.self))"
            case .wsClose(let close): "\(event.direction!.shortName) close \(close.code ?? 0)"
            default: nil
            }
        }
        #expect(
            story == [
                "s2c ping Zeek", "c2s pong Zeek", "c2s text Hello Zeek!", "s2c text Hello there!", "c2s close 1000",
                "s2c close 1000",
            ])

        let basic = try Self.timeline(path("ws-basic.pcap"))
        #expect(basic.frames.count == 17)
        #expect(basic.frames.allSatisfy { $0.1.fin && $0.1.opcode == 1 && $0.1.masked == ($0.0 == .clientToServer) })
    }

    // MARK: Recorded samples (acceptance 3)

    struct LoggedMessage: Decodable {
        var side: String
        var layer: String?
        var dir: String
        var type: String?
        var len: Int?
        var sha256: String?
        var code: Int?
        var reason: String?
    }

    @Test(
        "decoded messages equal what the websockets client and server logged",
        arguments: ["ws-session-plain", "ws-session-deflate", "ws-session-deflate-params"])
    func samples(name: String) throws {
        let directory = TestEnvironment.samplesDirectory.appendingPathComponent("websocket")
        let log = try String(contentsOf: directory.appendingPathComponent(name + ".log"), encoding: .utf8)
            .split(separator: "\n").map { try JSONDecoder().decode(LoggedMessage.self, from: Data($0.utf8)) }
        var options = WebSocketOptions()
        options.keepFullPayload = true
        let sink = try Self.timeline(directory.appendingPathComponent(name + ".pcap").path, options: options)
        #expect(sink.findingCodes.isEmpty, "\(sink.findingCodes)")
        for (side, direction) in [("client", Direction.clientToServer), ("server", .serverToClient)] {
            let sent = log.filter { $0.side == side && $0.dir == "send" && $0.layer == "ws-message" }
            let decoded = sink.messages.filter { $0.0 == direction }.map(\.1)
            #expect(decoded.count == sent.count, "\(side): \(decoded.count) messages decoded, \(sent.count) logged")
            for (ours, theirs) in zip(decoded, sent) {
                #expect((ours.isText ? "text" : "binary") == theirs.type)
                #expect(Int(ours.length) == theirs.len)
                let digest = SHA256.hash(data: ours.kept).map { String(format: "%02x", $0) }.joined()
                #expect(digest == theirs.sha256)
            }
            let loggedCloses = log.filter {
                $0.side == side && $0.dir == "send" && $0.type == "close" && $0.layer == "ws-frame"
            }
            let ourCloses = sink.closeFrames.filter { $0.0 == direction }
            #expect(ourCloses.map { Int($0.1.code ?? 0) } == loggedCloses.map { $0.code ?? 0 })
            #expect(ourCloses.map(\.1.reason) == loggedCloses.map { $0.reason ?? "" })
        }
    }
}

@Suite("WebSocket --payload full cap")
struct WebSocketPayloadCapTests {
    @Test("--payload full keeps at most the per-message cap, counts the rest, and says so once per message")
    func fullPayloadCap() {
        var conversation = WSFixtures.conversation([
            (.serverToClient, WSFixtures.frame(2, [UInt8](repeating: 0xab, count: 5000))),
            (.serverToClient, WSFixtures.frame(2, [UInt8](repeating: 0xcd, count: 300))),
        ])
        var options = WebSocketOptions()
        options.keepFullPayload = true
        options.maxFullPayloadBytes = 1000
        conversation.registry = DissectorRegistry.standard(webSocket: options)
        let sink = conversation.runAllSplittings()
        let messages = sink.messages.map(\.1)
        #expect(messages.count == 2)
        #expect(messages.first?.length == 5000)
        #expect(messages.first?.kept.count == 1000)
        #expect(messages.first?.keptAll == false)
        #expect(messages.last?.kept.count == 300)
        #expect(messages.last?.keptAll == true)
        #expect(sink.findingCodes.filter { $0 == FindingCode.websocketPayloadCap.rawValue }.count == 1)
    }
}
