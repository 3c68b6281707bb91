import Crypto
import _CryptoExtras

/// A TLS 1.3 connection joined after its handshake (recognised by its records), with a key
/// log. The key log names secrets by the client random of a ClientHello that was not
/// captured, so each direction's records are opened by trial: every logged TLS 1.3 secret
/// of that direction, at each record number from 0, until one authenticates (an AEAD tag
/// passes by chance with probability 2^-128). The direction is then decrypted from its
/// first held record on, and its plaintext analysed as a connection joined mid-way. TLS 1.2
/// cannot be opened this way: its keys also need the server random of the unseen hellos.
///
/// Both directions' bytes are held, in the order they came, until each direction has been
/// tried, so the decrypted events keep capture order across directions.
struct TLSMidStreamSession: UpgradedStreamDissector {
    /// Named limit: bytes of both directions held before a verdict (then let go as it stands).
    static let maxHeldBytes = 1 << 20
    /// Named limit: records one direction may hold while the other has sent none.
    static let maxHeldRecords = 64
    /// A record this short is tried at once (a trial costs its length); a longer one waits
    /// for up to `maxRecordsBeforeTrial` records to try the shortest.
    static let cheapTrialLength = 1024
    static let maxRecordsBeforeTrial = 4
    /// Named limit: decryptions tried per direction (secrets × record numbers).
    static let maxTrials = 1 << 16
    /// Named limit: logged connections whose secrets are tried.
    static let maxCandidateConnections = 256

    private enum Phase: Equatable {
        /// No secret found yet.
        case searching
        case decrypting
        /// Not decrypted: shown as one run.
        case opaque
    }

    /// Which of a connection's secrets protects a direction now.
    private enum Epoch: Equatable {
        case handshake
        case application
    }

    /// A record kept to try secrets on: its number among this direction's protected records.
    private struct TrialRecord {
        var number: Int
        var header: TLSRecordFramer.Header
        var body: [UInt8]
    }

    private struct Side {
        var framer = TLSRecordFramer()
        var phase = Phase.searching
        var protection: TLSRecordProtection?
        var epoch = Epoch.application
        var secret: [UInt8] = []
        var hash = TLSHashFunction.sha256
        var handshake = TLSHandshakeReassembler()
        var trialRecords: [TrialRecord] = []
        var protectedRecords = 0
        var end: UInt64 = 0
        var start: UInt64?
        /// After the hold: this direction's bytes while it is still searching.
        var pending: [HeldPiece] = []
        var pendingBytes = 0
        /// Where records begin (nil: the first captured byte fell inside a record, and the
        /// search for the next record header goes on).
        var boundary: UInt64?
        var boundarySearch = TLSRecordBoundarySearch()
    }

    private struct HeldPiece {
        var direction: Direction
        var offset: UInt64
        var capture: CaptureInfo
        var bytes: [UInt8]
    }

    private let keyLog: TLSKeyLog
    private let makeInner: DecryptedStreamAnalysisMaker?
    private var sides = PerDirection(repeating: Side())
    private var held: [HeldPiece] = []
    private var heldBytes = 0
    private var holding = true
    private var runs = ByteRunDissector(protocolName: ProtocolID.tls.token, notRecognised: false)
    /// The logged connection whose secrets opened a direction (tried first on the other).
    private var matched: (clientRandom: [UInt8], secrets: TLSClientSecrets)?
    private var suite: TLSCipherSuite?
    private var factsReported = false
    private var plaintext = DecryptedPlaintextFeed()

    /// `aligned`: which directions are known to begin at a record header.
    init(keyLog: TLSKeyLog, makeInner: DecryptedStreamAnalysisMaker?, aligned: PerDirection<Bool>) {
        self.keyLog = keyLog
        self.makeInner = makeInner
        alignedAtStart = aligned
    }

    private let alignedAtStart: PerDirection<Bool>

    // MARK: Bytes in

    mutating func receive(
        _ bytes: UnsafeRawBufferPointer, direction: Direction, offset: UInt64, capture: CaptureInfo,
        events: inout EventBuffer
    ) {
        guard !bytes.isEmpty else { return }
        if sides[direction].start == nil {
            sides[direction].start = offset
            if alignedAtStart[direction] { sides[direction].boundary = offset }
        }
        sides[direction].end = offset + UInt64(bytes.count)
        guard holding else {
            process(bytes, direction: direction, offset: offset, capture: capture, events: &events)
            return
        }
        held.append(HeldPiece(direction: direction, offset: offset, capture: capture, bytes: Array(bytes)))
        heldBytes += bytes.count
        scan(bytes, direction: direction, offset: offset, capture: capture, events: &events)
        if readyToRelease { release(capture: capture, events: &events) }
    }

