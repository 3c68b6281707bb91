import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Builds HTTP/2 frames for tests.
enum H2 {
    static let preface = ProtocolDetector.http2Preface

    static func frame(_ type: UInt8, flags: UInt8 = 0, stream: UInt32 = 0, _ payload: [UInt8] = []) -> [UInt8] {
        [
            UInt8(payload.count >> 16 & 0xff), UInt8(payload.count >> 8 & 0xff), UInt8(payload.count & 0xff), type,
            flags,
            UInt8(stream >> 24 & 0x7f), UInt8(stream >> 16 & 0xff), UInt8(stream >> 8 & 0xff), UInt8(stream & 0xff),
        ] + payload
    }

    static func settings(_ values: [(UInt16, UInt32)] = []) -> [UInt8] {
        frame(
            4,
            values.flatMap {
                [
                    UInt8($0.0 >> 8), UInt8($0.0 & 0xff), UInt8($0.1 >> 24), UInt8($0.1 >> 16 & 0xff),
                    UInt8($0.1 >> 8 & 0xff), UInt8($0.1 & 0xff),
                ]
            })
    }

    /// A dynamic table size update (RFC 7541 §6.3): a 5-bit prefix integer (§5.1) of any
    /// size, for tests of the decoder's bounds.
    static func tableSizeUpdate(_ size: UInt64) -> [UInt8] {
        guard size >= 31 else { return [0x20 | UInt8(size)] }
        var bytes: [UInt8] = [0x3f]
        var rest = size - 31
        while rest >= 128 {
            bytes.append(UInt8(rest & 0x7f) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
        return bytes
    }

    static func hex(_ text: String) -> [UInt8] {
        HexText.bytes(text)
    }

    /// `:status 200` as a literal without indexing (RFC 7541 §6.2.2): index 8 is ":status 200" itself.
    static let status200: [UInt8] = [0x88]
    static let status404: [UInt8] = [0x8d]

    /// A prior-knowledge conversation with the registry's HTTP/2 dissector.
    static func conversation(_ messages: [(Direction, [UInt8])]) -> Conversation {
        var conversation = Conversation(bytes: messages)
        conversation.registry = .standard
        return conversation
    }
}

extension CollectingEventSink {
    var h2Streams: [HTTP2StreamSummary] {
        events.compactMap { if case .h2Stream(let summary) = $0.kind { summary } else { nil } }
    }

    var h2Blocks: [(Direction, HTTP2HeaderBlock)] {
        events.compactMap {
            if case .h2Headers(let block) = $0.kind, let direction = $0.direction { (direction, block) } else { nil }
        }
    }

    var h2Frames: [(Direction, HTTP2FrameInfo)] {
        events.compactMap {
            if case .h2Frame(let frame) = $0.kind, let direction = $0.direction { (direction, frame) } else { nil }
        }
    }
}

@Suite("HTTP/2 dissector")
struct HTTP2DissectorTests {
    /// RFC 7541 Appendix C.3 (no Huffman) and C.4 (Huffman): three requests sharing one
    /// dynamic table, decoded through the project's HPACK path (HEADERS frames).
    @Test(
        "RFC 7541 Appendix C.3 and C.4 decode through HEADERS frames, whole, byte by byte and split",
        arguments: [
            [
                "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d", "8286 84be 5808 6e6f 2d63 6163 6865",
                "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65",
            ],
            [
                "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff", "8286 84be 5886 a8eb 1064 9cbf",
                "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf",
            ],
        ])
    func rfc7541AppendixC(blocks: [String]) {
        var client = H2.preface + H2.settings()
        for (index, block) in blocks.enumerated() {
            client += H2.frame(1, flags: 0x5, stream: UInt32(2 * index + 1), H2.hex(block))
        }
        let sink = H2.conversation([(.clientToServer, client), (.serverToClient, H2.settings())]).runAllSplittings()
        #expect(sink.findingCodes.isEmpty)
        let lists = sink.h2Blocks.map { $0.1.fields.map { "\($0.name): \($0.value)" } }
        #expect(
            lists == [
                [":method: GET", ":scheme: http", ":path: /", ":authority: www.example.com"],
                [
                    ":method: GET", ":scheme: http", ":path: /", ":authority: www.example.com",
                    "cache-control: no-cache",
                ],
                [
                    ":method: GET", ":scheme: https", ":path: /index.html", ":authority: www.example.com",
                    "custom-key: custom-value",
                ],
            ])
    }

    @Test("RFC 7541 Appendix C.5: responses with a 256-byte table (evictions), as the client allowed in SETTINGS")
    func rfc7541AppendixC5() {
        let blocks = [
            "4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
            "4803 3330 37c1 c0bf",
            "88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31",
        ]
        var client = H2.preface + H2.settings([(1, 256)])
        var server = H2.settings()
        for index in 0..<3 {
            client += H2.frame(1, flags: 0x5, stream: UInt32(2 * index + 1), Self.request)
            server += H2.frame(1, flags: 0x5, stream: UInt32(2 * index + 1), H2.hex(blocks[index]))
        }
        let sink = H2.conversation([(.clientToServer, client), (.serverToClient, server)]).runAllSplittings()
        #expect(sink.findingCodes.isEmpty)
        let responses = sink.h2Blocks.filter { $0.0 == .serverToClient }.map {
            $0.1.fields.map { "\($0.name): \($0.value)" }
        }
        #expect(
            responses == [
                [
                    ":status: 302", "cache-control: private", "date: Mon, 21 Oct 2013 20:13:21 GMT",
                    "location: https://www.example.com",
                ],
                [
                    ":status: 307", "cache-control: private", "date: Mon, 21 Oct 2013 20:13:21 GMT",
                    "location: https://www.example.com",
                ],
                [
                    ":status: 200", "cache-control: private", "date: Mon, 21 Oct 2013 20:13:22 GMT",
                    "location: https://www.example.com",
                    "content-encoding: gzip", "set-cookie: foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1",
                ],
            ])
    }

