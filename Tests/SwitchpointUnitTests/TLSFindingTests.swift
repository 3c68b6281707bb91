import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// The TLS findings no recorded sample shows, from hand-built records: a key log is given
/// (so the session tries to decrypt) and the wire goes wrong in one way each.
@Suite("TLS findings from hand-built records")
struct TLSFindingTests {
    static func be16(_ value: Int) -> [UInt8] { [UInt8(value >> 8 & 0xff), UInt8(value & 0xff)] }

    /// TLSFixtures' client random (32 bytes of 7).
    static let clientRandom = String(repeating: "07", count: 32)

    static func secret(_ byte: String) -> String { String(repeating: byte, count: 32) }

    /// Handshake secrets only (TLS 1.3), no early secret.
    static let tls13Keys = TLSKeyLog(
        text: """
            CLIENT_HANDSHAKE_TRAFFIC_SECRET \(clientRandom) \(secret("11"))
            SERVER_HANDSHAKE_TRAFFIC_SECRET \(clientRandom) \(secret("22"))
            """)
    static let tls12Keys = TLSKeyLog(text: "CLIENT_RANDOM \(clientRandom) \(String(repeating: "33", count: 48))")

    /// A ServerHello naming `suite`; TLS 1.3 by supported_versions when `tls13`.
    static func serverHello(suite: UInt16, tls13: Bool) -> [UInt8] {
        var extensions: [UInt8] = []
        if tls13 { extensions += be16(Int(TLSExtensionType.supportedVersions)) + be16(2) + [0x03, 0x04] }
        let body: [UInt8] =
            [0x03, 0x03] + [UInt8](repeating: 9, count: 32) + [0] + be16(Int(suite)) + [0]
            + be16(extensions.count) + extensions
        return TLSFixtures.record(TLSHandshakeType.serverHello.rawValue, body)
    }

    /// TLSFixtures' TLS 1.3 ClientHello with the early_data extension added (0-RTT offered).
    static func clientHelloOfferingEarlyData() -> [UInt8] {
        let record = TLSFixtures.clientHello(serverName: "a.test", alpn: ["h2"], tls13: true)
        let earlyData = be16(Int(TLSExtensionType.earlyData)) + be16(0)
        // After the 5-byte record and 4-byte handshake headers: legacy_version (2), random
        // (32), session_id (1 + 0), suites (2 + 2), compression (1 + 1), then the extensions'
        // 2-byte length, which grows by the extension appended.
        let body = Array(record[9...])
        let extensionsAt = 41
        let oldLength = Int(body[extensionsAt]) << 8 | Int(body[extensionsAt + 1])
        let newBody =
            Array(body[..<extensionsAt]) + be16(oldLength + earlyData.count) + Array(body[(extensionsAt + 2)...])
            + earlyData
        return TLSFixtures.record(TLSHandshakeType.clientHello.rawValue, newBody)
    }

    static func applicationData(_ count: Int, fill: UInt8 = 0xa5) -> [UInt8] {
        [TLSContentType.applicationData.rawValue, 0x03, 0x03] + be16(count) + [UInt8](repeating: fill, count: count)
    }

    static func conversation(_ messages: [(Direction, [UInt8])], keys: TLSKeyLog?) -> Conversation {
        var conversation = Conversation(bytes: messages)
        conversation.registry = .standard
        conversation.keyLog = keys
        return conversation
    }

    @Test("tls.cipher_suite_not_supported: a TLS 1.2 ServerHello choosing a CBC suite")
    func cbcSuite() {
        let events = Self.conversation(
            [
                (.clientToServer, TLSFixtures.clientHello(serverName: "a.test", alpn: ["http/1.1"], tls13: false)),
                (.serverToClient, Self.serverHello(suite: 0xc013, tls13: false)),
            ], keys: Self.tls12Keys
        ).runAllSplittings()
        #expect(events.findingCodes == ["tls.cipher_suite_not_supported"])
        #expect(events.findings.first?.message.contains("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA") == true)
        #expect(!events.events.contains { $0.decrypted && $0.tag != .tlsSession })
    }

    @Test("tls.bad_record: a header that is not TLS after the ServerHello, in a direction being decrypted")
    func badRecord() {
        let events = Self.conversation(
            [
                (.clientToServer, TLSFixtures.clientHello(serverName: "a.test", alpn: ["h2"], tls13: true)),
                (
                    .serverToClient,
                    Self.serverHello(suite: 0x1301, tls13: true) + [0x99, 0x03, 0x03, 0x00, 0x04, 1, 2, 3, 4]
                        + Self.applicationData(40)
                ),
            ], keys: Self.tls13Keys
        ).runAllSplittings()
        #expect(events.findingCodes == ["tls.bad_record"])
        #expect(events.findings.first?.message.contains("type 153") == true)
    }

    @Test("tls.record_boundary_lost: bytes never captured where a record header was due")
    func recordBoundaryLost() {
        var conversation = Self.conversation(
            [
                (.clientToServer, TLSFixtures.clientHello(serverName: "a.test", alpn: ["h2"], tls13: true)),
                (.serverToClient, Self.serverHello(suite: 0x1301, tls13: true)),
                (.serverToClient, Self.applicationData(40)),
            ], keys: Self.tls13Keys)
        conversation.gaps = [2: 300]
        let events = conversation.run(.whole)
        #expect(events.findingCodes == ["tls.record_boundary_lost"])
        // Nothing after the gap is read: no decryption failure from misframed bytes.
        #expect(!events.findingCodes.contains("tls.decrypt_failed"))
    }

    @Test("tls.bad_handshake: a handshake message over the reassembly limit after the hello")
    func badHandshake() {
        // TLS 1.2: the server's handshake is in the clear; a Certificate claiming 16 MiB.
        let huge: [UInt8] = [TLSHandshakeType.certificate.rawValue, 0xff, 0xff, 0xff, 0, 0, 0, 0]
        let record = [TLSContentType.handshake.rawValue, 0x03, 0x03] + Self.be16(huge.count) + huge
        let events = Self.conversation(
            [
                (.clientToServer, TLSFixtures.clientHello(serverName: "a.test", alpn: ["h2"], tls13: false)),
                (.serverToClient, Self.serverHello(suite: 0xc02f, tls13: false) + record),
            ], keys: Self.tls12Keys
        ).runAllSplittings()
        #expect(events.findingCodes == ["tls.bad_handshake"])
        #expect(
            events.findings.first?.message.contains("\(TLSRecordLimits.maxHandshakeMessageLength)-byte limit") == true)
    }

    @Test("tls.early_data_without_secret: 0-RTT records with no CLIENT_EARLY_TRAFFIC_SECRET, reported once")
    func earlyDataWithoutSecret() {
        let events = Self.conversation(
            [
                (
                    .clientToServer,
                    Self.clientHelloOfferingEarlyData() + Self.applicationData(48)
                        + Self.applicationData(64, fill: 0x5a)
                ),
                (.serverToClient, Self.serverHello(suite: 0x1301, tls13: true)),
            ], keys: Self.tls13Keys
        ).runAllSplittings()
        #expect(events.findingCodes == ["tls.early_data_without_secret"])
        #expect(!events.findingCodes.contains("tls.decrypt_failed"))
    }
}