    mutating func receiveGap(
        direction: Direction, offset: UInt64, length: UInt64, capture: CaptureInfo, events: inout EventBuffer
    ) {
        if holding { release(capture: capture, events: &events) }
        sides[direction].end = offset + length
        switch sides[direction].phase {
        case .opaque:
            runs.receiveGap(direction: direction, offset: offset, length: length, capture: capture, events: &events)
        case .searching, .decrypting:
            if sides[direction].phase == .decrypting {
                events.finding(
                    .tlsRecordBoundaryLost,
                    "\(length) bytes never captured in a connection joined mid-way; this direction is no longer decrypted",
                    capture: capture, direction: direction, offset: offset)
                innerGap(direction, offset: offset, length: length, capture: capture, events: &events)
            }
            sides[direction].phase = .opaque
            sides[direction].protection = nil
        }
    }

    mutating func finish(capture: CaptureInfo, events: inout EventBuffer) {
        finish(capture: capture, captureEnded: false, events: &events)
    }

    mutating func finish(capture: CaptureInfo, captureEnded: Bool, events: inout EventBuffer) {
        if holding { release(capture: capture, events: &events) }
        for direction in [Direction.clientToServer, .serverToClient] where !sides[direction].pending.isEmpty {
            // Still searching at the end: what it held is shown as it stands.
            sides[direction].phase = .opaque
            let pieces = sides[direction].pending
            sides[direction].pending = []
            for piece in pieces {
                piece.bytes.withUnsafeBytes {
                    runs.receive(
                        $0, direction: direction, offset: piece.offset, capture: piece.capture, events: &events)
                }
            }
        }
        runs.flushAll(events: &events)
        plaintext.finish(capture: capture, captureEnded: captureEnded, events: &events)
        func seen(_ side: Side) -> UInt64 { side.start.map { side.end - $0 } ?? 0 }
        events.add(
            .tlsEncrypted(clientToServer: seen(sides.clientToServer), serverToClient: seen(sides.serverToClient)),
            capture: capture)
    }

    /// A direction still looking for its first record (or its key) holds bytes it will
    /// show late: the analysis keeps the events in capture order meanwhile.
    var isSearchingForFrames: Bool {
        [Direction.clientToServer, .serverToClient].contains {
            sides[$0].phase == .searching && sides[$0].start != nil || !sides[$0].pending.isEmpty
        }
    }

    var openState: OpenConnectionState { plaintext.openState }

    // MARK: Holding

    /// Frames the held bytes and keeps the first protected records to try secrets on.
    private mutating func scan(
        _ bytes: UnsafeRawBufferPointer, direction: Direction, offset: UInt64, capture: CaptureInfo,
        immediately: Bool = false, events: inout EventBuffer
    ) {
        guard sides[direction].phase == .searching else { return }
        guard sides[direction].boundary != nil else {
            findBoundary(bytes, direction: direction, offset: offset, capture: capture, events: &events)
            return
        }
        guard let aligned = Self.fromBoundary(bytes, offset: offset, boundary: sides[direction].boundary) else {
            return
        }
        sides[direction].framer.append(aligned.bytes, offset: aligned.offset)
        frameForTrial(direction, capture: capture, immediately: immediately, events: &events)
    }

    /// The part of a piece at or after the record boundary (nil: none of it, or no boundary).
    private static func fromBoundary(
        _ bytes: UnsafeRawBufferPointer, offset: UInt64, boundary: UInt64?
    ) -> (bytes: UnsafeRawBufferPointer, offset: UInt64)? {
        guard let boundary, offset + UInt64(bytes.count) > boundary else { return nil }
        let skip = Int(boundary > offset ? boundary - offset : 0)
        return (UnsafeRawBufferPointer(rebasing: bytes[skip...]), offset + UInt64(skip))
    }

