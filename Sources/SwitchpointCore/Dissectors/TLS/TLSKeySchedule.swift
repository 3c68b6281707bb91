import Crypto
import Foundation

/// Record keys from logged secrets: TLS 1.3's HKDF-Expand-Label (RFC 8446 §7.1, §7.3) and
/// TLS 1.2's PRF key block (RFC 5246 §5, §6.3). Only swift-crypto primitives.
enum TLSKeySchedule {
    /// The TLS 1.3 nonce and the TLS 1.2 ChaCha20-Poly1305 nonce (RFC 7905 §2) are 12 bytes.
    static let nonceLength = 12
    /// TLS 1.2 AES-GCM: the implicit 4-byte salt from the key block (RFC 5288 §3).
    static let gcmSaltLength = 4
    static let labelPrefix = Array("tls13 ".utf8)

    /// HKDF-Expand-Label(Secret, Label, Context, Length) = HKDF-Expand(Secret, HkdfLabel, Length).
    static func expandLabel(
        secret: [UInt8], label: String, context: [UInt8] = [], length: Int, hash: TLSHashFunction
    ) -> [UInt8] {
        let fullLabel = labelPrefix + Array(label.utf8)
        var info: [UInt8] = [UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length)]
        info.append(UInt8(truncatingIfNeeded: fullLabel.count))
        info += fullLabel
        info.append(UInt8(truncatingIfNeeded: context.count))
        info += context
        let key: SymmetricKey =
            switch hash {
            case .sha256: HKDF<SHA256>.expand(pseudoRandomKey: secret, info: info, outputByteCount: length)
            case .sha384: HKDF<SHA384>.expand(pseudoRandomKey: secret, info: info, outputByteCount: length)
            }
        return key.withUnsafeBytes { Array($0) }
    }

    /// HKDF-Extract(salt, IKM) (for the RFC 8448 test of the whole schedule).
    static func extract(salt: [UInt8], inputKeyMaterial: [UInt8], hash: TLSHashFunction) -> [UInt8] {
        switch hash {
        case .sha256:
            HKDF<SHA256>.extract(inputKeyMaterial: SymmetricKey(data: inputKeyMaterial), salt: salt).withUnsafeBytes {
                Array($0)
            }
        case .sha384:
            HKDF<SHA384>.extract(inputKeyMaterial: SymmetricKey(data: inputKeyMaterial), salt: salt).withUnsafeBytes {
                Array($0)
            }
        }
    }

    /// Derive-Secret(Secret, Label, Messages) with the transcript hash given.
    static func deriveSecret(
        _ secret: [UInt8], label: String, transcriptHash: [UInt8], hash: TLSHashFunction
    ) -> [UInt8] {
        expandLabel(secret: secret, label: label, context: transcriptHash, length: hash.length, hash: hash)
    }

    /// [sender]_write_key and [sender]_write_iv from a traffic secret (RFC 8446 §7.3).
    static func trafficKeys(secret: [UInt8], aead: TLSAEAD, hash: TLSHashFunction) -> (key: [UInt8], iv: [UInt8]) {
        (
            expandLabel(secret: secret, label: "key", length: aead.keyLength, hash: hash),
            expandLabel(secret: secret, label: "iv", length: nonceLength, hash: hash)
        )
    }

    /// The next generation after a KeyUpdate (RFC 8446 §7.2).
    static func nextTrafficSecret(_ secret: [UInt8], hash: TLSHashFunction) -> [UInt8] {
        expandLabel(secret: secret, label: "traffic upd", length: hash.length, hash: hash)
    }

    /// PRF(secret, label, seed) = P_hash(secret, label + seed) (RFC 5246 §5).
    static func prf(secret: [UInt8], label: String, seed: [UInt8], length: Int, hash: TLSHashFunction) -> [UInt8] {
        switch hash {
        case .sha256: pHash(SHA256.self, secret: secret, seed: Array(label.utf8) + seed, length: length)
        case .sha384: pHash(SHA384.self, secret: secret, seed: Array(label.utf8) + seed, length: length)
        }
    }

    private static func pHash<H: HashFunction>(_: H.Type, secret: [UInt8], seed: [UInt8], length: Int) -> [UInt8] {
        let key = SymmetricKey(data: secret)
        var output: [UInt8] = []
        output.reserveCapacity(length + H.Digest.byteCount)
        var a = Array(HMAC<H>.authenticationCode(for: seed, using: key))  // A(1)
        while output.count < length {
            output += Array(HMAC<H>.authenticationCode(for: a + seed, using: key))
            a = Array(HMAC<H>.authenticationCode(for: a, using: key))
        }
        return Array(output.prefix(length))
    }

    /// TLS 1.2 AEAD suites: the key block split into client/server write keys and IVs (no
    /// MAC keys for AEAD; RFC 5246 §6.3).
    static func keyBlock(
        masterSecret: [UInt8], clientRandom: [UInt8], serverRandom: [UInt8], aead: TLSAEAD, hash: TLSHashFunction
    )
        -> (clientKey: [UInt8], serverKey: [UInt8], clientIV: [UInt8], serverIV: [UInt8])
    {
        let ivLength = aead == .chaCha20Poly1305 ? nonceLength : gcmSaltLength
        let keyLength = aead.keyLength
        let block = prf(
            secret: masterSecret, label: "key expansion", seed: serverRandom + clientRandom,
            length: 2 * keyLength + 2 * ivLength, hash: hash)
        var index = 0
        func take(_ count: Int) -> [UInt8] {
            defer { index += count }
            return Array(block[index..<(index + count)])
        }
        let clientKey = take(keyLength)
        let serverKey = take(keyLength)
        let clientIV = take(ivLength)
        let serverIV = take(ivLength)
        return (clientKey, serverKey, clientIV, serverIV)
    }
}