    @Test("an exchange: CONTINUATION merged, padding and priority stripped, DATA counted, RST and GOAWAY named")
    func exchange() throws {
        let request = H2.hex("8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d")
        let padded: [UInt8] = [3] + [0, 0, 0, 0, 16] + Array(request.prefix(5))  // pad 3, priority fields, first part
        let client =
            H2.preface + H2.settings([(2, 0)])
            + H2.frame(1, flags: 0x8 | 0x20, stream: 1, padded + [0, 0, 0])
            + H2.frame(9, flags: 0x4, stream: 1, Array(request.dropFirst(5)))
            + H2.frame(0, flags: 0x1 | 0x8, stream: 1, [2] + Array("body".utf8) + [0, 0])
        let server =
            H2.settings([(5, 16384)]) + H2.frame(4, flags: 0x1)
            + H2.frame(1, flags: 0x4, stream: 1, H2.status200) + H2.frame(0, stream: 1, Array("hello".utf8))
            + H2.frame(0, flags: 0x1, stream: 1, Array(" world".utf8))
            + H2.frame(3, stream: 3, [0, 0, 0, 8])
            + H2.frame(7, [0, 0, 0, 1, 0, 0, 0, 0x0b] + Array("calm".utf8))
        let sink = H2.conversation([(.clientToServer, client), (.serverToClient, server)]).runAllSplittings()
        #expect(sink.findingCodes.isEmpty)
        let stream = try #require(sink.h2Streams.first)
        #expect(stream.method == "GET" && stream.path == "/" && stream.authority == "www.example.com")
        #expect(stream.status == 200)
        #expect(stream.requestBodyBytes == 4)
        #expect(stream.responseBodyBytes == 11)
        #expect(sink.h2Blocks.first?.1.frames == 2)
        let resets = sink.events.compactMap {
            if case .h2Reset(let id, let error) = $0.kind {
                "\(id) \(HTTP2ErrorCode(rawValue: error).name)"
            } else {
                nil
            }
        }
        #expect(resets == ["3 CANCEL"])
        let goaway = sink.events.compactMap {
            if case .h2GoAway(let last, let error, let debug) = $0.kind {
                "\(last) \(HTTP2ErrorCode(rawValue: error).name) \(debug)"
            } else {
                nil
            }
        }
        #expect(goaway == ["1 ENHANCE_YOUR_CALM calm"])
    }

    @Test("a DATA frame larger than anything buffered is consumed in pieces")
    func largeData() throws {
        let body = [UInt8](repeating: 7, count: 200_000)
        let sink = H2.conversation([
            (
                .clientToServer,
                H2.preface + H2.settings()
                    + H2.frame(1, flags: 0x5, stream: 1, H2.hex("8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d"))
            ),
            (.serverToClient, H2.settings([(5, 1 << 20)]) + H2.frame(1, flags: 0x4, stream: 1, H2.status200)),
            (.serverToClient, H2.frame(0, flags: 0x1, stream: 1, body)),
        ]).run(.random(seed: 3))
        #expect(sink.h2Streams.first?.responseBodyBytes == 200_000)
        #expect(sink.findingCodes == ["h2.frame_too_large"])  // over the client's default 16384
    }

