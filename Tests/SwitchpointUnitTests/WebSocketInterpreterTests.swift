import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Conversations for the WebSocket message interpreters: a handshake naming a subprotocol
/// (or none), then messages, fragmented or deflated on request.
enum InterpreterFixtures {
    static let noContextTakeover = "permessage-deflate; server_no_context_takeover; client_no_context_takeover"

    static func handshake(
        subprotocol: String?, target: String = "/rpc", extensions: String? = nil
    ) -> [(
        Direction, [UInt8]
    )] {
        var request =
            "GET \(target) HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: \(HTTP1SwitchTests.key)\r\nSec-WebSocket-Version: 13\r\n"
        var response =
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: \(HTTP1SwitchTests.accept)\r\n"
        if let subprotocol {
            request += "Sec-WebSocket-Protocol: \(subprotocol)\r\n"
            response += "Sec-WebSocket-Protocol: \(subprotocol)\r\n"
        }
        if let extensions {
            request += "Sec-WebSocket-Extensions: \(extensions)\r\n"
            response += "Sec-WebSocket-Extensions: \(extensions)\r\n"
        }
        return [(.clientToServer, Array((request + "\r\n").utf8)), (.serverToClient, Array((response + "\r\n").utf8))]
    }

    /// One text message as frames: `fragments` pieces, compressed when `deflate`.
    static func message(_ text: String, from direction: Direction, fragments: Int = 1, deflate: Bool = false) -> [UInt8]
    {
        let client = direction == .clientToServer
        var payload = Array(text.utf8)
        if deflate, let compressed = try? Deflater.compress(payload) { payload = compressed }
        let count = max(1, min(fragments, payload.count))
        let size = (payload.count + count - 1) / max(1, count)
        var frames: [UInt8] = []
        var index = 0
        var first = true
        repeat {
            let end = min(payload.count, index + max(1, size))
            let piece = Array(payload[index..<end])
            index = end
            frames += WSFixtures.frame(
                first ? 1 : 0, piece, fin: index >= payload.count, rsv: first && deflate ? 4 : 0,
                mask: client ? WSFixtures.key : nil)
            first = false
        } while index < payload.count
        return frames
    }

    static func conversation(
        subprotocol: String?, target: String = "/rpc", _ messages: [(Direction, String)], fragments: Int = 1,
        deflate: Bool = false
    ) -> Conversation {
        var all = handshake(
            subprotocol: subprotocol, target: target, extensions: deflate ? noContextTakeover : nil)
        all += messages.map { ($0.0, message($0.1, from: $0.0, fragments: fragments, deflate: deflate)) }
        all += [(.clientToServer, WSFixtures.close(1000, client: true)), (.serverToClient, WSFixtures.close(1000))]
        var conversation = Conversation(bytes: all)
        conversation.registry = DissectorRegistry.standard(webSocket: WebSocketOptions())
        return conversation
    }
}

extension CollectingEventSink {
    var applicationEvents: [ApplicationEvent] {
        events.compactMap { if case .app(let event) = $0.kind { event } else { nil } }
    }
}

@Suite("WebSocket message interpreters: JSON-RPC 2.0")
struct JSONRPCInterpreterTests {
    typealias F = InterpreterFixtures

