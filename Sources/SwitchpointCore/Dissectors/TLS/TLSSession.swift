/// A TLS connection: records framed per direction, handshake messages reassembled, the
/// hellos reported. With a key log holding this connection's secrets the records are
/// decrypted (TLS 1.3 and TLS 1.2 AEAD suites) and each direction's plaintext feeds the
/// same analysis a cleartext connection gets (HTTP/2 when ALPN chose h2, else HTTP/1.1
/// with its upgrades), its events marked as decrypted. Without keys, the rest is counted.
struct TLSSession: UpgradedStreamDissector {
    /// Where a direction stands.
    private enum Phase: Equatable {
        /// Records in the clear (hellos; TLS 1.2's whole handshake until ChangeCipherSpec).
        case clear
        /// Records protected with `Side.protection`.
        case protected
        /// Encrypted and not decrypted (no keys, unsupported suite, decryption failed,
        /// framing lost): bytes are counted.
        case opaque
    }

    private struct Side {
        var framer = TLSRecordFramer()
        var handshake = TLSHandshakeReassembler()
        var phase = Phase.clear
        var protection: TLSRecordProtection?
        /// TLS 1.3: the current traffic secret (for KeyUpdate).
        var trafficSecret: [UInt8]?
        /// TLS 1.2: keys installed at this side's ChangeCipherSpec.
        var pendingProtection: TLSRecordProtection?
        /// TLS 1.3 client: 0-RTT records may come before the handshake keys apply; these are
        /// tried when a record does not open with `protection`.
        var fallback: TLSRecordProtection?
        var earlyRecordsSkipped = 0
        /// Where the first hello's records ended (bytes after it are "encrypted").
        var helloEnd: UInt64?
        /// Next stream offset (where this direction ended so far).
        var end: UInt64 = 0
        var recordsBeforeHello = 0
        /// Client records held until the ServerHello says how to read them.
        var held: [(header: TLSRecordFramer.Header, body: [UInt8], capture: CaptureInfo)] = []
        var heldBytes = 0
    }

    private let keyLog: TLSKeyLog?
    private let connection: ConnectionID
    private var sides = PerDirection(repeating: Side())

    // What the handshake told.
    private var clientHello: TLSClientHelloDetails?
    private var serverHello: TLSServerHelloDetails?
    private var tls13 = false
    private var alpn: String?
    private var resumed = false
    private var serverCertificateSeen = false
    private var certificate: TLSCertificateSummary?
    private var keysFound = false
    private var factsReported = false
    /// The decrypted application data's analysis, created at its first byte.
    private var plaintext = DecryptedPlaintextFeed()
    /// Makes `inner` (nil: decrypted bytes are counted, not analysed).
    private let makeInner: DecryptedStreamAnalysisMaker?

    init(keyLog: TLSKeyLog? = nil, connection: ConnectionID = 0, makeInner: DecryptedStreamAnalysisMaker? = nil) {
        self.keyLog = keyLog
        self.connection = connection
        self.makeInner = makeInner
    }

    // MARK: Bytes in

    mutating func receive(
        _ bytes: UnsafeRawBufferPointer, direction: Direction, offset: UInt64, capture: CaptureInfo,
        events: inout EventBuffer
    ) {
        let side = direction
        sides[side].end = offset + UInt64(bytes.count)
        // Opaque after its hello: only counted.
        if sides[side].phase == .opaque && sides[side].helloEnd != nil { return }
        sides[side].framer.append(bytes, offset: offset)
        drain(direction, capture: capture, events: &events)
    }

