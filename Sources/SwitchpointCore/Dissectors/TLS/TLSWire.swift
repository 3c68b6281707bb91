/// TLS wire constants (RFC 8446 §5.1, §4; RFC 5246 §6.2.1, §7.4), as named types.
enum TLSContentType: UInt8 {
    case changeCipherSpec = 20
    case alert = 21
    case handshake = 22
    case applicationData = 23
    case heartbeat = 24
}

enum TLSHandshakeType: UInt8 {
    case clientHello = 1
    case serverHello = 2
    case newSessionTicket = 4
    case endOfEarlyData = 5
    case encryptedExtensions = 8
    case certificate = 11
    case serverKeyExchange = 12
    case certificateRequest = 13
    case serverHelloDone = 14
    case certificateVerify = 15
    case clientKeyExchange = 16
    case finished = 20
    case keyUpdate = 24
}

enum TLSExtensionType {
    static let serverName: UInt16 = 0
    static let alpn: UInt16 = 16
    static let extendedMasterSecret: UInt16 = 23
    static let preSharedKey: UInt16 = 41
    static let earlyData: UInt16 = 42
    static let supportedVersions: UInt16 = 43
    static let keyShare: UInt16 = 51
}

enum TLSRecordLimits {
    /// The record header: type, legacy version, length.
    static let headerLength = 5
    /// RFC 8446 §5.2: a ciphertext is at most 2^14 + 256 bytes; RFC 5246 §6.2.3 allows
    /// 2^14 + 2048. The larger one, so no real record is refused.
    static let maxCiphertextLength = (1 << 14) + 2048
    /// A handshake message larger than this (a certificate chain is a few KiB, rarely 64 KiB)
    /// is not reassembled.
    static let maxHandshakeMessageLength = 256 * 1024
    /// Client records held while the ServerHello that says how to decrypt them is not seen
    /// yet (0-RTT early data, or a capture that delivers the client side first).
    static let maxHeldRecordBytes = 1 << 20
    /// AEAD tag length for every suite decrypted here (AES-GCM and ChaCha20-Poly1305).
    static let aeadTagLength = 16
    /// TLS 1.2 AES-GCM's explicit part of the nonce, sent before each record (RFC 5288 §3).
    static let explicitNonceLength = 8
}

/// The TLS 1.3 HelloRetryRequest is a ServerHello whose random is this fixed value,
/// SHA-256("HelloRetryRequest") (RFC 8446 §4.1.3).
enum TLSHelloRetryRequest {
    static let random: [UInt8] = [
        0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
        0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
    ]
}

/// The AEAD a suite protects records with.
enum TLSAEAD: Equatable {
    case aes128GCM
    case aes256GCM
    case chaCha20Poly1305

    var keyLength: Int {
        switch self {
        case .aes128GCM: 16
        case .aes256GCM, .chaCha20Poly1305: 32
        }
    }
}

enum TLSHashFunction: Equatable {
    case sha256
    case sha384

    var length: Int { self == .sha256 ? 32 : 48 }
}

/// A cipher suite as sent on the wire, with its IANA name and, for the suites switchpoint
/// decrypts, its AEAD and hash.
struct TLSCipherSuite: RawRepresentable, Hashable {
    let rawValue: UInt16
    init(rawValue: UInt16) { self.rawValue = rawValue }

    static let aes128GCMSHA256 = TLSCipherSuite(rawValue: 0x1301)
    static let aes256GCMSHA384 = TLSCipherSuite(rawValue: 0x1302)
    static let chaCha20Poly1305SHA256 = TLSCipherSuite(rawValue: 0x1303)

    /// (name, AEAD and hash when decryptable). AEAD suites of TLS 1.2 (RFC 5288, RFC 5289,
    /// RFC 7905) and common CBC ones, named so a finding can say which one was not decrypted.
    private static let table: [UInt16: (String, TLSAEAD?, TLSHashFunction)] = [
        0x1301: ("TLS_AES_128_GCM_SHA256", .aes128GCM, .sha256),
        0x1302: ("TLS_AES_256_GCM_SHA384", .aes256GCM, .sha384),
        0x1303: ("TLS_CHACHA20_POLY1305_SHA256", .chaCha20Poly1305, .sha256),
        0x009c: ("TLS_RSA_WITH_AES_128_GCM_SHA256", .aes128GCM, .sha256),
        0x009d: ("TLS_RSA_WITH_AES_256_GCM_SHA384", .aes256GCM, .sha384),
        0x009e: ("TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", .aes128GCM, .sha256),
        0x009f: ("TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", .aes256GCM, .sha384),
        0xc02b: ("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", .aes128GCM, .sha256),
        0xc02c: ("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", .aes256GCM, .sha384),
        0xc02f: ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", .aes128GCM, .sha256),
        0xc030: ("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", .aes256GCM, .sha384),
        0xcca8: ("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", .chaCha20Poly1305, .sha256),
        0xcca9: ("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", .chaCha20Poly1305, .sha256),
        0xccaa: ("TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", .chaCha20Poly1305, .sha256),
        0x002f: ("TLS_RSA_WITH_AES_128_CBC_SHA", nil, .sha256),
        0x0035: ("TLS_RSA_WITH_AES_256_CBC_SHA", nil, .sha256),
        0x003c: ("TLS_RSA_WITH_AES_128_CBC_SHA256", nil, .sha256),
        0x003d: ("TLS_RSA_WITH_AES_256_CBC_SHA256", nil, .sha256),
        0xc009: ("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", nil, .sha256),
        0xc00a: ("TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", nil, .sha256),
        0xc013: ("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", nil, .sha256),
        0xc014: ("TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", nil, .sha256),
        0xc023: ("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", nil, .sha256),
        0xc024: ("TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", nil, .sha384),
        0xc027: ("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", nil, .sha256),
        0xc028: ("TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", nil, .sha384),
    ]

    var name: String {
        Self.table[rawValue]?.0 ?? "0x" + String(rawValue, radix: 16, uppercase: false).leftPadded(to: 4)
    }

    /// The AEAD, nil when switchpoint does not decrypt this suite (CBC, unknown).
    var aead: TLSAEAD? { Self.table[rawValue]?.1 }

    /// The hash of the PRF (TLS 1.2) or HKDF (TLS 1.3).
    var hash: TLSHashFunction { Self.table[rawValue]?.2 ?? .sha256 }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

/// Lower-case hex, for client randoms in findings.
enum TLSHex {
    static func string(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Hex digits to bytes; nil for an odd count or a non-hex character.
    static func bytes(_ text: Substring) -> [UInt8]? {
        var text = String(text)
        return text.withUTF8 { bytes(UnsafeRawBufferPointer($0)) }
    }

    static func bytes(_ hex: UnsafeRawBufferPointer) -> [UInt8]? {
        guard hex.count % 2 == 0 else { return nil }
        var out = [UInt8](repeating: 0, count: hex.count / 2)
        for index in out.indices {
            guard let high = HexDigit.value(hex[2 * index]), let low = HexDigit.value(hex[2 * index + 1]) else {
                return nil
            }
            out[index] = high << 4 | low
        }
        return out
    }

}
