import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

@Suite("MQTT interpreter")
struct MQTTInterpreterTests {
    static func remainingLength(_ length: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        var value = length
        repeat {
            var byte = UInt8(value & 0x7F)
            value >>= 7
            if value > 0 { byte |= 0x80 }
            bytes.append(byte)
        } while value > 0
        return bytes
    }

    static func packet(_ typeAndFlags: UInt8, _ body: [UInt8]) -> [UInt8] {
        [typeAndFlags] + remainingLength(body.count) + body
    }

    static func string(_ text: String) -> [UInt8] {
        let bytes = Array(text.utf8)
        return [UInt8(bytes.count >> 8), UInt8(bytes.count & 0xFF)] + bytes
    }

    static func connect(level: UInt8 = 4, clientID: String = "sp-client") -> [UInt8] {
        var body = string("MQTT") + [level, 0xC2, 0, 60]
        if level == 5 { body += [0] }
        body += string(clientID) + string("guest") + string("secret-password")
        return packet(0x10, body)
    }

    static func publish(_ topic: String, qos: UInt8, id: UInt16, payload: String, level: UInt8 = 4) -> [UInt8] {
        var body = string(topic)
        if qos > 0 { body += [UInt8(id >> 8), UInt8(id & 0xFF)] }
        if level == 5 { body += [0] }
        return packet(0x30 | qos << 1, body + Array(payload.utf8))
    }

    /// A 3.1.1 session with every packet type the brief names.
    static var session311: InterpreterScript {
        var script = InterpreterScript()
        script.add(.clientToServer, connect())
        script.add(.serverToClient, packet(0x20, [0, 0]))
        script.add(.clientToServer, packet(0x82, [0, 1] + string("sp/test") + [1] + string("sp/#") + [2]))
        script.add(.serverToClient, packet(0x90, [0, 1, 1, 0x80]))
        script.add(.clientToServer, publish("sp/test", qos: 0, id: 0, payload: "hello qos0"))
        script.add(.clientToServer, publish("sp/test", qos: 1, id: 2, payload: "hello qos1"), after: 2)
        script.add(.serverToClient, packet(0x40, [0, 2]), after: 4)
        script.add(.clientToServer, publish("sp/two", qos: 2, id: 3, payload: "exactly once"))
        script.add(.serverToClient, packet(0x50, [0, 3]))
        script.add(.clientToServer, packet(0x62, [0, 3]))
        script.add(.serverToClient, packet(0x70, [0, 3]))
        script.add(.clientToServer, packet(0xC0, []))
        script.add(.serverToClient, packet(0xD0, []))
        script.add(.clientToServer, packet(0xA2, [0, 4] + string("sp/test")))
        script.add(.serverToClient, packet(0xB0, [0, 4]))
        script.add(.clientToServer, packet(0xE0, []))
        return script
    }

    static let session311Lines = [
        "CONNECT sp-client", "CONNACK accepted <- CONNECT@1", "SUBSCRIBE #1 sp/test, sp/#",
        "SUBACK #1 sp/test, sp/# <- SUBSCRIBE@3", "! mqtt.subscription_refused", "PUBLISH sp/test",
        "PUBLISH #2 sp/test",
        "PUBACK #2 sp/test <- PUBLISH@6", "PUBLISH #3 sp/two", "PUBREC #3 sp/two <- PUBLISH@8",
        "PUBREL #3 sp/two <- PUBREC@9", "PUBCOMP #3 sp/two <- PUBREL@10", "PINGREQ", "PINGRESP <- PINGREQ@12",
        "UNSUBSCRIBE #4 sp/test", "UNSUBACK #4 sp/test <- UNSUBSCRIBE@14", "DISCONNECT",
    ]

    static func run(_ script: InterpreterScript) -> CollectedApplicationEvents {
        var interpreter = MQTTInterpreter()
        return script.run(&interpreter)
    }