    mutating func receiveGap(
        direction: Direction, offset: UInt64, length: UInt64, capture: CaptureInfo, events: inout EventBuffer
    ) {
        let side = direction
        sides[side].end = offset + length
        guard sides[side].phase != .opaque || sides[side].helloEnd == nil else { return }
        guard let outcome = sides[side].framer.gap(length: length) else { return }
        if sides[side].helloEnd == nil { sides[side].helloEnd = offset }
        switch outcome {
        case .lostRecord(let header):
            sides[side].handshake.reset()
            if sides[side].phase == .protected {
                sides[side].protection?.skipRecord()
                events.finding(
                    .tlsGapInRecord,
                    "\(length) bytes never captured inside a \(header.length)-byte record; skipped to the next record, its plaintext is lost",
                    capture: capture, direction: direction, offset: header.offset)
                if header.type == TLSContentType.applicationData.rawValue, let protection = sides[side].protection {
                    // Tell the plaintext's reader what went missing (the record's content
                    // length, less the AEAD overhead; TLS 1.3 padding cannot be known).
                    let overhead =
                        TLSRecordLimits.aeadTagLength
                        + (protection.tls13
                            ? 1 : (protection.aead == .chaCha20Poly1305 ? 0 : TLSRecordLimits.explicitNonceLength))
                    let lost = UInt64(max(0, header.length - overhead))
                    if lost > 0 { innerGap(direction, length: lost, capture: capture, events: &events) }
                }
            }
        case .lostBoundary:
            if sides[side].phase == .protected {
                events.finding(
                    .tlsRecordBoundaryLost,
                    "\(length) bytes never captured where a record header was due; this direction is no longer decrypted",
                    capture: capture, direction: direction, offset: offset)
                innerGap(direction, length: length, capture: capture, events: &events)
            }
            sides[side].phase = .opaque
        }
    }

    mutating func finish(capture: CaptureInfo, events: inout EventBuffer) {
        finish(capture: capture, captureEnded: false, events: &events)
    }

    mutating func finish(capture: CaptureInfo, captureEnded: Bool, events: inout EventBuffer) {
        if keyLog != nil { reportFacts(capture: capture, events: &events) }
        plaintext.finish(capture: capture, captureEnded: captureEnded, events: &events)
        func encrypted(_ side: Side) -> UInt64 { side.helloEnd.map { side.end >= $0 ? side.end - $0 : 0 } ?? 0 }
        events.add(
            .tlsEncrypted(
                clientToServer: encrypted(sides.clientToServer), serverToClient: encrypted(sides.serverToClient)),
            capture: capture)
    }

    /// The decrypted protocol's state when there is one ("websocket over tls").
    var openState: OpenConnectionState { plaintext.openState }

    // MARK: Records

    private mutating func drain(_ direction: Direction, capture: CaptureInfo, events: inout EventBuffer) {
        let side = direction
        while sides[side].phase != .opaque || sides[side].helloEnd == nil, let next = sides[side].framer.next() {
            switch next {
            case .failure(.badHeader(let type, let version, let length)):
                if sides[side].helloEnd == nil {
                    sides[side].helloEnd = sides[side].end - UInt64(sides[side].framer.bufferedCount)
                    events.finding(
                        .tlsHelloTooLarge, "TLS hello not parsed: a record of type \(type) came before the hello",
                        capture: capture, direction: direction, offset: sides[side].helloEnd)
                } else if sides[side].phase != .opaque {
                    events.finding(
                        .tlsBadRecord,
                        "a record header that is not TLS (type \(type), version 0x\(String(version, radix: 16)), length \(length)); this direction is no longer read",
                        capture: capture, direction: direction)
                }
                sides[side].phase = .opaque
            case .success(let (header, range)):
                if sides[side].helloEnd == nil && header.type != TLSContentType.handshake.rawValue {
                    sides[side].helloEnd = header.offset
                    events.finding(
                        .tlsHelloTooLarge,
                        "TLS hello not parsed: a record of type \(header.type) came before the hello",
                        capture: capture, direction: direction, offset: header.offset)
                    sides[side].phase = .opaque
                    return
                }
                let body = sides[side].framer.withBody(range) { Array($0) }
                record(header, body: body, direction: direction, capture: capture, events: &events)
            }
        }
    }