/// One direction's record protection: keys, IV and sequence number (RFC 8446 §5.2-5.3;
/// RFC 5246 §6.2.3.3 with RFC 5288 and RFC 7905).
struct TLSRecordProtection {
    enum Failure: Error, Equatable {
        /// The tag did not verify: wrong key or corrupted record.
        case authentication
        /// Shorter than the nonce and tag it must carry.
        case tooShort
        /// TLS 1.3: the inner plaintext is all padding (no content type).
        case noContentType
    }

    let aead: TLSAEAD
    let tls13: Bool
    private let key: SymmetricKey
    private let iv: [UInt8]
    private(set) var sequence: UInt64 = 0

    /// `sequence`: the number of the next record (a connection joined mid-way starts later).
    init(aead: TLSAEAD, key: [UInt8], iv: [UInt8], tls13: Bool, sequence: UInt64 = 0) {
        self.aead = aead
        self.key = SymmetricKey(data: key)
        self.iv = iv
        self.tls13 = tls13
        self.sequence = sequence
    }

    /// A record lost in a gap still used up a sequence number.
    mutating func skipRecord() { sequence &+= 1 }

    /// Decrypts one record body. TLS 1.3 returns the inner content type; TLS 1.2 the outer.
    mutating func open(
        type: UInt8, version: UInt16, body: UnsafeRawBufferPointer
    ) -> Result<(type: UInt8, plaintext: [UInt8]), Failure> {
        let tagLength = TLSRecordLimits.aeadTagLength
        let explicitNonce = !tls13 && aead != .chaCha20Poly1305 ? TLSRecordLimits.explicitNonceLength : 0
        guard body.count >= explicitNonce + tagLength else { return .failure(.tooShort) }
        var nonce: [UInt8]
        if explicitNonce > 0 {
            nonce = iv + Array(body[0..<explicitNonce])
        } else {
            // IV xor the sequence number, left-padded to the IV length.
            nonce = iv
            for index in 0..<8 {
                nonce[nonce.count - 1 - index] ^= UInt8(truncatingIfNeeded: sequence >> (8 * UInt64(index)))
            }
        }
        let ciphertext = UnsafeRawBufferPointer(rebasing: body[explicitNonce..<(body.count - tagLength)])
        let tag = UnsafeRawBufferPointer(rebasing: body[(body.count - tagLength)...])
        var aad: [UInt8]
        if tls13 {
            // The record header as sent (RFC 8446 §5.2).
            aad = [type, UInt8(version >> 8), UInt8(version & 0xff), UInt8(body.count >> 8), UInt8(body.count & 0xff)]
        } else {
            // seq_num + type + version + plaintext length (RFC 5246 §6.2.3.3).
            aad = (0..<8).map { UInt8(truncatingIfNeeded: sequence >> (8 * UInt64(7 - $0))) }
            aad += [
                type, UInt8(version >> 8), UInt8(version & 0xff), UInt8(ciphertext.count >> 8),
                UInt8(ciphertext.count & 0xff),
            ]
        }
        let opened: Data
        do {
            switch aead {
            case .aes128GCM, .aes256GCM:
                let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: nonce), ciphertext: ciphertext, tag: tag)
                opened = try AES.GCM.open(box, using: key, authenticating: aad)
            case .chaCha20Poly1305:
                let box = try ChaChaPoly.SealedBox(
                    nonce: ChaChaPoly.Nonce(data: nonce), ciphertext: ciphertext, tag: tag)
                opened = try ChaChaPoly.open(box, using: key, authenticating: aad)
            }
        } catch {
            return .failure(.authentication)
        }
        sequence &+= 1
        var plaintext = [UInt8](opened)
        guard tls13 else { return .success((type, plaintext)) }
        // TLSInnerPlaintext: content, the real type, then zero padding (RFC 8446 §5.4).
        while let last = plaintext.last, last == 0 { plaintext.removeLast() }
        guard let inner = plaintext.popLast() else { return .failure(.noContentType) }
        return .success((inner, plaintext))
    }
}
