import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

@Suite("STOMP interpreter")
struct STOMPInterpreterTests {
    static func frame(_ command: String, _ headers: [String], body: String = "") -> String {
        command + "\n" + headers.map { $0 + "\n" }.joined() + "\n" + body + "\u{0}"
    }

    static var session: InterpreterScript {
        var script = InterpreterScript()
        script.text(
            .clientToServer, frame("STOMP", ["accept-version:1.2", "host:/", "login:guest", "passcode:s3cret"]))
        script.text(.serverToClient, frame("CONNECTED", ["version:1.2", "heart-beat:0,0"]))
        script.text(
            .clientToServer,
            frame("SUBSCRIBE", ["id:sub-1", "destination:/queue/a", "ack:client-individual", "receipt:r1"]))
        script.text(.serverToClient, frame("RECEIPT", ["receipt-id:r1"]), after: 2)
        script.text(.clientToServer, frame("SEND", ["destination:/queue/a", "content-length:5"], body: "he\u{0}lo"))
        script.text(
            .serverToClient,
            frame(
                "MESSAGE", ["subscription:sub-1", "destination:/queue/a", "message-id:m1", "ack:a1", "receipt:r9"],
                body: "hello"))
        script.text(.clientToServer, frame("ACK", ["id:a1"]))
        script.text(.clientToServer, "\n")
        script.text(.serverToClient, "\n")
        script.text(.clientToServer, frame("UNSUBSCRIBE", ["id:sub-1"]))
        script.text(.clientToServer, frame("DISCONNECT", ["receipt:bye"]))
        return script
    }

    static func run(_ script: InterpreterScript) -> CollectedApplicationEvents {
        var interpreter = STOMPInterpreter()
        return script.run(&interpreter)
    }

    @Test(
        "a session: CONNECTED pairs with STOMP, RECEIPT with its request, ACK with its MESSAGE, heart-beats, a missing receipt"
    )
    func session() {
        let events = Self.run(Self.session)
        #expect(
            events.lines == [
                "STOMP /", "CONNECTED 1.2 <- STOMP@1", "SUBSCRIBE #r1 /queue/a", "RECEIPT #r1 <- SUBSCRIBE@3",
                "SEND /queue/a", "MESSAGE #a1 /queue/a", "ACK #a1 <- MESSAGE@6", "heart-beat", "heart-beat",
                "UNSUBSCRIBE sub-1", "DISCONNECT #bye", "! stomp.receipt_missing",
            ])
        #expect(!"\(events.items)".contains("s3cret"))
        #expect(events.applicationEvents[0].fields.contains(ApplicationField("passcode_present", .flag(true))))
        #expect(events.applicationEvents[4].fields.contains(ApplicationField("bytes", .integer(5))))
        #expect(events.applicationEvents[3].answers?.latencyMilliseconds == 2)
    }

    @Test("frames cut across messages and several frames in one message give the same events")
    func splits() {
        var joined = Self.session
        joined.messages.removeAll { $0.bytes == [0x0A] }  // heart-beats are whole messages
        let whole = Self.run(joined).shapes
        for sizes in [[1], [2], [7, 1, 3], [1000]] {
            #expect(Self.run(joined.resplit(sizes: sizes)).shapes == whole, "\(sizes)")
        }
    }

    @Test("ERROR and frames that are not STOMP")
    func findings() {
        var script = InterpreterScript()
        script.text(.clientToServer, Self.frame("CONNECT", ["accept-version:1.2", "host:bad"]))
        script.text(.serverToClient, Self.frame("ERROR", ["message:Bad CONNECT"], body: "access denied"))
        script.text(.clientToServer, "HELLO\n\n\u{0}")
        script.text(.clientToServer, Self.frame("SEND", ["destination:/x"]))
        let events = Self.run(script)
        #expect(
            events.lines == [
                "CONNECT bad", "! stomp.error", "ERROR Bad CONNECT", "! stomp.malformed_frame", "SEND /x",
            ])
    }

    @Test("chosen by subprotocol or a first CONNECT frame")
    func factory() {
        let factory = STOMPInterpreterFactory()
        #expect(factory.subprotocols == ["v10.stomp", "v11.stomp", "v12.stomp"])
        for (text, expected) in [
            (Self.frame("CONNECT", ["accept-version:1.2"]), true), (Self.frame("SEND", []), false),
            ("CONNECT\n", false),
        ] {
            Array(text.utf8).withUnsafeBytes { payload in
                let message = InterpretedMessage(
                    direction: .clientToServer, opcode: .text, payload: payload, length: UInt64(payload.count),
                    truncated: false, offset: 0, capture: InterpreterScript.capture(packet: 1, milliseconds: 0),
                    firstPacket: 1)
                #expect(factory.recognizes(firstMessage: message) == expected, "\(text)")
            }
        }
    }
}