    private mutating func record(
        _ header: TLSRecordFramer.Header, body: [UInt8], direction: Direction, capture: CaptureInfo,
        events: inout EventBuffer
    ) {
        let side = direction
        guard let type = TLSContentType(rawValue: header.type) else { return }
        if type == .changeCipherSpec {
            // TLS 1.3 sends it only for middlebox compatibility (RFC 8446 §5); in TLS 1.2
            // it switches this direction to the negotiated keys.
            if !tls13, serverHello != nil {
                if direction == .serverToClient && !serverCertificateSeen { resumed = true }
                if let pending = sides[side].pendingProtection {
                    sides[side].protection = pending
                    sides[side].pendingProtection = nil
                    sides[side].phase = .protected
                    sides[side].handshake.reset()
                } else {
                    sides[side].phase = .opaque
                }
            }
            return
        }
        switch sides[side].phase {
        case .opaque:
            return
        case .clear:
            switch type {
            case .handshake:
                body.withUnsafeBytes { sides[side].handshake.append($0, recordOffset: header.offset) }
                if sides[side].helloEnd == nil {
                    sides[side].recordsBeforeHello += 1
                    if sides[side].recordsBeforeHello > Self.maxRecordsBeforeHello {
                        sides[side].helloEnd = header.offset
                        sides[side].phase = .opaque
                        events.finding(
                            .tlsHelloTooLarge,
                            "TLS hello not parsed: no complete hello within \(Self.maxRecordsBeforeHello) records",
                            capture: capture, direction: direction, offset: header.offset)
                        return
                    }
                }
                handshakeMessages(
                    direction, recordEnd: header.offset + UInt64(TLSRecordLimits.headerLength + header.length),
                    capture: capture, events: &events)
            case .applicationData:
                if direction == .clientToServer && serverHello == nil && clientHello != nil {
                    // 0-RTT data (or the client side delivered first): keep it until the
                    // ServerHello says which keys apply.
                    if sides[side].heldBytes + body.count <= TLSRecordLimits.maxHeldRecordBytes {
                        sides[side].held.append((header, body, capture))
                        sides[side].heldBytes += body.count
                    }
                } else {
                    sides[side].phase = .opaque
                }
            default:
                break  // alerts, heartbeats in the clear
            }
        case .protected:
            decrypt(header, body: body, direction: direction, capture: capture, events: &events)
        }
    }

    private mutating func decrypt(
        _ header: TLSRecordFramer.Header, body: [UInt8], direction: Direction, capture: CaptureInfo,
        events: inout EventBuffer
    ) {
        let side = direction
        guard var protection = sides[side].protection else { return }
        var result = body.withUnsafeBytes { protection.open(type: header.type, version: header.version, body: $0) }
        if case .failure = result, var fallback = sides[side].fallback {
            // 0-RTT: a record under the early keys, or the first under the handshake keys.
            let second = body.withUnsafeBytes { fallback.open(type: header.type, version: header.version, body: $0) }
            if case .success = second {
                protection = fallback
                sides[side].fallback = nil
                result = second
            } else {
                if sides[side].earlyRecordsSkipped == 0 {
                    events.finding(
                        .tlsEarlyDataWithoutSecret,
                        "0-RTT early data not decrypted: the key log has no CLIENT_EARLY_TRAFFIC_SECRET for this connection (or it is wrong)",
                        capture: capture, direction: direction, offset: header.offset)
                }
                sides[side].earlyRecordsSkipped += 1
                return
            }
        }
        switch result {
        case .failure(let failure):
            let why =
                failure == .authentication
                ? "does not authenticate: wrong key file or corrupted record"
                : failure == .tooShort ? "is too short to hold its nonce and tag" : "holds no content type"
            events.finding(
                .tlsDecryptFailed, "the \(header.length)-byte record \(why); this direction is no longer decrypted",
                capture: capture, direction: direction, offset: header.offset)
            sides[side].phase = .opaque
            sides[side].protection = nil
        case .success(let (innerType, plaintext)):
            sides[side].protection = protection
            switch TLSContentType(rawValue: innerType) {
            case .handshake:
                sides[side].handshake.append(plaintext, recordOffset: header.offset)
                handshakeMessages(
                    direction, recordEnd: header.offset + UInt64(TLSRecordLimits.headerLength + header.length),
                    capture: capture, events: &events)
            case .applicationData:
                sides[side].fallback = nil
                deliver(plaintext, direction: direction, capture: capture, events: &events)
            default:
                break  // alerts (close_notify), heartbeats
            }
        }
    }

    // MARK: Handshake

    /// Named limit: records read before the first hello is whole (empty records cost nothing
    /// else, so they are bounded by count).
    static let maxRecordsBeforeHello = 256
    /// Named limit: a hello larger than this is not read (post-quantum key shares make
    /// ClientHellos of a few KiB).
    static let maxHelloBytes = 64 * 1024

