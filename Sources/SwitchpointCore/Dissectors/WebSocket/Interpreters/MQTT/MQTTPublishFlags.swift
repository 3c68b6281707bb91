/// PUBLISH's fixed-header flags (§3.3.1): retain, the QoS in bits 1-2, dup.
package struct MQTTPublishFlags: OptionSet, Sendable {
    package var rawValue: UInt8

    package init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    package static let retain = MQTTPublishFlags(rawValue: 0x01)
    package static let dup = MQTTPublishFlags(rawValue: 0x08)

    package var qos: UInt8 { (rawValue >> 1) & 0x03 }
}
