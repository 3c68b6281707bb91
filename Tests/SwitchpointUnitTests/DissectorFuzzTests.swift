import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Random bytes after valid openings, through every dissector, in random splits and with
/// gaps: nothing from the wire may trap.
@Suite("Dissectors on random input")
struct DissectorFuzzTests {
    static func noise(_ random: inout SplitRandom, _ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
    }

    @Test("WebSocket, HTTP/2, HTTP/1, TLS and raw views survive random bytes", arguments: Array(1...60))
    func randomStreams(seed: Int) {
        var random = SplitRandom(seed: UInt64(seed))
        let openings: [[(Direction, [UInt8])]] = [
            [
                (.clientToServer, WSFixtures.request(extensions: "permessage-deflate")),
                (.serverToClient, WSFixtures.response(extensions: "permessage-deflate")),
            ],
            [(.clientToServer, H2.preface + H2.settings()), (.serverToClient, H2.settings())],
            [
                (
                    .clientToServer,
                    Array(
                        "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n"
                            .utf8)
                ),
                (
                    .serverToClient,
                    Array("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n".utf8)
                ),
            ],
            [(.clientToServer, Array("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n".utf8))],
            [(.clientToServer, [0x16, 0x03, 0x01, 0x00, 0x40, 0x01, 0x00, 0x00, 0x3c])],
        ]
        var messages = openings[seed % openings.count]
        for _ in 0..<8 {
            var chunk = Self.noise(&random, Int(random.next() % 300) + 1)
            // Plausible frame headers now and then, so the parsers go deeper than the first byte.
            if random.next() % 3 == 0, chunk.count > 2 {
                chunk[0] = [0x81, 0x82, 0x01, 0x88, 0x89][Int(random.next() % 5)]
            }
            messages.append((random.next() % 2 == 0 ? .clientToServer : .serverToClient, chunk))
        }
        var conversation = Conversation(bytes: messages)
        conversation.registry = .standard
        if seed % 4 == 0 { conversation.gaps = [messages.count - 3: UInt64(random.next() % 500 + 1)] }
        for splitting in [Conversation.Splitting.whole, .byteByByte, .random(seed: UInt64(seed))] {
            let sink = conversation.run(splitting)
            #expect(!sink.events.isEmpty)
        }
    }
}

/// Regressions from a review of what packets can do to the analyzer.
@Suite("Hostile input regressions")
struct HostileInputTests {
    @Test("an empty extension parameter does not trap")
    func emptyExtensionParameter() {
        #expect(
            WebSocketCompression.negotiated(
                HTTPHeaders([HTTPField(name: "Sec-WebSocket-Extensions", value: "permessage-deflate;=; ;x")])) != nil)
    }

    @Test("timestamps far apart (pcapng allows any tv_sec) do not overflow")
    func farTimestamps() {
        var script = SegmentScript()
        script.send(.client, seq: 1, flags: .syn, at: Int64.max - 10)
        script.send(
            .client, seq: 100, flags: .syn, at: Int64.min + 10, from: Endpoint(address: IPAddress("10.0.0.9")!, port: 1)
        )
        script.finish()
        #expect(script.signals.count >= 4)
        #expect(Timestamp(nanoseconds: .min).milliseconds(since: Timestamp(nanoseconds: .max)).isFinite)
    }

    @Test("text output escapes wire text in the summary, HTTP/2 methods and audit lines")
    func escapedEverywhere() throws {
        let hostile = "\u{1b}]0;PWNED\u{7}"
        var conversation = Conversation([
            (.clientToServer, "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n"),
            (.serverToClient, "HTTP/1.1 101 \(hostile)\r\nUpgrade: \(hostile)\r\nConnection: Upgrade\r\n\r\n"),
        ])
        conversation.registry = .standard
        let events = conversation.run(.whole).events
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let outputURL = directory.appendingPathComponent("out.txt")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        let handle = try FileHandle(forWritingTo: outputURL)
        let writer = LineWriter(descriptor: handle.fileDescriptor, flushEachLine: true)
        let printer = TextTimelinePrinter(writer: writer, options: TextTimelinePrinter.Options())
        for event in events { printer.receive(event) }
        printer.finish(statistics: DecodeStatistics(), problems: [])
        AuditReportPrinter(writer: writer).text(ProxyAuditor().audit(files: [events, events]), problems: [])
        try handle.close()
        let output = try Data(contentsOf: outputURL)
        #expect(!output.contains(0x1b) && !output.contains(0x07))
        #expect(String(decoding: output, as: UTF8.self).contains("\\x1b]0;"))
    }

    @Test("a huge SETTINGS_HEADER_TABLE_SIZE is capped")
    func hugeHeaderTable() {
        let sink = H2.conversation([
            (.clientToServer, H2.preface + H2.settings()),
            (.serverToClient, H2.settings([(1, 0xffff_ffff)])),
            (
                .clientToServer,
                H2.frame(1, flags: 0x5, stream: 1, H2.hex("8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d"))
            ),
        ]).run(.whole)
        #expect(sink.h2Blocks.first?.1.fields.count == 4)
    }

    @Test("endless trailers, pipelined requests and close frames stay bounded")
    func boundedGrowth() {
        var limits = HTTP1Limits()
        limits.maxHeaderBytes = 1000
        limits.maxPendingRequests = 10
        var trailers = Conversation([
            (
                .clientToServer,
                "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n" + String(repeating: "a: b\r\n", count: 500)
            )
        ])
        trailers.limits = limits
        #expect(trailers.run(.whole).findingCodes.contains("http.headers_too_large"))
        var pipeline = Conversation([
            (.clientToServer, String(repeating: "GET / HTTP/1.1\r\nHost: a\r\n\r\n", count: 50))
        ])
        pipeline.limits = limits
        #expect(pipeline.run(.whole).findingCodes.contains("http.pipeline_limit"))
        let closes = WSFixtures.conversation(
            [(.serverToClient, Array(repeating: WSFixtures.close(nil), count: 200).flatMap { $0 })],
            closeProperly: false
        ).run(.whole)
        #expect(closes.closeFrames.count == 200)
        let story = closes.events.compactMap { if case .wsClosing(let closing) = $0.kind { closing } else { nil } }
        #expect(story.count == 1)
    }
}
