import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Socket.IO, MQTT and STOMP through the whole analyzer (issue 25, acceptance 3): chosen by
/// target or subprotocol, fed whole, byte by byte and in random splits, with messages
/// fragmented over frames and compressed (permessage-deflate); the application events must
/// not depend on any of it.
@Suite("Interpreters inside the analyzer")
struct InterpreterEndToEndTests {
    static func handshake(target: String, subprotocol: String?, deflate: Bool) -> [(Direction, [UInt8])] {
        var request =
            "GET \(target) HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: \(HTTP1SwitchTests.key)\r\nSec-WebSocket-Version: 13\r\n"
        var response =
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: \(HTTP1SwitchTests.accept)\r\n"
        if let subprotocol {
            request += "Sec-WebSocket-Protocol: \(subprotocol)\r\n"
            response += "Sec-WebSocket-Protocol: \(subprotocol)\r\n"
        }
        if deflate {
            request += "Sec-WebSocket-Extensions: permessage-deflate\r\n"
            response += "Sec-WebSocket-Extensions: permessage-deflate\r\n"
        }
        return [(.clientToServer, Array((request + "\r\n").utf8)), (.serverToClient, Array((response + "\r\n").utf8))]
    }

    /// One message as frames: every third message cut in two frames, compressed when asked.
    static func frames(
        _ payload: [UInt8], opcode: UInt8, direction: Direction, index: Int, deflate: Bool
    ) throws -> [UInt8] {
        let mask = direction == .clientToServer ? WSFixtures.key : nil
        let body = deflate ? try Deflater.compress(payload) : payload
        let rsv: UInt8 = deflate ? 4 : 0
        guard index % 3 == 2, body.count >= 2 else {
            return WSFixtures.frame(opcode, body, rsv: rsv, mask: mask)
        }
        let half = body.count / 2
        return WSFixtures.frame(opcode, Array(body[..<half]), fin: false, rsv: rsv, mask: mask)
            + WSFixtures.frame(0, Array(body[half...]), mask: mask)
    }

    static func conversation(
        target: String, subprotocol: String?, deflate: Bool, _ messages: [(Direction, UInt8, [UInt8])]
    ) throws -> Conversation {
        var sends = handshake(target: target, subprotocol: subprotocol, deflate: deflate)
        for (index, (direction, opcode, payload)) in messages.enumerated() {
            sends.append(
                (direction, try frames(payload, opcode: opcode, direction: direction, index: index, deflate: deflate)))
        }
        sends += [(.clientToServer, WSFixtures.close(1000, client: true)), (.serverToClient, WSFixtures.close(1000))]
        var conversation = Conversation(bytes: sends)
        conversation.registry = DissectorRegistry.standard(webSocket: WebSocketOptions())
        return conversation
    }

    static func applicationLines(_ sink: CollectingEventSink) -> [String] {
        sink.events.compactMap { event in
            switch event.kind {
            case .app(let app):
                var parts = [app.protocolName, app.operation]
                if let id = app.id { parts.append("#\(id)") }
                if !app.summary.isEmpty { parts.append(app.summary) }
                if let answers = app.answers { parts.append("<- \(answers.requestOperation)") }
                return parts.joined(separator: " ")
            case .finding(let finding)
            where finding.code.family == .socketIO || finding.code.family == .mqtt
                || finding.code.family == .stomp:
                return "! \(finding.code.rawValue)"
            default: return nil
            }
        }
    }

    static func text(_ direction: Direction, _ text: String) -> (Direction, UInt8, [UInt8]) {
        (direction, 1, Array(text.utf8))
    }

    @Test("Socket.IO chosen by its target", arguments: [false, true])
    func socketIO(deflate: Bool) throws {
        let conversation = try Self.conversation(
            target: "/socket.io/?EIO=4&transport=websocket", subprotocol: nil, deflate: deflate,
            [
                Self.text(.serverToClient, SocketIOInterpreterTests.open), Self.text(.clientToServer, "40"),
                Self.text(.serverToClient, #"40{"sid":"n1"}"#),
                Self.text(.clientToServer, #"421["chat",{"msg":"hi"}]"#),
                Self.text(.serverToClient, #"431[{"ok":true}]"#), (.clientToServer, 2, [1, 2, 3]),
                Self.text(.clientToServer, "41"),
            ])
        let lines = Self.applicationLines(conversation.runAllSplittings())
        #expect(
            lines == [
                "socket.io open Ab3xyz", "socket.io CONNECT /", "socket.io CONNECT / <- CONNECT",
                "socket.io EVENT #1 chat", "socket.io ACK #1 chat <- EVENT", "socket.io message binary",
                "socket.io DISCONNECT /",
            ])
    }

    @Test("MQTT chosen by subprotocol, a CONNECT in several messages", arguments: [false, true])
    func mqtt(deflate: Bool) throws {
        let script = MQTTInterpreterTests.session311.resplit(sizes: [3, 1, 7, 13])
        let messages = script.messages.map { ($0.direction, UInt8(2), $0.bytes) }
        let conversation = try Self.conversation(target: "/ws", subprotocol: "mqtt", deflate: deflate, messages)
        let lines = Self.applicationLines(conversation.runAllSplittings())
        let expected = MQTTInterpreterTests.session311Lines.map {
            $0.hasPrefix("!") ? $0 : "mqtt " + $0.replacing(/@\d+/, with: "")
        }
        #expect(lines == expected)
    }

    @Test("STOMP chosen by subprotocol", arguments: [false, true])
    func stomp(deflate: Bool) throws {
        let messages = STOMPInterpreterTests.session.messages.map { ($0.direction, UInt8(1), $0.bytes) }
        let conversation = try Self.conversation(target: "/ws", subprotocol: "v12.stomp", deflate: deflate, messages)
        let lines = Self.applicationLines(conversation.runAllSplittings())
        #expect(lines.first == "stomp STOMP /")
        #expect(lines.contains("stomp RECEIPT #r1 <- SUBSCRIBE"))
        #expect(lines.last == "! stomp.receipt_missing")
    }
}
