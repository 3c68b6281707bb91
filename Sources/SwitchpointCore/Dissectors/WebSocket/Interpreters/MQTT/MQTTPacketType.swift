/// MQTT control packet types: the fixed header's high four bits (MQTT 3.1.1 §2.2.1,
/// 5.0 §2.1.2).
package struct MQTTPacketType: RawRepresentable, Hashable, Sendable {
    package var rawValue: UInt8

    package init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    package static let reserved = MQTTPacketType(rawValue: 0)
    package static let connect = MQTTPacketType(rawValue: 1)
    package static let connack = MQTTPacketType(rawValue: 2)
    package static let publish = MQTTPacketType(rawValue: 3)
    package static let puback = MQTTPacketType(rawValue: 4)
    package static let pubrec = MQTTPacketType(rawValue: 5)
    package static let pubrel = MQTTPacketType(rawValue: 6)
    package static let pubcomp = MQTTPacketType(rawValue: 7)
    package static let subscribe = MQTTPacketType(rawValue: 8)
    package static let suback = MQTTPacketType(rawValue: 9)
    package static let unsubscribe = MQTTPacketType(rawValue: 10)
    package static let unsuback = MQTTPacketType(rawValue: 11)
    package static let pingreq = MQTTPacketType(rawValue: 12)
    package static let pingresp = MQTTPacketType(rawValue: 13)
    package static let disconnect = MQTTPacketType(rawValue: 14)
    /// MQTT 5.0 only.
    package static let auth = MQTTPacketType(rawValue: 15)

    package var name: String {
        switch self {
        case .connect: "CONNECT"
        case .connack: "CONNACK"
        case .publish: "PUBLISH"
        case .puback: "PUBACK"
        case .pubrec: "PUBREC"
        case .pubrel: "PUBREL"
        case .pubcomp: "PUBCOMP"
        case .subscribe: "SUBSCRIBE"
        case .suback: "SUBACK"
        case .unsubscribe: "UNSUBSCRIBE"
        case .unsuback: "UNSUBACK"
        case .pingreq: "PINGREQ"
        case .pingresp: "PINGRESP"
        case .disconnect: "DISCONNECT"
        case .auth: "AUTH"
        default: "RESERVED_\(rawValue)"
        }
    }
}
