/// CONNACK's acknowledge flags (§3.2.2.1).
package struct MQTTConnackFlags: OptionSet, Sendable {
    package var rawValue: UInt8

    package init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    package static let sessionPresent = MQTTConnackFlags(rawValue: 0x01)
}