    /// A direction that began inside a record: searched for its first record header; once
    /// found, the bytes before it are one run and what this direction holds is framed.
    private mutating func findBoundary(
        _ bytes: UnsafeRawBufferPointer, direction: Direction, offset: UInt64, capture: CaptureInfo,
        events: inout EventBuffer
    ) {
        switch sides[direction].boundarySearch.append(bytes, offset: offset) {
        case .searching:
            return
        case .notFound:
            sides[direction].phase = .opaque
        case .found(let boundary):
            sides[direction].boundary = boundary
            var before = ByteRunDissector(protocolName: ProtocolID.tls.token, notRecognised: false)
            let pieces = holding ? held.filter { $0.direction == direction } : sides[direction].pending
            for piece in pieces where piece.offset < boundary {
                let end = Int(min(UInt64(piece.bytes.count), boundary - piece.offset))
                piece.bytes[..<end].withUnsafeBytes {
                    before.receive(
                        $0, direction: direction, offset: piece.offset, capture: piece.capture, events: &events)
                }
            }
            before.flushAll(events: &events)
            for piece in pieces {
                piece.bytes.withUnsafeBytes {
                    guard let aligned = Self.fromBoundary($0, offset: piece.offset, boundary: boundary) else { return }
                    sides[direction].framer.append(aligned.bytes, offset: aligned.offset)
                }
                frameForTrial(direction, capture: piece.capture, immediately: !holding, events: &events)
                if sides[direction].phase != .searching { return }
            }
        }
    }

    /// Keeps the first protected records framed so far and tries secrets when one is short
    /// enough, enough are held, or (`immediately`) at once.
    private mutating func frameForTrial(
        _ direction: Direction, capture: CaptureInfo, immediately: Bool, events: inout EventBuffer
    ) {
        while sides[direction].phase == .searching, let next = sides[direction].framer.next() {
            guard case .success(let (header, range)) = next else {
                sides[direction].phase = .opaque
                return
            }
            guard header.type == TLSContentType.applicationData.rawValue else { continue }
            let number = sides[direction].protectedRecords
            sides[direction].protectedRecords += 1
            if sides[direction].trialRecords.count < Self.maxRecordsBeforeTrial {
                let body = sides[direction].framer.withBody(range) { Array($0) }
                sides[direction].trialRecords.append(TrialRecord(number: number, header: header, body: body))
            }
            let cheap = header.length <= Self.cheapTrialLength
            if immediately || cheap || sides[direction].trialRecords.count >= Self.maxRecordsBeforeTrial {
                trySecrets(direction, capture: capture, events: &events)
            }
        }
    }

    /// Every direction tried, the hold full, or one direction far ahead of a silent other.
    private var readyToRelease: Bool {
        if heldBytes >= Self.maxHeldBytes { return true }
        let decided = sides.clientToServer.phase != .searching && sides.serverToClient.phase != .searching
        let oneSided = [Direction.clientToServer, .serverToClient].contains {
            sides[$0].phase != .searching && sides[$0.reversed].protectedRecords == 0
                && sides[$0].protectedRecords >= Self.maxHeldRecords
        }
        return decided || oneSided
    }

    /// Tries the directions still searching with what they hold, then replays the held
    /// bytes in their order through the path each direction's verdict chose.
    private mutating func release(capture: CaptureInfo, events: inout EventBuffer) {
        for direction in [Direction.clientToServer, .serverToClient]
        where sides[direction].phase == .searching && !sides[direction].trialRecords.isEmpty {
            trySecrets(direction, capture: capture, events: &events)
        }
        holding = false
        for direction in [Direction.clientToServer, .serverToClient] {
            sides[direction].framer = TLSRecordFramer()
            sides[direction].boundarySearch = TLSRecordBoundarySearch()
            sides[direction].trialRecords = []
            sides[direction].protectedRecords = 0
        }
        let pieces = held
        held = []
        heldBytes = 0
        for piece in pieces {
            piece.bytes.withUnsafeBytes {
                process($0, direction: piece.direction, offset: piece.offset, capture: piece.capture, events: &events)
            }
        }
    }

    // MARK: Finding the secret

