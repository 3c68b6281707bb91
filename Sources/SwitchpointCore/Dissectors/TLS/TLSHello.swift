/// What a ClientHello reveals without keys.
package struct TLSClientHello: Sendable, Equatable {
    /// The highest version offered (supported_versions when present, else the legacy field).
    package var version: String
    package var serverName: String?
    package var alpn: [String]
}

/// What a ServerHello reveals: the version chosen, and the ALPN choice where it is not
/// encrypted (TLS 1.2 and earlier; TLS 1.3 sends it in EncryptedExtensions).
package struct TLSServerHello: Sendable, Equatable {
    package var version: String
    package var alpn: String?
    package var selectionEncrypted: Bool
    /// The cipher suite chosen, by its IANA name.
    package var cipherSuite: String?
}

/// A TLS 1.3 HelloRetryRequest: the server asks for another key share (RFC 8446 §4.1.4).
package struct TLSHelloRetry: Sendable, Equatable {
    package var cipherSuite: String
    /// The group the server asks for (key_share's selected_group), by name when known.
    package var group: String?
}

/// What the ClientHello carries beyond what is shown: the random the key log is keyed
/// by, and whether 0-RTT data follows.
struct TLSClientHelloDetails {
    var hello: TLSClientHello
    var random: [UInt8]
    var offersEarlyData: Bool
}

struct TLSServerHelloDetails {
    var hello: TLSServerHello
    var random: [UInt8]
    var versionValue: UInt16
    var cipherSuite: TLSCipherSuite
    var sessionID: [UInt8]
    /// TLS 1.3: the server accepted a pre-shared key (a resumption).
    var pskAccepted: Bool
    var isHelloRetryRequest: Bool
    var selectedGroup: UInt16?
}

enum TLSVersion {
    static func name(_ value: UInt16) -> String {
        switch value {
        case 0x0300: "SSL 3.0"
        case 0x0301: "TLS 1.0"
        case 0x0302: "TLS 1.1"
        case 0x0303: "TLS 1.2"
        case 0x0304: "TLS 1.3"
        default: "0x" + String(value, radix: 16)
        }
    }

    /// GREASE values (RFC 8701) are 0x?A?A and never a real choice.
    static func isGREASE(_ value: UInt16) -> Bool {
        value & 0x0f0f == 0x0a0a && value >> 8 == value & 0xff
    }
}

/// Parses hello bodies with every length checked.
enum TLSHelloParser {
    struct Cursor {
        let bytes: [UInt8]
        var index = 0
        var remaining: Int { bytes.count - index }

        mutating func u8() -> UInt8? {
            guard remaining >= 1 else { return nil }
            defer { index += 1 }
            return bytes[index]
        }