    static let exchange: [(Direction, String)] = [
        (.clientToServer, #"{"jsonrpc":"2.0","method":"subtract","params":[42,23],"id":1}"#),
        (.serverToClient, #"{"jsonrpc":"2.0","result":19,"id":1}"#),
        (.clientToServer, #"{"jsonrpc":"2.0","method":"update","params":[1,2,3]}"#),
        (
            .clientToServer,
            #"[{"jsonrpc":"2.0","method":"sum","params":[1,2,4],"id":"1"},{"jsonrpc":"2.0","method":"notify_hello","params":[7]},{"jsonrpc":"2.0","method":"get_data","id":"9"}]"#
        ),
        (
            .serverToClient,
            #"[{"jsonrpc":"2.0","result":7,"id":"1"},{"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found"},"id":"9"}]"#
        ),
        (.serverToClient, #"{"jsonrpc":"2.0","result":1,"id":77}"#),
        (.clientToServer, #"{"jsonrpc":"2.0","method":"never","id":2}"#),
    ]

    static func check(_ sink: CollectingEventSink) {
        let events = sink.applicationEvents
        #expect(
            events.map(\.operation) == [
                "request", "response", "notification", "request", "notification", "request", "response", "error",
                "response", "request",
            ])
        #expect(
            events.map(\.summary) == [
                "subtract", "subtract", "update", "sum", "notify_hello", "get_data", "sum", "get_data", "", "never",
            ])
        #expect(events.map(\.id) == ["1", "1", nil, "1", nil, "9", "1", "9", "77", "2"])
        #expect(events.allSatisfy { $0.protocolName == "jsonrpc" })
        #expect(events[1].answers?.requestOperation == "request")
        #expect(events[1].answers?.requestPacket == 4)
        #expect(events[7].fields.contains(ApplicationField("code", .integer(-32601))))
        #expect(events[7].fields.contains(ApplicationField("message", .text("Method not found"))))
        #expect(events[3].fields.first == ApplicationField("batch", .integer(3)))
        #expect(events[8].answers == nil)
        #expect(sink.findingCodes == ["jsonrpc.response_without_request", "jsonrpc.request_unanswered"])
        // Every message was interpreted: the text timeline shows the app lines instead.
        #expect(sink.messages.allSatisfy { $0.1.interpreted })
    }

    @Test("requests, notifications, a batch, an error: paired by id however the bytes were split")
    func bySubprotocol() {
        Self.check(F.conversation(subprotocol: "jsonrpc", Self.exchange).runAllSplittings())
    }

    @Test("chosen by content when the handshake names no subprotocol")
    func byContent() {
        Self.check(F.conversation(subprotocol: nil, Self.exchange).runAllSplittings())
    }

    @Test("fragmented and deflated messages give the same events")
    func fragmentedAndDeflated() {
        Self.check(F.conversation(subprotocol: "mcp", Self.exchange, fragments: 3).runAllSplittings())
        Self.check(F.conversation(subprotocol: "jsonrpc", Self.exchange, deflate: true).runAllSplittings())
        Self.check(F.conversation(subprotocol: nil, Self.exchange, fragments: 4, deflate: true).runAllSplittings())
    }

    @Test("a WebSocket whose first message is not JSON-RPC gets no interpreter")
    func notByContent() {
        let sink = F.conversation(
            subprotocol: nil, [(.clientToServer, "hello"), (.serverToClient, #"{"jsonrpc":"2.0","result":1,"id":1}"#)]
        ).runAllSplittings()
        #expect(sink.applicationEvents.isEmpty)
        #expect(!sink.messages.contains { $0.1.interpreted })
    }

    @Test("a message that is not JSON-RPC on a JSON-RPC WebSocket: one finding, messages still shown")
    func malformed() {
        let sink = F.conversation(
            subprotocol: "jsonrpc", [(.clientToServer, "not json"), (.clientToServer, "{}"), (.clientToServer, "[]")]
        ).runAllSplittings()
        #expect(sink.findingCodes == ["jsonrpc.malformed"])
        #expect(!sink.messages.contains { $0.1.interpreted })
    }
}

@Suite("WebSocket message interpreters: GraphQL over WebSocket")
struct GraphQLInterpreterTests {
    typealias F = InterpreterFixtures

    static let transport: [(Direction, String)] = [
        (.clientToServer, #"{"type":"connection_init","payload":{"Authorization":"Bearer s3cret"}}"#),
        (.serverToClient, #"{"type":"connection_ack"}"#),
        (
            .clientToServer,
            #"{"id":"1","type":"subscribe","payload":{"query":"subscription Count { count(target: 3) }"}}"#
        ),
        (.serverToClient, #"{"id":"1","type":"next","payload":{"data":{"count":0}}}"#),
        (.serverToClient, #"{"id":"1","type":"next","payload":{"data":{"count":1}}}"#),
        (
            .clientToServer,
            #"{"id":"2","type":"subscribe","payload":{"query":"{ hello }","operationName":null}}"#
        ),
        (.serverToClient, #"{"id":"2","type":"next","payload":{"data":{"hello":"world"}}}"#),
        (.serverToClient, #"{"id":"2","type":"complete"}"#),
        (.serverToClient, #"{"id":"1","type":"next","payload":{"data":{"count":2}}}"#),
        (.serverToClient, #"{"id":"1","type":"complete"}"#),
        (
            .clientToServer,
            #"{"id":"3","type":"subscribe","payload":{"query":"query Broken { nope }","operationName":"Broken"}}"#
        ),
        (.serverToClient, #"{"id":"3","type":"error","payload":[{"message":"Cannot query field 'nope'"}]}"#),
        (.clientToServer, #"{"type":"ping"}"#),
        (.serverToClient, #"{"type":"pong"}"#),
        (.clientToServer, #"{"id":"4","type":"subscribe","payload":{"query":"subscription Forever { tick }"}}"#),
        (.clientToServer, #"{"id":"4","type":"subscribe","payload":{"query":"subscription Again { tick }"}}"#),
    ]

    static func checkTransport(_ sink: CollectingEventSink) {
        let events = sink.applicationEvents
        #expect(events.allSatisfy { $0.protocolName == "graphql-transport-ws" })
        #expect(
            events.map(\.operation) == [
                "connection_init", "connection_ack", "subscribe", "next", "next", "subscribe", "next", "complete",
                "next",
                "complete", "subscribe", "error", "ping", "pong", "subscribe", "subscribe",
            ])
        #expect(events[2].summary == "Count" && events[2].fields == [ApplicationField("type", .text("subscription"))])
        #expect(events[5].fields == [ApplicationField("type", .text("query"))])
        #expect(events[3].answers?.requestOperation == "subscribe" && events[4].answers == nil)
        #expect(events[8].fields.first == ApplicationField("result", .integer(3)))
        #expect(events[9].fields == [ApplicationField("results", .integer(3))] && events[9].answers != nil)
        #expect(events[11].summary == "Broken" && events[11].answers != nil)
        #expect(
            sink.findingCodes == [
                "graphql.error_result", "graphql.id_reused", "graphql.subscription_open_at_close",
            ])
    }

    @Test("graphql-transport-ws: init, ack, a subscription with results, a query, an error, ping/pong")
    func transportWS() {
        Self.checkTransport(F.conversation(subprotocol: "graphql-transport-ws", Self.transport).runAllSplittings())
    }

    @Test("graphql-transport-ws by content, fragmented and deflated")
    func transportByContent() {
        Self.checkTransport(F.conversation(subprotocol: nil, Self.transport, fragments: 3).runAllSplittings())
        Self.checkTransport(
            F.conversation(subprotocol: "graphql-transport-ws", Self.transport, fragments: 2, deflate: true)
                .runAllSplittings())
    }

    static let legacy: [(Direction, String)] = [
        (.clientToServer, #"{"type":"connection_init","payload":{}}"#),
        (.serverToClient, #"{"type":"connection_ack"}"#),
        (.serverToClient, #"{"type":"ka"}"#),
        (.clientToServer, #"{"id":"1","type":"start","payload":{"query":"subscription { count }"}}"#),
        (.serverToClient, #"{"id":"1","type":"data","payload":{"data":{"count":0}}}"#),
        (.serverToClient, #"{"id":"1","type":"data","payload":{"data":null,"errors":[{"message":"boom"}]}}"#),
        (.clientToServer, #"{"id":"1","type":"stop"}"#),
        (.clientToServer, #"{"type":"connection_terminate"}"#),
    ]

    @Test("legacy graphql-ws: start, data, stop, ka; by subprotocol and by content")
    func legacyWS() {
        for subprotocol in ["graphql-ws", nil] {
            let sink = F.conversation(subprotocol: subprotocol, Self.legacy).runAllSplittings()
            let events = sink.applicationEvents
            #expect(
                events.map(\.operation) == [
                    "connection_init", "connection_ack", "ka", "start", "data", "data", "stop", "connection_terminate",
                ])
            #expect(events[3].fields == [ApplicationField("type", .text("subscription"))])
            #expect(events[4].answers?.requestOperation == "start")
            #expect(events[5].fields.contains(ApplicationField("errors", .flag(true))))
            #expect(events[6].fields == [ApplicationField("results", .integer(2))])
            #expect(sink.findingCodes == ["graphql.error_result"])
            // Chosen by content, the connection is named legacy once a legacy type shows.
            #expect(events.last?.protocolName == "graphql-ws")
        }
    }

    @Test("an operation before the ack")
    func beforeAck() {
        let sink = F.conversation(
            subprotocol: "graphql-transport-ws",
            [(.clientToServer, #"{"id":"1","type":"subscribe","payload":{"query":"{ a }"}}"#)]
        ).runAllSplittings()
        #expect(sink.findingCodes == ["graphql.operation_before_ack"])
    }

    @Test("operation types from the document")
    func documents() {
        #expect(GraphQLDocument("query Q { a }").type == .query)
        #expect(GraphQLDocument("query Q { a }").name == "Q")
        #expect(GraphQLDocument("# c\n mutation M($x: Int) { a }").name == "M")
        #expect(GraphQLDocument("fragment F on T { a } subscription S { b }").type == .subscription)
        #expect(GraphQLDocument("fragment F on T { a } subscription S { b }").name == "S")
        #expect(GraphQLDocument(#"{ a(s: "query") }"#).type == .query)
        #expect(GraphQLDocument("subscription { a }").name == nil)
        #expect(GraphQLDocument("").type == nil)
    }
}

@Suite("WebSocket message interpreters: robustness")
struct InterpreterRobustnessTests {
    @Test("10,000 random text and binary messages: no content verdict, no crash")
    func randomMessages() {
        var random = SplitRandom(seed: 2026)
        let factories = DissectorRegistry.builtInInterpreters
        var interpreters = factories.map { $0.makeInterpreter() }
        var events = EventBuffer(connection: 1)
        for round in 0..<10_000 {
            let length = Int(random.next() % 300)
            var bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            let text = round % 2 == 0
            if text {
                // Printable ASCII, JSON punctuation weighted in, so the scanner is exercised.
                let alphabet = Array(#"{}[]":,0123456789 "type"jsonrpc2.0idmethodresult\abcxyz"#.utf8)
                bytes = bytes.map { alphabet[Int($0) % alphabet.count] }
            }
            bytes.withUnsafeBytes { payload in
                let message = InterpretedMessage(
                    direction: round % 3 == 0 ? .serverToClient : .clientToServer, opcode: text ? .text : .binary,
                    payload: payload, length: UInt64(payload.count), truncated: round % 7 == 0, offset: 0,
                    capture: CaptureInfo(packetNumber: UInt64(round), timestamp: .zero), firstPacket: UInt64(round))
                for factory in factories {
                    let taken = factory.recognizes(firstMessage: message)
                    #expect(!taken, "\(factory.name) took \(bytes)")
                }
                for index in interpreters.indices { interpreters[index].receive(message, events: &events) }
            }
            events.removeAll()
        }
        for index in interpreters.indices {
            interpreters[index].finish(capture: CaptureInfo(packetNumber: 0, timestamp: .zero), events: &events)
        }
    }

    @Test("the JSON scanner on nesting, escapes and cut input")
    func scanner() {
        func top(_ text: String) -> JSONScanner.Kind? {
            Array(text.utf8).withUnsafeBytes { JSONScanner($0).topLevel()?.kind }
        }
        #expect(top(#"{"a":[1,{"b":"}"}],"c":-1.5e3}"#) == .object)
        #expect(top(String(repeating: "[", count: 100) + String(repeating: "]", count: 100)) == nil)
        #expect(top(#"{"a":"unterminated}"#) == nil)
        #expect(top(#"{"a":1"#) == nil)
        #expect(top("[1,2,]") == .array)  // brackets matched; elements(of:) refuses it
        #expect(top("tru") == nil)
        let text = Array(#"{"k\"ey":"caf\u00e9 \ud83d\ude00 \ud800","n":12345678901234567890}"#.utf8)
        text.withUnsafeBytes { bytes in
            let scanner = JSONScanner(bytes)
            guard let top = scanner.topLevel(), let members = scanner.members(of: top) else {
                Issue.record("not read")
                return
            }
            #expect(members.map(\.key) == ["k\"ey", "n"])
            #expect(scanner.string(members[0].value) == "café 😀 \u{FFFD}")
            #expect(scanner.integer(members[1].value) == nil)
        }
        Array("[1,2,]".utf8).withUnsafeBytes { bytes in
            let scanner = JSONScanner(bytes)
            #expect(scanner.topLevel().flatMap { scanner.elements(of: $0) } == nil)
        }
    }

    @Test("--redact replaces credentials in app fields, content fields whole")
    func redaction() {
        var secrets: [String] = []
        let event = ApplicationEvent(
            protocolName: "graphql-transport-ws", operation: "connection_init",
            fields: [
                ApplicationField("payload", .text(#"{"Authorization":"Bearer abc","x":"y"}"#)),
                ApplicationField("token", .text("t0k")),
            ])
        let redacted = Redaction.application(event, secrets: &secrets)
        #expect(
            redacted?.fields == [
                ApplicationField("payload", .text("‹redacted len=38›")),
                ApplicationField("token", .text("‹redacted len=3›")),
            ])
        #expect(secrets == ["t0k"])
        let summary = ApplicationEvent(
            protocolName: "jsonrpc", operation: "call", summary: #"login {"password":"hunter2"}"#)
        #expect(Redaction.application(summary, secrets: &secrets)?.summary == #"login {"password":"‹redacted len=7›"}"#)
    }

    @Test("--decode-ws-as and --protocol resolve interpreter names through the registry")
    func names() throws {
        let set = DissectorRegistry.standard.interpreters
        #expect(set.names == ["jsonrpc", "graphql-transport-ws", "graphql-ws", "socket.io", "mqtt", "stomp", "k8s"])
        let overrides = try set.overrides(parsing: ["jsonrpc=8080", "graphql-ws"])
        #expect(overrides.byPort[8080]?.name == "jsonrpc")
        #expect(overrides.everywhere?.name == "graphql-ws")
        #expect(throws: WebSocketInterpreterNameError.self) { try set.overrides(parsing: ["mqtt5"]) }
        #expect(throws: WebSocketInterpreterNameError.self) { try set.overrides(parsing: ["jsonrpc=0"]) }
        var selection = TimelineSelection()
        let selected = selection.selectProtocol(named: "JSONRPC", interpreters: set)
        #expect(selected)
        #expect(selection.protocolName == .selectedApplication && selection.applicationProtocol == "jsonrpc")
        let unknown = selection.selectProtocol(named: "nope", interpreters: set)
        #expect(!unknown)
    }

    @Test("--decode-ws-as none: plain messages whatever the subprotocol or target would choose")
    func plainMessages() throws {
        var set = DissectorRegistry.standard.interpreters
        set.overrides = try set.overrides(parsing: ["none"])
        guard case .none = set.choice(subprotocol: "mqtt", target: "/socket.io/?EIO=4&transport=websocket") else {
            Issue.record("an interpreter was chosen despite --decode-ws-as none")
            return
        }
        var byPort = DissectorRegistry.standard.interpreters
        byPort.forced = try byPort.overrides(parsing: ["none=8080"]).byPort[8080]
        guard case .none = byPort.choice(subprotocol: "mqtt", target: nil) else {
            Issue.record("an interpreter was chosen despite --decode-ws-as none=8080")
            return
        }
        guard case .chosen = DissectorRegistry.standard.interpreters.choice(subprotocol: "mqtt", target: nil) else {
            Issue.record("mqtt is not chosen without the override")
            return
        }
    }

    @Test("--decode-ws-as overrides the subprotocol's choice")
    func decodeWebSocketAs() throws {
        var conversation = InterpreterFixtures.conversation(
            subprotocol: "graphql-transport-ws", JSONRPCInterpreterTests.exchange)
        conversation.registry.interpreters.overrides = try conversation.registry.interpreters.overrides(
            parsing: ["jsonrpc=80"])
        JSONRPCInterpreterTests.check(conversation.runAllSplittings())
    }
}

@Suite("Pending requests table")
struct PendingRequestsTests {
    @Test("bounded: the oldest still waiting makes room; answered ones are skipped; order kept")
    func bounded() {
        var table = PendingRequests<Int, String>(limit: 3)
        #expect(table.insert("a", for: 1) == nil)
        #expect(table.insert("b", for: 2) == nil)
        #expect(table.insert("c", for: 3) == nil)
        #expect(table.remove(1) == "a")
        #expect(table.insert("d", for: 4) == nil)
        #expect(table.insert("e", for: 5) == "b")
        for key in 6..<100 { _ = table.insert("x\(key)", for: key) }
        #expect(table.count == 3)
        #expect(table.removeAll() == ["x97", "x98", "x99"])
        for key in 0..<1000 {
            _ = table.insert("y", for: key)
            _ = table.remove(key)
        }
        #expect(table.isEmpty)
    }
}