    /// The secrets to try on a direction: the connection that opened the other direction
    /// first, then every logged TLS 1.3 connection. Handshake secrets too: a capture that
    /// began inside the handshake still has the Finished messages to come.
    private func candidates(_ direction: Direction) -> [(random: [UInt8], epoch: Epoch, secret: [UInt8])] {
        var connections = keyLog.tls13Connections(limit: Self.maxCandidateConnections)
        if let matched {
            connections.removeAll { $0.clientRandom == matched.clientRandom }
            connections.insert(matched, at: 0)
        }
        var result: [(random: [UInt8], epoch: Epoch, secret: [UInt8])] = []
        for (random, secrets) in connections {
            let (application, handshake) =
                direction == .clientToServer
                ? (secrets.clientTrafficSecret0, secrets.clientHandshakeTrafficSecret)
                : (secrets.serverTrafficSecret0, secrets.serverHandshakeTrafficSecret)
            if let application { result.append((random, .application, application)) }
            if let handshake { result.append((random, .handshake, handshake)) }
        }
        return result
    }

    /// The TLS 1.3 suites a secret of this length can belong to (its hash's output).
    private static func suites(forSecretLength length: Int) -> [TLSCipherSuite] {
        switch length {
        case TLSHashFunction.sha384.length: [.aes256GCMSHA384]
        case TLSHashFunction.sha256.length: [.aes128GCMSHA256, .chaCha20Poly1305SHA256]
        default: []
        }
    }

    /// One key to try: a secret's record keys under one suite.
    private struct TrialKey {
        var random: [UInt8]
        var epoch: Epoch
        var secret: [UInt8]
        var suite: TLSCipherSuite
        var aead: TLSAEAD
        var key: [UInt8]
        var iv: [UInt8]
        var symmetricKey: SymmetricKey

        /// Whether the record's last plaintext byte under this key at `sequence` can be a
        /// TLS 1.3 inner content type or padding (RFC 8446 §5.4): one AES block instead of a
        /// whole AEAD open, passing a wrong key 6 times in 256. AES-GCM only (RFC 5288:
        /// counter block = nonce, then 2 for the first plaintext block).
        func mayOpen(_ body: [UInt8], sequence: UInt64) -> Bool {
            guard aead != .chaCha20Poly1305 else { return true }
            let length = body.count - TLSRecordLimits.aeadTagLength
            guard length > 0 else { return false }
            var block = iv
            for index in 0..<8 {
                block[block.count - 1 - index] ^= UInt8(truncatingIfNeeded: sequence >> (8 * UInt64(index)))
            }
            let counter = UInt32(truncatingIfNeeded: 2 + (length - 1) / 16)
            block += [
                UInt8(counter >> 24), UInt8(truncatingIfNeeded: counter >> 16),
                UInt8(truncatingIfNeeded: counter >> 8), UInt8(truncatingIfNeeded: counter),
            ]
            guard (try? AES.permute(&block, key: symmetricKey)) != nil else { return true }
            let last = body[length - 1] ^ block[(length - 1) % 16]
            return last == 0 || TLSContentType(rawValue: last) != nil
        }
    }

    private func trialKeys(_ direction: Direction) -> [TrialKey] {
        var keys: [TrialKey] = []
        for candidate in candidates(direction) {
            for suite in Self.suites(forSecretLength: candidate.secret.count) {
                guard let aead = suite.aead else { continue }
                let derived = TLSKeySchedule.trafficKeys(secret: candidate.secret, aead: aead, hash: suite.hash)
                keys.append(
                    TrialKey(
                        random: candidate.random, epoch: candidate.epoch, secret: candidate.secret, suite: suite,
                        aead: aead, key: derived.key, iv: derived.iv, symmetricKey: SymmetricKey(data: derived.key)))
            }
        }
        return keys
    }

    /// Tries every key at each record number on the shortest record held, within the
    /// trial budget; the first that authenticates decides the direction.
    private mutating func trySecrets(_ direction: Direction, capture: CaptureInfo, events: inout EventBuffer) {
        guard let record = sides[direction].trialRecords.min(by: { $0.body.count < $1.body.count }) else { return }
        let keys = trialKeys(direction)
        let numbers = keys.isEmpty ? 0 : Self.maxTrials / keys.count
        for sequence in 0..<numbers where sequence >= record.number {
            for trial in keys where trial.mayOpen(record.body, sequence: UInt64(sequence)) {
                var protection = TLSRecordProtection(
                    aead: trial.aead, key: trial.key, iv: trial.iv, tls13: true, sequence: UInt64(sequence))
                let opened = record.body.withUnsafeBytes {
                    protection.open(type: record.header.type, version: record.header.version, body: $0)
                }
                guard case .success = opened else { continue }
                found(
                    trial, firstSequence: sequence - record.number, direction: direction, capture: capture,
                    events: &events)
                return
            }
        }
        sides[direction].phase = .opaque
        let stamp = findingCapture(direction, now: capture)
        events.finding(
            .tlsNoKey,
            "joined after the handshake: no TLS 1.3 secret in the key log (\(keys.count) keys from \(keyLog.clientRandomCount) connections) opens this direction's records at record numbers 0 to \(max(0, numbers - 1)); a TLS 1.2 connection cannot be opened without its hellos",
            capture: stamp, direction: direction, offset: sides[direction].boundary ?? sides[direction].start)
    }

