/// Chooses MQTT by the subprotocol (`mqtt`, and `mqttv3.1` of MQTT 3.1), or by a first
/// message that is a whole CONNECT naming the protocol `MQTT` or `MQIsdp`.
package struct MQTTInterpreterFactory: WebSocketInterpreterFactory {
    package init() {}

    package var name: String { MQTTInterpreter.protocolName }

    package var subprotocols: [String] { ["mqtt", "mqttv3.1"] }

    package func recognizes(firstMessage: borrowing InterpretedMessage) -> Bool {
        guard firstMessage.opcode == .binary else { return false }
        var reader = MQTTReader(firstMessage.payload)
        guard reader.byte() == MQTTPacketType.connect.rawValue << 4, let length = reader.variableInteger(),
            length == reader.remaining, let name = reader.string(), name == "MQTT" || name == "MQIsdp",
            let level = reader.byte()
        else { return false }
        return level >= 3 && level <= MQTTPacket.level5
    }

    package func makeInterpreter() -> any WebSocketMessageInterpreter {
        MQTTInterpreter()
    }
}
