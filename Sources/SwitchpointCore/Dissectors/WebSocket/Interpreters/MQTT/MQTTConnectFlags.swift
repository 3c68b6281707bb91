/// CONNECT's flags byte (MQTT 3.1.1 §3.1.2.3, 5.0 §3.1.2.3).
package struct MQTTConnectFlags: OptionSet, Sendable {
    package var rawValue: UInt8

    package init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    package static let cleanStart = MQTTConnectFlags(rawValue: 0x02)
    package static let will = MQTTConnectFlags(rawValue: 0x04)
    package static let password = MQTTConnectFlags(rawValue: 0x40)
    package static let username = MQTTConnectFlags(rawValue: 0x80)
}