    private mutating func handshakeMessages(
        _ direction: Direction, recordEnd: UInt64, capture: CaptureInfo, events: inout EventBuffer
    ) {
        let side = direction
        while true {
            let first = sides[side].helloEnd == nil
            let limit = first ? Self.maxHelloBytes : TLSRecordLimits.maxHandshakeMessageLength
            guard let next = sides[side].handshake.next(limit: limit) else { break }
            switch next {
            case .failure(.tooLarge(let type, let length)):
                if first {
                    sides[side].helloEnd = recordEnd
                    sides[side].phase = .opaque
                    events.finding(
                        .tlsHelloTooLarge,
                        "TLS hello not parsed: a hello of \(length) bytes is over the \(Self.maxHelloBytes)-byte limit",
                        capture: capture, direction: direction, offset: recordEnd)
                } else {
                    events.finding(
                        .tlsBadHandshake,
                        "a handshake message of type \(type) and \(length) bytes is over the \(TLSRecordLimits.maxHandshakeMessageLength)-byte limit; later handshake messages of this direction are not read",
                        capture: capture, direction: direction)
                }
                return
            case .success(let message):
                if first { sides[side].helloEnd = recordEnd }
                handshakeMessage(message, first: first, direction: direction, capture: capture, events: &events)
            }
        }
    }

    private mutating func handshakeMessage(
        _ message: TLSHandshakeReassembler.Message, first: Bool, direction: Direction, capture: CaptureInfo,
        events: inout EventBuffer
    ) {
        let side = direction
        let type = TLSHandshakeType(rawValue: message.type)
        switch (direction, type) {
        case (.clientToServer, .clientHello):
            guard let details = TLSHelloParser.clientHelloDetails(message.body) else {
                events.finding(
                    .tlsMalformedHello, "a ClientHello whose lengths do not add up", capture: capture,
                    direction: direction, offset: message.offset)
                if first { sides[side].phase = .opaque }
                return
            }
            clientHello = details
            events.add(.tlsClientHello(details.hello), capture: capture, direction: direction, offset: message.offset)
        case (.serverToClient, .serverHello):
            guard let details = TLSHelloParser.serverHelloDetails(message.body) else {
                events.finding(
                    .tlsMalformedHello, "a ServerHello whose lengths do not add up", capture: capture,
                    direction: direction, offset: message.offset)
                if first { sides[side].phase = .opaque }
                return
            }
            if details.isHelloRetryRequest {
                let group = details.selectedGroup.map(TLSNamedGroup.name)
                events.add(
                    .tlsHelloRetry(TLSHelloRetry(cipherSuite: details.cipherSuite.name, group: group)),
                    capture: capture, direction: direction, offset: message.offset)
                return
            }
            var shown = details.hello
            // A client that offered no ALPN gets none: nothing was selected, encrypted or not.
            if let clientHello, clientHello.hello.alpn.isEmpty { shown.selectionEncrypted = false }
            serverHello = details
            events.add(.tlsServerHello(shown), capture: capture, direction: direction, offset: message.offset)
            serverHelloSeen(details, capture: capture, events: &events)
        case (_, _) where first:
            events.finding(
                .tlsMalformedHello, "the first handshake message is of type \(message.type), not a hello",
                capture: capture, direction: direction, offset: message.offset)
            sides[side].phase = .opaque
        case (.serverToClient, .encryptedExtensions):
            if let chosen = TLSHelloParser.encryptedExtensionsALPN(message.body) { alpn = chosen }
        case (.serverToClient, .certificate):
            serverCertificateSeen = true
            if certificate == nil, let der = TLSHelloParser.leafCertificate(message.body, tls13: tls13) {
                certificate = TLSCertificateSummary.parse(der)
            }
        case (.serverToClient, .serverHelloDone):
            serverCertificateSeen = true
        case (_, .finished) where tls13:
            // The handshake of this direction is over: application keys from here.
            let found =
                direction == .clientToServer
                ? secrets { $0.clientTrafficSecret0 != nil }?.clientTrafficSecret0
                : secrets { $0.serverTrafficSecret0 != nil }?.serverTrafficSecret0
            install13(found, direction: direction, capture: capture, events: &events)
        case (.clientToServer, .endOfEarlyData):
            // 0-RTT is over: the client's handshake keys apply (RFC 8446 §4.5).
            if let fallback = sides[side].fallback {
                sides[side].protection = fallback
                sides[side].fallback = nil
            }
        case (_, .keyUpdate) where tls13:
            if let secret = sides[side].trafficSecret, let suite = serverHello?.cipherSuite {
                install13(
                    TLSKeySchedule.nextTrafficSecret(secret, hash: suite.hash), direction: direction, capture: capture,
                    events: &events)
            }
        default:
            break
        }
    }

