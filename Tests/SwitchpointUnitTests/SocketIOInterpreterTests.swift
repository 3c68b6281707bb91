import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

@Suite("Socket.IO interpreter")
struct SocketIOInterpreterTests {
    static let open = #"0{"sid":"Ab3xyz","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#

    static func run(_ script: InterpreterScript) -> CollectedApplicationEvents {
        var interpreter = SocketIOInterpreter()
        return script.run(&interpreter)
    }

    @Test("a WebSocket session: probe, upgrade, connect, events with acks, binary attachments, close")
    func session() {
        var script = InterpreterScript()
        script.text(.clientToServer, "2probe")
        script.text(.serverToClient, "3probe")
        script.text(.clientToServer, "5")
        script.text(.clientToServer, "40")
        script.text(.serverToClient, #"40{"sid":"nsSid"}"#)
        script.text(.clientToServer, #"421["chat",{"msg":"hi"}]"#, after: 5)
        script.text(.serverToClient, #"431[{"ok":true}]"#, after: 3)
        script.text(.serverToClient, #"42["news","x"]"#)
        script.text(.clientToServer, #"451-/admin,7["upload",{"_placeholder":true,"num":0}]"#)
        script.add(.clientToServer, [0, 1, 2])
        script.text(.serverToClient, "43/admin,7[3]")
        script.text(.serverToClient, "2")
        script.text(.clientToServer, "3")
        script.text(.clientToServer, "41")
        script.text(.clientToServer, "1")
        let events = Self.run(script)
        #expect(
            events.lines == [
                "ping probe", "pong probe <- ping@1", "upgrade", "CONNECT /", "CONNECT / <- CONNECT@4",
                #"EVENT #1 chat"#, "ACK #1 chat <- EVENT@6", "EVENT news", "BINARY_EVENT #7 upload",
                "attachment 1/1", "ACK #7 upload <- BINARY_EVENT@9", "ping", "pong <- ping@12", "DISCONNECT /",
                "close",
            ])
        let chat = events.applicationEvents[5]
        #expect(chat.fields.contains(ApplicationField("args", .text(#"[{"msg":"hi"}]"#))))
        let ack = events.applicationEvents[6]
        #expect(ack.answers?.latencyMilliseconds == 3)
        #expect(events.applicationEvents[2].fields.first?.name == "probe_rtt_ms")
    }

    @Test("the open packet's facts")
    func openPacket() {
        var script = InterpreterScript()
        script.text(.serverToClient, Self.open)
        let event = Self.run(script).applicationEvents[0]
        #expect(event.operation == "open" && event.summary == "Ab3xyz")
        #expect(event.fields.contains(ApplicationField("ping_interval_ms", .integer(25000))))
        #expect(event.fields.contains(ApplicationField("ping_timeout_ms", .integer(20000))))
    }

    @Test("findings: an ack that never came, a heartbeat missed, a probe never completed, a packet not Socket.IO")
    func findings() {
        var script = InterpreterScript()
        script.text(.serverToClient, Self.open)
        script.text(.clientToServer, #"4212["chat","never acked"]"#)
        script.text(.clientToServer, "2probe")
        script.text(.serverToClient, "3probe")
        script.text(.serverToClient, "2", after: 46_000)
        script.text(.clientToServer, "hello")
        script.text(.clientToServer, "4{not socket.io")
        let codes = Self.run(script).findings.map(\.code)
        #expect(
            codes == [
                .socketIOHeartbeatMissed, .socketIONotSocketIO, .socketIONotSocketIO, .socketIOUpgradeIncomplete,
                .socketIOAckMissing,
            ])
    }

    @Test("CONNECT_ERROR answers the CONNECT; namespaces and ids parse")
    func connectError() {
        var script = InterpreterScript()
        script.text(.clientToServer, #"40/admin,{"token":"x"}"#)
        script.text(.serverToClient, #"44/admin,{"message":"Not authorized"}"#)
        let events = Self.run(script)
        #expect(events.lines == ["CONNECT /admin", "CONNECT_ERROR Not authorized <- CONNECT@1"])
        #expect(events.applicationEvents[0].fields == [ApplicationField("auth", .flag(true))])
    }

    @Test("chosen by target and by a first message only Engine.IO sends")
    func factory() {
        let factory = SocketIOInterpreterFactory()
        #expect(factory.matches(target: "/socket.io/?EIO=4&transport=websocket&sid=abc"))
        #expect(!factory.matches(target: "/socket.io/?EIO=4&transport=polling"))
        #expect(!factory.matches(target: "/chat"))
        for (text, expected) in [(Self.open, true), ("2probe", true), ("40", false), (#"0{"x":1}"#, false)] {
            Array(text.utf8).withUnsafeBytes { payload in
                let message = InterpretedMessage(
                    direction: .serverToClient, opcode: .text, payload: payload, length: UInt64(payload.count),
                    truncated: false, offset: 0, capture: InterpreterScript.capture(packet: 1, milliseconds: 0),
                    firstPacket: 1)
                #expect(factory.recognizes(firstMessage: message) == expected, "\(text)")
            }
        }
    }
}
