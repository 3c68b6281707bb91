import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Issue 25 acceptance 3: random text and binary messages crash no interpreter and make no
/// factory claim them by content.
@Suite("Interpreters on random input")
struct InterpreterPropertyTests {
    static let messageCount = 10_000

    /// A random message: printable text with JSON-ish and STOMP-ish punctuation, or bytes.
    static func randomMessage(_ generator: inout some RandomNumberGenerator, binary: Bool) -> [UInt8] {
        let length = Int.random(in: 0...96, using: &generator)
        if binary { return (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) } }
        let alphabet = Array("0123456789{}[]\":,/-\nabcdefsidprobeCONNECTSEND\u{0} ".utf8)
        return (0..<length).map { _ in alphabet.randomElement(using: &generator) ?? 0x20 }
    }

    static func message(_ bytes: UnsafeRawBufferPointer, binary: Bool, index: Int) -> InterpretedMessage {
        InterpretedMessage(
            direction: index & 1 == 0 ? .clientToServer : .serverToClient, opcode: binary ? .binary : .text,
            payload: bytes, length: UInt64(bytes.count), truncated: false, offset: UInt64(index * 100),
            capture: InterpreterScript.capture(packet: UInt64(index + 1), milliseconds: Int64(index)),
            firstPacket: UInt64(index + 1))
    }

    @Test("10,000 random text and binary messages: no content verdict, no crash, memory bounded")
    func randomMessages() {
        var generator = SystemRandomNumberGenerator()
        let factories: [any WebSocketInterpreterFactory] = [
            SocketIOInterpreterFactory(), MQTTInterpreterFactory(), STOMPInterpreterFactory(),
            KubernetesChannelInterpreterFactory(),
        ]
        var socketIO = SocketIOInterpreter()
        var mqtt = MQTTInterpreter()
        var stomp = STOMPInterpreter()
        var kubernetes = KubernetesChannelInterpreter(
            handshake: WebSocketInterpreterHandshake(
                subprotocol: "v5.channel.k8s.io", target: "/api/v1/namespaces/ns/pods/p/exec?command=sh"))
        var portForward = KubernetesChannelInterpreter(
            handshake: WebSocketInterpreterHandshake(
                subprotocol: nil, target: "/api/v1/namespaces/ns/pods/p/portforward?ports=80"))
        var sink = CollectedApplicationEvents()
        var claimed: [String] = []
        for index in 0..<Self.messageCount {
            let binary = index & 2 != 0
            let bytes = Self.randomMessage(&generator, binary: binary)
            bytes.withUnsafeBytes { payload in
                let message = Self.message(payload, binary: binary, index: index)
                for factory in factories where factory.recognizes(firstMessage: message) {
                    claimed.append("\(factory.name): \(bytes)")
                }
                socketIO.interpret(message, into: &sink)
                mqtt.interpret(message, into: &sink)
                stomp.interpret(message, into: &sink)
                kubernetes.interpret(message, into: &sink)
                portForward.interpret(message, into: &sink)
            }
            sink.removeAll()
        }
        let end = InterpreterScript.capture(packet: UInt64(Self.messageCount + 1), milliseconds: 20_000)
        socketIO.finish(at: end, into: &sink)
        mqtt.finish(at: end, into: &sink)
        stomp.finish(at: end, into: &sink)
        kubernetes.finish(at: end, into: &sink)
        portForward.finish(at: end, into: &sink)
        #expect(claimed.isEmpty, "\(claimed.prefix(5))")
        // Findings are capped per connection, whatever the input.
        #expect(sink.findings.count <= 3 * (WebSocketInterpreterLimits.maxOutstanding + 32) + 2 * (256 + 16))
    }
}