    /// This connection's secrets; live, the key log files are re-read first when
    /// `complete` says the ones needed now are missing (a browser appends as it connects).
    private func secrets(complete: (TLSClientSecrets) -> Bool) -> TLSClientSecrets? {
        guard let keyLog, let random = clientHello?.random else { return nil }
        return keyLog.secrets(clientRandom: random, complete: complete)
    }

    /// The ServerHello fixes version and suite: find the keys for this client random.
    private mutating func serverHelloSeen(
        _ details: TLSServerHelloDetails, capture: CaptureInfo, events: inout EventBuffer
    ) {
        tls13 = details.versionValue >= 0x0304
        if tls13 {
            resumed = details.pskAccepted
        } else if let chosen = details.hello.alpn {
            alpn = chosen
        }
        guard keyLog != nil else {
            // Without keys the rest of each direction is opaque once protected.
            if tls13 { sides[.serverToClient].phase = .opaque }
            return
        }
        let suite = details.cipherSuite
        let randomHex = TLSHex.string(clientHello?.random ?? [])
        guard let aead = suite.aead else {
            events.finding(
                .tlsCipherSuiteNotSupported,
                "\(suite.name) is not decrypted (only AEAD suites: AES-GCM, ChaCha20-Poly1305)",
                capture: capture, direction: .serverToClient)
            makeOpaque(afterServerHello: true)
            return
        }
        let tls13 = tls13
        let needed = { (found: TLSClientSecrets) in
            tls13
                ? found.clientHandshakeTrafficSecret != nil && found.serverHandshakeTrafficSecret != nil
                : found.masterSecret != nil
        }
        guard let secrets = self.secrets(complete: needed), let clientRandom = clientHello?.random else {
            events.finding(
                .tlsNoKey, "no key in the key log for client random \(randomHex); the connection stays encrypted",
                capture: capture, direction: .serverToClient)
            makeOpaque(afterServerHello: true)
            return
        }
        let client = Direction.clientToServer
        let server = Direction.serverToClient
        if tls13 {
            guard let serverSecret = secrets.serverHandshakeTrafficSecret,
                let clientSecret = secrets.clientHandshakeTrafficSecret
            else {
                events.finding(
                    .tlsNoKey,
                    "the key log has no CLIENT/SERVER_HANDSHAKE_TRAFFIC_SECRET for client random \(randomHex); the connection stays encrypted",
                    capture: capture, direction: .serverToClient)
                makeOpaque(afterServerHello: true)
                return
            }
            keysFound = true
            let serverKeys = TLSKeySchedule.trafficKeys(secret: serverSecret, aead: aead, hash: suite.hash)
            sides[server].protection = TLSRecordProtection(
                aead: aead, key: serverKeys.key, iv: serverKeys.iv, tls13: true)
            sides[server].phase = .protected
            let clientKeys = TLSKeySchedule.trafficKeys(secret: clientSecret, aead: aead, hash: suite.hash)
            let handshakeProtection = TLSRecordProtection(
                aead: aead, key: clientKeys.key, iv: clientKeys.iv, tls13: true)
            if clientHello?.offersEarlyData == true {
                if let early = secrets.clientEarlyTrafficSecret {
                    let earlyKeys = TLSKeySchedule.trafficKeys(secret: early, aead: aead, hash: suite.hash)
                    sides[client].protection = TLSRecordProtection(
                        aead: aead, key: earlyKeys.key, iv: earlyKeys.iv, tls13: true)
                    sides[client].fallback = handshakeProtection
                } else {
                    // Records that do not open with the handshake keys are 0-RTT data.
                    sides[client].protection = handshakeProtection
                    sides[client].fallback = handshakeProtection
                }
            } else {
                sides[client].protection = handshakeProtection
            }
            sides[client].phase = .protected
        } else {
            guard let master = secrets.masterSecret else {
                events.finding(
                    .tlsNoKey,
                    "the key log has no CLIENT_RANDOM line for client random \(randomHex); the connection stays encrypted",
                    capture: capture, direction: .serverToClient)
                makeOpaque(afterServerHello: false)
                return
            }
            keysFound = true
            let block = TLSKeySchedule.keyBlock(
                masterSecret: master, clientRandom: clientRandom, serverRandom: details.random, aead: aead,
                hash: suite.hash)
            sides[client].pendingProtection = TLSRecordProtection(
                aead: aead, key: block.clientKey, iv: block.clientIV, tls13: false)
            sides[server].pendingProtection = TLSRecordProtection(
                aead: aead, key: block.serverKey, iv: block.serverIV, tls13: false)
        }
        // Client records that came before the ServerHello (0-RTT).
        let held = sides[client].held
        sides[client].held = []
        sides[client].heldBytes = 0
        for entry in held where sides[client].phase == .protected {
            decrypt(entry.header, body: entry.body, direction: .clientToServer, capture: entry.capture, events: &events)
        }
    }