    /// Where a verdict's finding goes: at the first piece held (the finding speaks of bytes
    /// that come after it), or now when nothing is held, so the timeline keeps capture order.
    private func findingCapture(_ direction: Direction, now: CaptureInfo) -> CaptureInfo {
        if holding, let first = held.first { return first.capture }
        return sides[direction].pending.first?.capture ?? now
    }

    private mutating func found(
        _ trial: TrialKey, firstSequence: Int, direction: Direction, capture: CaptureInfo, events: inout EventBuffer
    ) {
        let first = matched == nil
        if first, let secrets = keyLog.secrets(clientRandom: trial.random) { matched = (trial.random, secrets) }
        suite = trial.suite
        sides[direction].phase = .decrypting
        sides[direction].epoch = trial.epoch
        sides[direction].secret = trial.secret
        sides[direction].hash = trial.suite.hash
        sides[direction].protection = TLSRecordProtection(
            aead: trial.aead, key: trial.key, iv: trial.iv, tls13: true, sequence: UInt64(firstSequence))
        let epoch = trial.epoch == .application ? "traffic" : "handshake traffic"
        let stamp = findingCapture(direction, now: capture)
        events.finding(
            .detectedByContent,
            "decrypted without the handshake: this direction's records open with the \(epoch) secret the key log gives for client random \(TLSHex.string(trial.random)) (\(trial.suite.name)), from record number \(firstSequence)",
            capture: stamp, direction: direction, offset: sides[direction].boundary ?? sides[direction].start)
    }

    // MARK: After the verdict

    private mutating func process(
        _ bytes: UnsafeRawBufferPointer, direction: Direction, offset: UInt64, capture: CaptureInfo,
        events: inout EventBuffer
    ) {
        switch sides[direction].phase {
        case .opaque:
            runs.receive(bytes, direction: direction, offset: offset, capture: capture, events: &events)
        case .searching:
            searchAfterHold(bytes, direction: direction, offset: offset, capture: capture, events: &events)
        case .decrypting:
            guard let aligned = Self.fromBoundary(bytes, offset: offset, boundary: sides[direction].boundary)
            else { return }
            sides[direction].framer.append(aligned.bytes, offset: aligned.offset)
            drain(direction, capture: capture, events: &events)
        }
    }

    /// A direction that sent no record while the hold lasted: tried on its first record,
    /// which ends in this piece, so what it held is replayed without leaving capture order.
    private mutating func searchAfterHold(
        _ bytes: UnsafeRawBufferPointer, direction: Direction, offset: UInt64, capture: CaptureInfo,
        events: inout EventBuffer
    ) {
        sides[direction].pending.append(
            HeldPiece(direction: direction, offset: offset, capture: capture, bytes: Array(bytes)))
        sides[direction].pendingBytes += bytes.count
        scan(bytes, direction: direction, offset: offset, capture: capture, immediately: true, events: &events)
        if sides[direction].phase == .searching && sides[direction].pendingBytes < Self.maxHeldBytes { return }
        if sides[direction].phase == .searching { sides[direction].phase = .opaque }
        let pieces = sides[direction].pending
        sides[direction].pending = []
        sides[direction].pendingBytes = 0
        sides[direction].framer = TLSRecordFramer()
        for piece in pieces {
            piece.bytes.withUnsafeBytes {
                process($0, direction: direction, offset: piece.offset, capture: piece.capture, events: &events)
            }
        }
    }