    // MARK: Findings

    struct FindingCase: Sendable, CustomTestStringConvertible {
        var code: String
        var client: [UInt8]
        var server: [UInt8]
        var testDescription: String { code }
    }

    static let request = H2.hex("8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d")

    /// A literal field without indexing, new name (RFC 7541 §6.2.2), no Huffman.
    static func literal(_ name: String, _ value: String) -> [UInt8] {
        [0x00, UInt8(name.utf8.count)] + Array(name.utf8) + [UInt8(value.utf8.count)] + Array(value.utf8)
    }

    @Test("h2.uppercase_header_name only for a name with an upper-case letter")
    func uppercaseNames() {
        for (name, expected) in [("X-Token", true), ("x-token", false), ("x-tökén", false)] {
            let sink = H2.conversation([
                (
                    .clientToServer,
                    H2.preface + H2.settings()
                        + H2.frame(1, flags: 0x5, stream: 1, Self.request + Self.literal(name, "a"))
                ),
                (.serverToClient, H2.settings()),
            ]).runAllSplittings()
            #expect(sink.findingCodes.contains("h2.uppercase_header_name") == expected, "\(name): \(sink.findingCodes)")
        }
    }

    static let findingCases: [FindingCase] = [
        FindingCase(code: "h2.bad_frame", client: H2.preface + H2.frame(4, [0, 1, 0]), server: H2.settings()),
        FindingCase(
            code: "h2.hpack_failed",
            client: H2.preface + H2.settings()
                + H2.frame(1, flags: 0x5, stream: 1, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), server: H2.settings()),
        FindingCase(
            code: "h2.header_block_unreliable",
            client: H2.preface + H2.settings()
                + H2.frame(1, flags: 0x5, stream: 1, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
                + H2.frame(1, flags: 0x5, stream: 3, request), server: H2.settings()),
        FindingCase(
            code: "h2.continuation_unexpected",
            client: H2.preface + H2.settings() + H2.frame(9, flags: 0x4, stream: 1, request), server: H2.settings()),
        FindingCase(
            code: "h2.header_block_too_large",
            client: H2.preface + H2.settings() + H2.frame(1, stream: 1, request)
                + (0..<70).flatMap { _ in H2.frame(9, stream: 1, [0x40]) } + H2.frame(9, flags: 0x4, stream: 1, []),
            server: H2.settings()),
        FindingCase(
            code: "h2.frame_too_large",
            client: H2.preface + H2.settings() + H2.frame(0, stream: 1, [UInt8](repeating: 0, count: 20_000)),
            server: H2.settings()),
        FindingCase(
            code: "h2.connect_protocol_not_enabled",
            client: H2.preface + H2.settings()
                + H2.frame(
                    1, flags: 0x4, stream: 1,
                    H2.hex("02 07 43 4f 4e 4e 45 43 54") + [0x00, 0x09] + Array(":protocol".utf8) + [0x09]
                        + Array("websocket".utf8)),
            server: H2.settings()),
        FindingCase(
            code: "h2.table_size_overflow",
            client: H2.preface + H2.settings()
                + H2.frame(1, flags: 0x5, stream: 1, H2.tableSizeUpdate(1 << 32) + request), server: H2.settings()),
    ]

    @Test("HPACK table size updates decode in full: 2^32 - 1 is shown as is, past it is an overflow, never a wrap")
    func tableSizeUpdateIntegers() {
        let largest = HTTP2Dissector.tableSizeUpdates(H2.tableSizeUpdate(UInt64(UInt32.max)))
        #expect(largest.sizes == [Int(UInt32.max)] && !largest.overflowed)
        let two = HTTP2Dissector.tableSizeUpdates(H2.tableSizeUpdate(0) + H2.tableSizeUpdate(4096) + Self.request)
        #expect(two.sizes == [0, 4096] && !two.overflowed)
        let over = HTTP2Dissector.tableSizeUpdates(H2.tableSizeUpdate(4096) + H2.tableSizeUpdate(1 << 32))
        #expect(over.sizes == [4096] && over.overflowed)
        // Zero-padded past five continuation bytes: over the bound however small the value.
        let padded = HTTP2Dissector.tableSizeUpdates([0x3f, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00])
        #expect(padded.sizes.isEmpty && padded.overflowed)
        // Cut off by the block's end: dropped, not shown as a partial value.
        let cut = HTTP2Dissector.tableSizeUpdates(Array(H2.tableSizeUpdate(1 << 20).dropLast()))
        #expect(cut.sizes.isEmpty && !cut.overflowed)
    }

    @Test("each HTTP/2 finding, however the bytes are split", arguments: findingCases)
    func findings(_ finding: FindingCase) {
        let sink = H2.conversation([(.clientToServer, finding.client), (.serverToClient, finding.server)])
            .runAllSplittings()
        #expect(sink.findingCodes.contains(finding.code), "\(sink.findingCodes)")
    }

    @Test("h2.preface_missing after an h2c 101, and h2.bad_http2_settings")
    func h2cFindings() {
        var conversation = Conversation([
            (
                .clientToServer,
                "GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: !!\r\n\r\n"
            ),
            (.serverToClient, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"),
            (.clientToServer, "GET /again HTTP/1.1\r\n\r\n"),
        ])
        conversation.registry = .standard
        let sink = conversation.runAllSplittings()
        #expect(sink.findingCodes.contains("h2.bad_http2_settings"))
        #expect(sink.findingCodes.contains("h2.preface_missing"))
    }

    @Test("h2.gap_in_frame: a gap in DATA is skipped, elsewhere decoding stops")
    func gaps() {
        var conversation = H2.conversation([
            (.clientToServer, H2.preface + H2.settings() + H2.frame(1, flags: 0x5, stream: 1, Self.request)),
            (
                .serverToClient,
                H2.settings() + H2.frame(1, flags: 0x4, stream: 1, H2.status200)
                    + Array(H2.frame(0, flags: 0x1, stream: 1, [UInt8](repeating: 1, count: 100)).prefix(30))
            ),
            (.serverToClient, H2.frame(4, flags: 0x1)),
        ])
        conversation.gaps = [2: 79]
        let sink = conversation.runAllSplittings()
        #expect(sink.findingCodes == ["h2.gap_in_frame"])
        #expect(sink.h2Streams.first?.responseBodyBytes == 100)
    }

    // MARK: Corpus (acceptance 1)

    struct TsharkH2Frame: Decodable, Equatable, CustomStringConvertible {
        var dir: String
        var type: Int
        var stream: Int
        var flags: Int
        var len: Int
        var description: String { "\(dir) type=\(type) stream=\(stream) flags=\(flags) len=\(len)" }
    }

    struct TsharkH2File: Decodable {
        struct Connection: Decodable { var h2_frames: [TsharkH2Frame]? }
        var connections: [Connection]
    }

    @Test(
        "corpus HTTP/2 frames equal tshark's h2_frames",
        .enabled(if: TestEnvironment.corpusAvailable, TestEnvironment.corpusMissingMessage),
        arguments: ["h2c-upgrade.pcap", "h2-prior-knowledge-continuation.pcap"])
    func corpusFrames(file: String) throws {
        let path = TestEnvironment.corpusDirectory.appendingPathComponent(file)
        let reference = try JSONDecoder().decode(
            TsharkH2File.self,
            from: Data(contentsOf: path.deletingPathExtension().appendingPathExtension("tshark.json")))
        let sink = try WebSocketDissectorTests.timeline(path.path)
        let ours = sink.h2Frames.map {
            TsharkH2Frame(
                dir: $0.0.shortName, type: Int($0.1.type), stream: Int($0.1.stream), flags: Int($0.1.flags),
                len: $0.1.length)
        }
        #expect(ours == reference.connections.flatMap { $0.h2_frames ?? [] })
    }

    @Test(
        "h2c-upgrade.pcap shows what the corpus README lists",
        .enabled(if: TestEnvironment.corpusAvailable, TestEnvironment.corpusMissingMessage))
    func corpusH2c() throws {
        let sink = try WebSocketDissectorTests.timeline(
            TestEnvironment.corpusDirectory.appendingPathComponent("h2c-upgrade.pcap").path)
        let settings = sink.events.compactMap { event -> (Direction, HTTP2Settings)? in
            if case .h2Settings(let settings) = event.kind, let direction = event.direction {
                (direction, settings)
            } else {
                nil
            }
        }
        let server = try #require(settings.first { $0.0 == .serverToClient && !$0.1.ack })
        #expect(server.1.values.count >= 3 && server.1.values[2].identifier == 1 && server.1.values[2].value == 8192)
        let fromHeader = try #require(settings.first { $0.1.source == "HTTP2-Settings" })
        #expect(
            fromHeader.0 == .clientToServer && fromHeader.1.values[2].identifier == 2
                && fromHeader.1.values[2].value == 0)
        let streams = sink.h2Streams
        #expect(streams.map(\.stream) == [1, 3])
        #expect(streams[0].status == 200 && streams[0].path == "/robots.txt")
        #expect(streams[1].method == "GET" && streams[1].path == "/humans.txt" && streams[1].status == 404)
        let request3 = try #require(sink.h2Blocks.first { $0.0 == .clientToServer && $0.1.stream == 3 })
        #expect(request3.1.tableSizeUpdates == [4096])
        #expect(sink.findingCodes.isEmpty)
    }

    @Test(
        "prior knowledge with CONTINUATION: one request header list of 7 headers",
        .enabled(if: TestEnvironment.corpusAvailable, TestEnvironment.corpusMissingMessage))
    func corpusContinuation() throws {
        let sink = try WebSocketDissectorTests.timeline(
            TestEnvironment.corpusDirectory.appendingPathComponent("h2-prior-knowledge-continuation.pcap").path)
        let requests = sink.h2Blocks.filter { $0.0 == .clientToServer }
        #expect(requests.count == 1)
        let fields = try #require(requests.first?.1.fields)
        #expect(fields.count == 7)
        #expect(
            fields.last
                == HTTPField(
                    name: "namenamenamenamenamenamenamenamenamename", value: String(repeating: "value", count: 20)))
        #expect(requests.first?.1.frames == 3)
        #expect(sink.h2Streams.first?.status == 200 && sink.h2Streams.first?.responseBodyBytes == 13)
        #expect(sink.h2Streams.first?.reset == 0)
    }