    /// TLS 1.3 records after the ServerHello are encrypted; TLS 1.2 ones after each CCS.
    private mutating func makeOpaque(afterServerHello: Bool) {
        guard afterServerHello && tls13 else { return }
        for direction in Direction.allCases { sides[direction].phase = .opaque }
        sides[.clientToServer].held = []
    }

    private mutating func install13(
        _ secret: [UInt8]?, direction: Direction, capture: CaptureInfo, events: inout EventBuffer
    ) {
        let side = direction
        guard let suite = serverHello?.cipherSuite, let aead = suite.aead, sides[side].phase == .protected else {
            return
        }
        guard let secret else {
            events.finding(
                .tlsNoKey,
                "the key log has no \(direction == .clientToServer ? "CLIENT" : "SERVER")_TRAFFIC_SECRET_0 for client random \(TLSHex.string(clientHello?.random ?? [])); application data of this direction stays encrypted",
                capture: capture, direction: direction)
            sides[side].phase = .opaque
            return
        }
        let keys = TLSKeySchedule.trafficKeys(secret: secret, aead: aead, hash: suite.hash)
        sides[side].protection = TLSRecordProtection(aead: aead, key: keys.key, iv: keys.iv, tls13: true)
        sides[side].trafficSecret = secret
        sides[side].fallback = nil
    }

    // MARK: Plaintext

    private mutating func reportFacts(capture: CaptureInfo, events: inout EventBuffer) {
        guard !factsReported, let serverHello else { return }
        factsReported = true
        if keysFound, let random = clientHello?.random, keyLog?.conflicted(clientRandom: random) == true {
            events.finding(
                .tlsKeyLogConflict,
                "the capture's decryption secrets block and the key log file disagree for client random \(TLSHex.string(random)); the key log file's secrets are used",
                capture: capture)
        }
        var facts = TLSSessionFacts(
            version: serverHello.hello.version, cipherSuite: serverHello.cipherSuite.name,
            serverName: clientHello?.hello.serverName, alpnOffered: clientHello?.hello.alpn ?? [],
            alpn: alpn, resumed: resumed, decrypted: keysFound, certificate: certificate)
        facts.alpnEncrypted = tls13 && !keysFound && alpn == nil && !facts.alpnOffered.isEmpty
        events.decrypted = keysFound
        events.add(.tlsSession(facts), capture: capture)
        events.decrypted = false
    }

    private mutating func deliver(
        _ bytes: [UInt8], direction: Direction, capture: CaptureInfo, events: inout EventBuffer
    ) {
        guard !bytes.isEmpty else { return }
        reportFacts(capture: capture, events: &events)
        let (makeInner, http2) = (makeInner, alpn?.lowercasedASCII == "h2")
        plaintext.deliver(bytes, direction: direction, capture: capture, events: &events) {
            makeInner?(http2 ? .http2 : .detect)
        }
    }

    private mutating func innerGap(
        _ direction: Direction, length: UInt64, capture: CaptureInfo, events: inout EventBuffer
    ) {
        plaintext.gap(direction, length: length, capture: capture, events: &events)
    }
}

/// Group names for the HelloRetryRequest line (RFC 8446 §4.2.7, RFC 8422, draft-kwiatkowski).
enum TLSNamedGroup {
    static func name(_ value: UInt16) -> String {
        switch value {
        case 0x0017: "secp256r1"
        case 0x0018: "secp384r1"
        case 0x0019: "secp521r1"
        case 0x001d: "x25519"
        case 0x001e: "x448"
        case 0x0100: "ffdhe2048"
        case 0x0101: "ffdhe3072"
        case 0x11ec: "X25519MLKEM768"
        default: "0x" + String(value, radix: 16).leftPadded(to: 4)
        }
    }
}
