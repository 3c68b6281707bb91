import Testing
@testable import SwitchpointCore

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
            [(.clientToServer, WSFixtures.request(extensions: "permessage-deflate")), (.serverToClient, WSFixtures.response(extensions: "permessage-deflate"))],
            [(.clientToServer, H2.preface + H2.settings()), (.serverToClient, H2.settings())],
            [(.clientToServer, Array("GET / HTTP/1.1\r\nHost: a\r\nUpgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n".utf8)),
             (.serverToClient, Array("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n".utf8))],
            [(.clientToServer, Array("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n".utf8))],
            [(.clientToServer, [0x16, 0x03, 0x01, 0x00, 0x40, 0x01, 0x00, 0x00, 0x3c])],
        ]
        var messages = openings[seed % openings.count]
        for _ in 0..<8 {
            var chunk = Self.noise(&random, Int(random.next() % 300) + 1)
            // Plausible frame headers now and then, so the parsers go deeper than the first byte.
            if random.next() % 3 == 0, chunk.count > 2 { chunk[0] = [0x81, 0x82, 0x01, 0x88, 0x89][Int(random.next() % 5)] }
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