    // MARK: Recorded samples (acceptance 2 and 3)

    struct CurlRecord: Decodable {
        var side: String
        var method: String?
        var url: String?
        var http_code: Int?
        var size_download: Int?
        var size_upload: Int?
    }

    @Test(
        "decoded requests, statuses and body sizes equal what curl reported",
        arguments: ["h2c-upgrade-curl", "h2-prior-knowledge-curl"])
    func curlSamples(name: String) throws {
        let directory = TestEnvironment.samplesDirectory.appendingPathComponent("http2")
        let records = try String(contentsOf: directory.appendingPathComponent(name + ".log"), encoding: .utf8)
            .split(separator: "\n").compactMap { try? JSONDecoder().decode(CurlRecord.self, from: Data($0.utf8)) }
            .filter { $0.side == "client" && $0.http_code != nil }
        let sink = try WebSocketDissectorTests.timeline(directory.appendingPathComponent(name + ".pcap").path)
        #expect(sink.findings.isEmpty, "\(sink.findings)")
        let streams = sink.h2Streams
        #expect(streams.count == records.count)
        for (stream, record) in zip(streams, records) {
            #expect(stream.method == record.method)
            #expect(record.url?.hasSuffix(stream.path ?? "-") == true)
            #expect(stream.status == record.http_code)
            #expect(Int(stream.responseBodyBytes) == record.size_download)
            #expect(Int(stream.requestBodyBytes) == record.size_upload)
        }
    }

