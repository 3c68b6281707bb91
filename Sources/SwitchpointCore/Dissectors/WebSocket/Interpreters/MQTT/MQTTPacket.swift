/// One MQTT control packet, decoded: what its event shows and what pairing needs.
package struct MQTTPacket {
    /// Topic filters listed in one SUBSCRIBE or UNSUBSCRIBE event.
    package static let maxTopicFilters = 64
    /// The protocol level of MQTT 5.0 in CONNECT (3.1.1 is 4, 3.1 is 3).
    package static let level5: UInt8 = 5

    package var type: MQTTPacketType
    package var packetID: UInt16?
    package var summary = ""
    package var fields: [ApplicationField] = []
    /// PUBLISH's QoS (the fixed header's bits 1-2).
    package var qos: UInt8 = 0
    /// CONNACK's return or reason code; SUBACK's and UNSUBACK's codes; a PUBACK's reason.
    package var codes: [UInt8] = []
    /// CONNECT's protocol level.
    package var protocolLevel: UInt8?
    /// SUBSCRIBE's and UNSUBSCRIBE's topic filters.
    package var topicFilters: [String] = []

    /// Decodes `body` (the bytes after the fixed header; `whole` false when only its start
    /// was held). Nil when the fields run past the packet or break its rules.
    package init?(type: MQTTPacketType, flags: UInt8, body: UnsafeRawBufferPointer, whole: Bool, level: UInt8) {
        self.type = type
        var reader = MQTTReader(body)
        let v5 = level >= Self.level5
        switch type {
        case .connect: guard decodeConnect(&reader) else { return nil }
        case .connack: guard decodeConnack(&reader, v5: v5) else { return nil }
        case .publish: guard decodePublish(&reader, flags: flags, v5: v5, whole: whole) else { return nil }
        case .puback, .pubrec, .pubrel, .pubcomp, .unsuback:
            guard decodeAcknowledgement(&reader, v5: v5) else { return nil }
        case .subscribe, .unsubscribe: guard decodeSubscribe(&reader, v5: v5) else { return nil }
        case .suback: guard decodeSuback(&reader, v5: v5) else { return nil }
        case .pingreq, .pingresp: guard body.isEmpty else { return nil }
        case .disconnect, .auth: guard decodeReason(&reader, v5: v5) else { return nil }
        default: return nil
        }
    }

    private mutating func decodeConnect(_ reader: inout MQTTReader) -> Bool {
        guard let name = reader.string(), name == "MQTT" || name == "MQIsdp", let level = reader.byte(),
            let flags = reader.byte().map(MQTTConnectFlags.init(rawValue:)), let keepalive = reader.uint16()
        else { return false }
        protocolLevel = level
        if level >= Self.level5, !reader.skipProperties() { return false }
        guard let clientID = reader.string() else { return false }
        summary = clientID
        fields = [
            ApplicationField("version", .text(Self.versionName(level))),
            ApplicationField("keepalive_s", .integer(Int64(keepalive))),
            ApplicationField("clean_start", .flag(flags.contains(.cleanStart))),
        ]
        if flags.contains(.will) {
            if level >= Self.level5, !reader.skipProperties() { return false }
            guard let topic = reader.string(), reader.field() != nil else { return false }
            fields.append(ApplicationField("will_topic", .text(topic)))
        }
        // Credentials are never shown: only that they were sent.
        if flags.contains(.username) {
            guard reader.field() != nil else { return false }
            fields.append(ApplicationField("username_present", .flag(true)))
        }
        if flags.contains(.password) {
            guard reader.field() != nil else { return false }
            fields.append(ApplicationField("password_present", .flag(true)))
        }
        return true
    }

    private mutating func decodeConnack(_ reader: inout MQTTReader, v5: Bool) -> Bool {
        guard let flags = reader.byte().map(MQTTConnackFlags.init(rawValue:)), let code = reader.byte() else {
            return false
        }
        codes = [code]
        let reason = MQTTReasonCode(rawValue: code)
        summary = v5 ? reason.name : reason.connectReturnName
        fields = [
            ApplicationField("session_present", .flag(flags.contains(.sessionPresent))),
            ApplicationField("code", .integer(Int64(code))),
        ]
        return true
    }

    private mutating func decodePublish(_ reader: inout MQTTReader, flags: UInt8, v5: Bool, whole: Bool) -> Bool {
        let flags = MQTTPublishFlags(rawValue: flags)
        qos = flags.qos
        guard qos < 3, let topic = reader.string() else { return false }
        summary = topic
        if qos > 0 {
            guard let id = reader.uint16() else { return false }
            packetID = id
        }
        if v5, !reader.skipProperties() { return false }
        let payload = reader.rest()
        fields = [
            ApplicationField("qos", .integer(Int64(qos))),
            ApplicationField("retain", .flag(flags.contains(.retain))),
            ApplicationField("dup", .flag(flags.contains(.dup))),
            ApplicationField("bytes", .integer(Int64(payload.count))),
            ApplicationField("payload", .text(TextPreview.of(payload))),
        ]
        if !whole { fields.append(ApplicationField("truncated", .flag(true))) }
        return true
    }

    private mutating func decodeAcknowledgement(_ reader: inout MQTTReader, v5: Bool) -> Bool {
        guard let id = reader.uint16() else { return false }
        packetID = id
        if type == .unsuback {
            if v5 {
                guard reader.skipProperties() else { return false }
                codes = Array(reader.rest().prefix(Self.maxTopicFilters))
                fields = [ApplicationField("reason_codes", .text(Self.codeList(codes)))]
            }
            return true
        }
        if v5, let code = reader.byte() {
            codes = [code]
            fields = [ApplicationField("reason", .text(MQTTReasonCode(rawValue: code).name))]
        }
        return true
    }

    private mutating func decodeSubscribe(_ reader: inout MQTTReader, v5: Bool) -> Bool {
        guard let id = reader.uint16() else { return false }
        packetID = id
        if v5, !reader.skipProperties() { return false }
        var options: [UInt8] = []
        while !reader.atEnd {
            guard let filter = reader.string() else { return false }
            if topicFilters.count < Self.maxTopicFilters { topicFilters.append(filter) }
            if type == .subscribe {
                guard let option = reader.byte() else { return false }
                if options.count < Self.maxTopicFilters { options.append(option & 0x03) }
            }
        }
        guard !topicFilters.isEmpty else { return false }
        summary = topicFilters.joined(separator: ", ")
        if type == .subscribe { fields = [ApplicationField("qos", .text(Self.codeList(options)))] }
        return true
    }

    private mutating func decodeSuback(_ reader: inout MQTTReader, v5: Bool) -> Bool {
        guard let id = reader.uint16() else { return false }
        packetID = id
        if v5, !reader.skipProperties() { return false }
        codes = Array(reader.rest().prefix(Self.maxTopicFilters))
        guard !codes.isEmpty else { return false }
        fields = [ApplicationField("return_codes", .text(Self.codeList(codes)))]
        return true
    }

    private mutating func decodeReason(_ reader: inout MQTTReader, v5: Bool) -> Bool {
        guard v5 else { return reader.atEnd }
        if let code = reader.byte() {
            codes = [code]
            summary = MQTTReasonCode(rawValue: code).name
        }
        return true
    }

    package static func versionName(_ level: UInt8) -> String {
        switch level {
        case 3: "3.1"
        case 4: "3.1.1"
        case level5: "5.0"
        default: "level \(level)"
        }
    }

    private static func codeList(_ codes: [UInt8]) -> String {
        codes.map { String($0) }.joined(separator: ", ")
    }
}