        mutating func u16() -> UInt16? {
            guard remaining >= 2 else { return nil }
            defer { index += 2 }
            return UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1])
        }

        mutating func take(_ count: Int) -> [UInt8]? {
            guard count >= 0, remaining >= count else { return nil }
            defer { index += count }
            return Array(bytes[index..<(index + count)])
        }

        mutating func skip(_ count: Int) -> Bool {
            guard count >= 0, remaining >= count else { return false }
            index += count
            return true
        }
    }

    /// Extensions as (type, data); nil when the lengths do not add up.
    static func extensions(_ cursor: inout Cursor) -> [(UInt16, [UInt8])]? {
        guard cursor.remaining > 0 else { return [] }  // no extensions at all (old clients)
        guard let total = cursor.u16(), let block = cursor.take(Int(total)) else { return nil }
        var inner = Cursor(bytes: block)
        var result: [(UInt16, [UInt8])] = []
        while inner.remaining > 0 {
            guard let type = inner.u16(), let length = inner.u16(), let data = inner.take(Int(length)) else {
                return nil
            }
            result.append((type, data))
        }
        return result
    }

    static func clientHello(_ body: [UInt8]) -> TLSClientHello? {
        clientHelloDetails(body)?.hello
    }

    static func clientHelloDetails(_ body: [UInt8]) -> TLSClientHelloDetails? {
        var cursor = Cursor(bytes: body)
        guard let legacyVersion = cursor.u16(), let random = cursor.take(32),
            let sessionLength = cursor.u8(), cursor.skip(Int(sessionLength)),
            let suitesLength = cursor.u16(), cursor.skip(Int(suitesLength)),
            let compressionLength = cursor.u8(), cursor.skip(Int(compressionLength)),
            let extensions = extensions(&cursor)
        else { return nil }
        var hello = TLSClientHello(version: TLSVersion.name(legacyVersion), serverName: nil, alpn: [])
        var earlyData = false
        for (type, data) in extensions {
            var inner = Cursor(bytes: data)
            switch type {
            case TLSExtensionType.serverName:
                guard let listLength = inner.u16(), let list = inner.take(Int(listLength)) else { return nil }
                var names = Cursor(bytes: list)
                while names.remaining > 0 {
                    guard let nameType = names.u8(), let length = names.u16(), let name = names.take(Int(length)) else {
                        return nil
                    }
                    if nameType == 0 { hello.serverName = HTTPText.decode(name) }
                }
            case TLSExtensionType.alpn:
                guard let listLength = inner.u16(), let list = inner.take(Int(listLength)) else { return nil }
                var protocols = Cursor(bytes: list)
                while protocols.remaining > 0 {
                    guard let length = protocols.u8(), let name = protocols.take(Int(length)) else { return nil }
                    hello.alpn.append(HTTPText.decode(name))
                }
            case TLSExtensionType.supportedVersions:  // the highest real one offered
                guard let length = inner.u8(), let list = inner.take(Int(length)) else { return nil }
                var versions = Cursor(bytes: list)
                var highest: UInt16 = 0
                while let version = versions.u16() {
                    if !TLSVersion.isGREASE(version) { highest = max(highest, version) }
                }
                if highest > 0 { hello.version = TLSVersion.name(highest) }
            case TLSExtensionType.earlyData:
                earlyData = true
            default:
                break
            }
        }
        return TLSClientHelloDetails(hello: hello, random: random, offersEarlyData: earlyData)
    }

    static func serverHello(_ body: [UInt8]) -> TLSServerHello? {
        serverHelloDetails(body)?.hello
    }

    static func serverHelloDetails(_ body: [UInt8]) -> TLSServerHelloDetails? {
        var cursor = Cursor(bytes: body)
        guard let legacyVersion = cursor.u16(), let random = cursor.take(32),
            let sessionLength = cursor.u8(), let sessionID = cursor.take(Int(sessionLength)),
            let suite = cursor.u16(), cursor.skip(1),
            let extensions = extensions(&cursor)
        else { return nil }
        var version = legacyVersion
        var alpn: String?
        var pskAccepted = false
        var selectedGroup: UInt16?
        for (type, data) in extensions {
            var inner = Cursor(bytes: data)
            switch type {
            case TLSExtensionType.preSharedKey:
                pskAccepted = true
            case TLSExtensionType.keyShare:
                // In a HelloRetryRequest the extension is just the selected group.
                if data.count == 2 { selectedGroup = inner.u16() }
            case TLSExtensionType.supportedVersions:
                if let selected = inner.u16() { version = selected }
            case TLSExtensionType.alpn:
                guard let listLength = inner.u16(), let list = inner.take(Int(listLength)) else { return nil }
                var protocols = Cursor(bytes: list)
                if let length = protocols.u8(), let name = protocols.take(Int(length)) { alpn = HTTPText.decode(name) }
            default:
                break
            }
        }
        let cipherSuite = TLSCipherSuite(rawValue: suite)
        let hello = TLSServerHello(
            version: TLSVersion.name(version), alpn: alpn, selectionEncrypted: version >= 0x0304,
            cipherSuite: cipherSuite.name)
        return TLSServerHelloDetails(
            hello: hello, random: random, versionValue: version, cipherSuite: cipherSuite, sessionID: sessionID,
            pskAccepted: pskAccepted, isHelloRetryRequest: random == TLSHelloRetryRequest.random,
            selectedGroup: selectedGroup)
    }

    /// The ALPN protocol EncryptedExtensions names (TLS 1.3), nil when none or malformed.
    static func encryptedExtensionsALPN(_ body: [UInt8]) -> String? {
        var cursor = Cursor(bytes: body)
        guard let extensions = extensions(&cursor) else { return nil }
        for (type, data) in extensions where type == TLSExtensionType.alpn {
            var inner = Cursor(bytes: data)
            guard let listLength = inner.u16(), let list = inner.take(Int(listLength)) else { return nil }
            var protocols = Cursor(bytes: list)
            if let length = protocols.u8(), let name = protocols.take(Int(length)) { return HTTPText.decode(name) }
        }
        return nil
    }

    /// The first certificate of a Certificate message (the server's leaf), DER.
    static func leafCertificate(_ body: [UInt8], tls13: Bool) -> [UInt8]? {
        var cursor = Cursor(bytes: body)
        if tls13 {
            // certificate_request_context
            guard let contextLength = cursor.u8(), cursor.skip(Int(contextLength)) else { return nil }
        }
        guard let h = cursor.u8(), let m = cursor.u8(), let l = cursor.u8() else { return nil }
        let listLength = Int(h) << 16 | Int(m) << 8 | Int(l)
        guard listLength > 0, let list = cursor.take(listLength) else { return nil }
        var entries = Cursor(bytes: list)
        guard let eh = entries.u8(), let em = entries.u8(), let el = entries.u8() else { return nil }
        return entries.take(Int(eh) << 16 | Int(em) << 8 | Int(el))
    }
}