    private mutating func drain(_ direction: Direction, capture: CaptureInfo, events: inout EventBuffer) {
        while sides[direction].phase == .decrypting, let next = sides[direction].framer.next() {
            guard case .success(let (header, range)) = next else {
                events.finding(
                    .tlsBadRecord, "a record header that is not TLS; this direction is no longer read",
                    capture: capture, direction: direction)
                sides[direction].phase = .opaque
                return
            }
            guard header.type == TLSContentType.applicationData.rawValue,
                var protection = sides[direction].protection
            else { continue }
            let opened = sides[direction].framer.withBody(range) {
                protection.open(type: header.type, version: header.version, body: $0)
            }
            sides[direction].protection = protection
            switch opened {
            case .failure:
                events.finding(
                    .tlsDecryptFailed,
                    "the \(header.length)-byte record does not authenticate under the key found for this direction; it is no longer decrypted",
                    capture: capture, direction: direction, offset: header.offset)
                sides[direction].phase = .opaque
            case .success(let (innerType, plaintext)):
                plaintextRecord(
                    innerType, plaintext, header: header, direction: direction, capture: capture, events: &events)
            }
        }
    }

    private mutating func plaintextRecord(
        _ innerType: UInt8, _ plaintext: [UInt8], header: TLSRecordFramer.Header, direction: Direction,
        capture: CaptureInfo, events: inout EventBuffer
    ) {
        switch TLSContentType(rawValue: innerType) {
        case .handshake?:
            sides[direction].handshake.append(plaintext, recordOffset: header.offset)
            while case .success(let message)? = sides[direction].handshake.next() {
                handshakeMessage(message.type, direction: direction)
            }
        case .applicationData?:
            deliver(plaintext, direction: direction, capture: capture, events: &events)
        case .changeCipherSpec?, .alert?, .heartbeat?, nil:
            break  // close_notify and the like
        }
    }

    /// The messages that change keys: Finished ends the handshake epoch, KeyUpdate moves to
    /// the next traffic secret (RFC 8446 §4.4.4, §7.2).
    private mutating func handshakeMessage(_ type: UInt8, direction: Direction) {
        switch TLSHandshakeType(rawValue: type) {
        case .finished? where sides[direction].epoch == .handshake:
            let secrets = matched?.secrets
            let next = direction == .clientToServer ? secrets?.clientTrafficSecret0 : secrets?.serverTrafficSecret0
            guard let next else {
                sides[direction].phase = .opaque
                return
            }
            install(next, epoch: .application, direction: direction)
        case .keyUpdate?:
            install(
                TLSKeySchedule.nextTrafficSecret(sides[direction].secret, hash: sides[direction].hash),
                epoch: .application, direction: direction)
        default:
            break
        }
    }

    private mutating func install(_ secret: [UInt8], epoch: Epoch, direction: Direction) {
        guard let aead = suite?.aead, let hash = suite?.hash else { return }
        let keys = TLSKeySchedule.trafficKeys(secret: secret, aead: aead, hash: hash)
        sides[direction].protection = TLSRecordProtection(aead: aead, key: keys.key, iv: keys.iv, tls13: true)
        sides[direction].secret = secret
        sides[direction].epoch = epoch
        sides[direction].handshake.reset()
    }

    private mutating func deliver(
        _ bytes: [UInt8], direction: Direction, capture: CaptureInfo, events: inout EventBuffer
    ) {
        guard !bytes.isEmpty else { return }
        reportFacts(capture: capture, events: &events)
        let makeInner = makeInner
        plaintext.deliver(bytes, direction: direction, capture: capture, events: &events) {
            makeInner?(.midStream)
        }
    }

    private mutating func innerGap(
        _ direction: Direction, offset: UInt64, length: UInt64, capture: CaptureInfo, events: inout EventBuffer
    ) {
        plaintext.gap(direction, length: length, capture: capture, events: &events)
    }

    /// What is known without the hellos: TLS 1.3 and the suite the secret opened with.
    private mutating func reportFacts(capture: CaptureInfo, events: inout EventBuffer) {
        guard !factsReported, let suite else { return }
        factsReported = true
        var facts = TLSSessionFacts(
            version: "TLS 1.3", cipherSuite: suite.name, serverName: nil, alpnOffered: [], alpn: nil, resumed: false,
            decrypted: true, certificate: nil)
        facts.handshakeSeen = false
        events.decrypted = true
        events.add(.tlsSession(facts), capture: capture)
        events.decrypted = false
    }
}