    @Test("MQTT 3.1.1: every packet type, pairing by packet id with latency, a refused subscription")
    func session() {
        let events = Self.run(Self.session311)
        #expect(events.lines == Self.session311Lines)
        let connect = events.applicationEvents[0]
        #expect(connect.fields.contains(ApplicationField("password_present", .flag(true))))
        #expect(connect.fields.contains(ApplicationField("keepalive_s", .integer(60))))
        let described = "\(events.items)"
        #expect(!described.contains("secret-password") && !described.contains("guest"))
        #expect(events.applicationEvents[6].answers?.latencyMilliseconds == 4)
    }

    @Test("packets cut across messages and messages holding several packets give the same events")
    func splits() {
        let whole = Self.run(Self.session311).shapes
        for sizes in [[1], [2], [3, 1, 7], [13], [1000], [5, 40, 2]] {
            #expect(Self.run(Self.session311.resplit(sizes: sizes)).shapes == whole, "\(sizes)")
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            let sizes = (0..<8).map { _ in Int.random(in: 1...30, using: &generator) }
            #expect(Self.run(Self.session311.resplit(sizes: sizes)).shapes == whole, "\(sizes)")
        }
    }

    @Test("MQTT 5.0: properties skipped, reason codes named, a refused connect")
    func version5() {
        var script = InterpreterScript()
        script.add(.clientToServer, Self.connect(level: 5))
        script.add(.serverToClient, Self.packet(0x20, [0, 0x87, 0]))
        script.add(.clientToServer, Self.publish("t", qos: 1, id: 9, payload: "p", level: 5))
        script.add(.serverToClient, Self.packet(0x40, [0, 9, 0x10, 0]))
        script.add(.clientToServer, Self.packet(0xE0, [0x8E, 0]))
        let events = Self.run(script)
        #expect(
            events.lines == [
                "CONNECT sp-client", "CONNACK not authorized <- CONNECT@1", "! mqtt.connect_refused", "PUBLISH #9 t",
                "PUBACK #9 t <- PUBLISH@3", "DISCONNECT session taken over",
            ])
        #expect(events.applicationEvents[0].fields.first == ApplicationField("version", .text("5.0")))
        #expect(events.applicationEvents[2].fields.contains(ApplicationField("payload", .text("p"))))
    }

    @Test("findings: a malformed remaining length, a flow left incomplete, a malformed packet")
    func findings() {
        var script = InterpreterScript()
        script.add(.clientToServer, Self.connect())
        script.add(.clientToServer, Self.publish("t", qos: 1, id: 5, payload: "never acked"))
        script.add(.serverToClient, [0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
        script.add(.serverToClient, Self.packet(0x20, [0, 0]))
        script.add(.clientToServer, Self.packet(0x00, [1, 2]))
        let events = Self.run(script)
        #expect(
            events.lines == [
                "CONNECT sp-client", "PUBLISH #5 t", "! mqtt.malformed_remaining_length",
                "CONNACK accepted <- CONNECT@1",
                "! mqtt.malformed_packet", "! mqtt.flow_incomplete",
            ])
    }

    @Test("a message cut short by the limit: the packet is decoded from its start, nothing reported malformed")
    func truncated() {
        var script = InterpreterScript()
        script.add(.clientToServer, Self.publish("big", qos: 0, id: 0, payload: String(repeating: "x", count: 5000)))
        script.messages[0].truncatedTo = 100
        script.add(.clientToServer, Self.packet(0xC0, []))
        let events = Self.run(script)
        #expect(events.lines == ["PUBLISH big", "PINGREQ"])
        #expect(events.applicationEvents[0].fields.contains(ApplicationField("truncated", .flag(true))))
    }

    @Test("a packet over the held limit is decoded from its start")
    func tooLarge() {
        var script = InterpreterScript()
        let size = WebSocketInterpreterLimits.maxHeldBytes + 10
        script.add(.clientToServer, Self.publish("huge", qos: 0, id: 0, payload: String(repeating: "y", count: size)))
        script.add(.clientToServer, Self.packet(0xC0, []))
        #expect(
            Self.run(script.resplit(sizes: [4096])).lines == ["! mqtt.packet_too_large", "PUBLISH huge", "PINGREQ"])
    }
}
