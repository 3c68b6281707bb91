import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// The first bytes of HTTP bodies the dissectors keep for the HAR export: HTTP/1 (whole,
/// de-chunked, cut at the limit, stopped at a gap) and HTTP/2 DATA per stream and
/// direction; the same bytes however TCP split them.
@Suite("HTTP body keeping")
struct HTTPBodyKeepingTests {
    /// One `http.body` event's facts, comparable across splittings.
    struct Body: Equatable, CustomStringConvertible {
        var direction: Direction
        var length: UInt64
        var kept: String
        var keptAll: Bool
        var description: String { "\(direction.shortName) \(length) \"\(kept)\" \(keptAll)" }
    }

    static func bodies(_ sink: CollectingEventSink) -> [Body] {
        sink.events.compactMap { event in
            guard case .httpBody(let length, _, let kept, let keptAll) = event.kind, let direction = event.direction
            else { return nil }
            return Body(
                direction: direction, length: length, kept: String(decoding: kept, as: UTF8.self), keptAll: keptAll)
        }
    }

    /// Runs every splitting and requires the same kept bodies as the whole run (the JSON
    /// lines the harness compares do not carry the bytes).
    static func bodiesOfAllSplittings(
        _ conversation: Conversation, sourceLocation: SourceLocation = #_sourceLocation
    ) -> [Body] {
        let reference = bodies(conversation.runAllSplittings(sourceLocation: sourceLocation))
        for splitting in Conversation.splittings.dropFirst() {
            #expect(
                bodies(conversation.run(splitting)) == reference, "fed \(splitting)", sourceLocation: sourceLocation)
        }
        return reference
    }

    static func conversation(
        _ messages: [(Direction, String)], preview: Int = HTTPBodyOptions().previewBytes
    ) -> Conversation {
        var conversation = Conversation(messages)
        conversation.registry.bodies.previewBytes = preview
        return conversation
    }

    @Test("request and response bodies: Content-Length, chunked (de-chunked), until close")
    func wholeBodies() {
        let bodies = Self.bodiesOfAllSplittings(
            Self.conversation([
                (.clientToServer, "POST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 7\r\n\r\nx=1&y=2"),
                (
                    .serverToClient,
                    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: yes\r\n\r\n"
                ),
                (.clientToServer, "GET /close HTTP/1.1\r\nHost: a\r\n\r\n"),
                (.serverToClient, "HTTP/1.0 200 OK\r\n\r\nuntil the end"),
            ]))
        #expect(
            bodies == [
                Body(direction: .clientToServer, length: 7, kept: "x=1&y=2", keptAll: true),
                Body(direction: .serverToClient, length: 11, kept: "hello world", keptAll: true),
                Body(direction: .serverToClient, length: 13, kept: "until the end", keptAll: true),
            ])
    }

    @Test("the refusal of an upgrade keeps its body (the evidence), and a body past the limit keeps its start")
    func refusalAndLimit() {
        let refusal = "{\"error\":\"upgrade refused: origin not allowed\"}"
        let bodies = Self.bodiesOfAllSplittings(
            Self.conversation(
                [
                    (.clientToServer, HTTP1SwitchTests.wsRequest()),
                    (
                        .serverToClient,
                        "HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: \(refusal.utf8.count)\r\n\r\n"
                            + refusal
                    ),
                    (.clientToServer, "GET /big HTTP/1.1\r\nHost: a\r\n\r\n"),
                    (
                        .serverToClient,
                        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\n10\r\nghijklmnopqrstuv\r\n0\r\n\r\n"
                    ),
                ], preview: 20))
        #expect(
            bodies == [
                Body(
                    direction: .serverToClient, length: UInt64(refusal.utf8.count), kept: String(refusal.prefix(20)),
                    keptAll: false),
                Body(direction: .serverToClient, length: 32, kept: "0123456789abcdefghij", keptAll: false),
            ])
    }

    @Test("--payload full keeps up to its own cap")
    func fullPayload() {
        var conversation = Self.conversation(
            [
                (.clientToServer, "GET / HTTP/1.1\r\n\r\n"),
                (.serverToClient, "HTTP/1.1 200 OK\r\nContent-Length: 26\r\n\r\nabcdefghijklmnopqrstuvwxyz"),
            ], preview: 4)
        conversation.registry.bodies.keepFull = true
        conversation.registry.bodies.maxFullBytes = 10
        #expect(
            Self.bodiesOfAllSplittings(conversation) == [
                Body(direction: .serverToClient, length: 26, kept: "abcdefghij", keptAll: false)
            ])
        conversation.registry.bodies.maxFullBytes = 26
        #expect(
            Self.bodiesOfAllSplittings(conversation) == [
                Body(direction: .serverToClient, length: 26, kept: "abcdefghijklmnopqrstuvwxyz", keptAll: true)
            ])
    }

    @Test("a gap ends the kept prefix: nothing after missing bytes is kept as if it followed")
    func gap() {
        var conversation = Self.conversation([
            (.clientToServer, "GET / HTTP/1.1\r\n\r\n"),
            (.serverToClient, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"),
            (.serverToClient, "hij"),
        ])
        conversation.gaps = [2: 4]
        #expect(
            Self.bodiesOfAllSplittings(conversation) == [
                Body(direction: .serverToClient, length: 10, kept: "abc", keptAll: false)
            ])
    }

    @Test("HTTP/2: the first DATA bytes of each direction on the stream summary, padding stripped, cut at the limit")
    func http2() throws {
        let request = H2.hex("8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d")
        let client =
            H2.preface + H2.settings()
            + H2.frame(1, flags: 0x4, stream: 1, request)
            + H2.frame(0, flags: 0x8, stream: 1, [2] + Array("po".utf8) + [0, 0])
            + H2.frame(0, flags: 0x1, stream: 1, Array("st".utf8))
            + H2.frame(1, flags: 0x5, stream: 3, request)
        let server =
            H2.settings() + H2.frame(4, flags: 0x1)
            + H2.frame(1, flags: 0x4, stream: 3, H2.status404)
            + H2.frame(0, flags: 0x1, stream: 3, Array("not here".utf8))
            + H2.frame(1, flags: 0x4, stream: 1, H2.status200) + H2.frame(0, stream: 1, Array("hello".utf8))
            + H2.frame(0, flags: 0x1, stream: 1, Array(" world, and more".utf8))
        var conversation = H2.conversation([(.clientToServer, client), (.serverToClient, server)])
        conversation.registry = .standard(
            webSocket: WebSocketOptions(),
            bodies: {
                var options = HTTPBodyOptions()
                options.previewBytes = 11
                return options
            }())
        let reference = conversation.runAllSplittings().h2Streams
        for splitting in Conversation.splittings.dropFirst() {
            #expect(conversation.run(splitting).h2Streams == reference, "fed \(splitting)")
        }
        let streams = Dictionary(uniqueKeysWithValues: reference.map { ($0.stream, $0) })
        let one = try #require(streams[1])
        #expect(String(decoding: one.requestBody, as: UTF8.self) == "post")
        #expect(one.requestBodyBytes == 4)
        #expect(String(decoding: one.responseBody, as: UTF8.self) == "hello world")
        #expect(one.responseBodyBytes == 21)
        let three = try #require(streams[3])
        #expect(three.requestBody.isEmpty)
        #expect(String(decoding: three.responseBody, as: UTF8.self) == "not here")
    }

    @Test("HTTP/2: a gap in DATA ends the kept prefix")
    func http2Gap() throws {
        var conversation = H2.conversation([
            (
                .clientToServer,
                H2.preface + H2.settings()
                    + H2.frame(1, flags: 0x5, stream: 1, H2.hex("8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d"))
            ),
            (
                .serverToClient,
                H2.settings() + H2.frame(1, flags: 0x4, stream: 1, H2.status200)
                    + Array(H2.frame(0, flags: 0x1, stream: 1, [UInt8](repeating: 0x61, count: 100)).prefix(30))
            ),
            (.serverToClient, [UInt8](repeating: 0x62, count: 20) + H2.frame(4, flags: 0x1)),
        ])
        conversation.gaps = [2: 59]
        let stream = try #require(conversation.runAllSplittings().h2Streams.first)
        #expect(stream.responseBodyBytes == 100)
        #expect(stream.responseBody == [UInt8](repeating: 0x61, count: 21))
    }
}