    @Test("an h2c upgrade the server ignores is a plain 200: declined (HTTP/1.1 kept), an info")
    func ignoredUpgrade() throws {
        let sink = try WebSocketDissectorTests.timeline(
            TestEnvironment.samplesDirectory.appendingPathComponent("http2/h2c-upgrade-ignored.pcap").path)
        #expect(sink.upgrades.isEmpty)
        #expect(sink.findingCodes.allSatisfy { $0 == "upgrade.declined" })
        #expect(sink.findings.allSatisfy { $0.severity == .info && $0.message.contains("kept HTTP/1.1") })
        #expect(!sink.findingCodes.isEmpty)
    }

    @Test("RFC 8441: WebSocket over an extended CONNECT stream decodes down to its messages")
    func rfc8441() throws {
        let sink = try WebSocketDissectorTests.timeline(
            TestEnvironment.samplesDirectory.appendingPathComponent("http2/rfc8441-websocket-over-h2.pcap").path)
        #expect(sink.findings.isEmpty, "\(sink.findings)")
        let stream = try #require(sink.h2Streams.first)
        #expect(stream.method == "CONNECT" && stream.connectProtocol == "websocket" && stream.status == 200)
        let messages = sink.messages
        #expect(messages.count == 6)
        #expect(
            messages.first.map { String(decoding: $0.1.kept, as: UTF8.self) }
                == "RFC 8441 message 1: hello over an HTTP/2 stream")
        let wsEvents = sink.events.filter { if case .wsMessage = $0.kind { true } else { false } }
        #expect(wsEvents.allSatisfy { $0.stream == 1 })
        #expect(sink.closeFrames.map { $0.1.code } == [1000, 1000])
    }
}
