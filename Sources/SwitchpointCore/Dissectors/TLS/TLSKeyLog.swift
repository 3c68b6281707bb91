import Foundation

/// The secrets one TLS connection's key log lines give, found by its client random.
package struct TLSClientSecrets: Sendable, Equatable {
    /// TLS 1.2 and earlier: `CLIENT_RANDOM` (48 bytes).
    package var masterSecret: [UInt8]?
    package var clientHandshakeTrafficSecret: [UInt8]?
    package var serverHandshakeTrafficSecret: [UInt8]?
    package var clientTrafficSecret0: [UInt8]?
    package var serverTrafficSecret0: [UInt8]?
    package var clientEarlyTrafficSecret: [UInt8]?
    package var exporterSecret: [UInt8]?
    package var earlyExporterSecret: [UInt8]?

    package init() {}

    /// Takes every secret `other` has (later lines win).
    mutating func merge(_ other: TLSClientSecrets) {
        for label in TLSKeyLogLabel.allCases {
            if let value = other[label] { self[label] = value }
        }
    }

    subscript(label: TLSKeyLogLabel) -> [UInt8]? {
        get {
            switch label {
            case .clientRandom: masterSecret
            case .clientHandshakeTrafficSecret: clientHandshakeTrafficSecret
            case .serverHandshakeTrafficSecret: serverHandshakeTrafficSecret
            case .clientTrafficSecret0: clientTrafficSecret0
            case .serverTrafficSecret0: serverTrafficSecret0
            case .clientEarlyTrafficSecret: clientEarlyTrafficSecret
            case .exporterSecret: exporterSecret
            case .earlyExporterSecret: earlyExporterSecret
            }
        }
        set {
            switch label {
            case .clientRandom: masterSecret = newValue
            case .clientHandshakeTrafficSecret: clientHandshakeTrafficSecret = newValue
            case .serverHandshakeTrafficSecret: serverHandshakeTrafficSecret = newValue
            case .clientTrafficSecret0: clientTrafficSecret0 = newValue
            case .serverTrafficSecret0: serverTrafficSecret0 = newValue
            case .clientEarlyTrafficSecret: clientEarlyTrafficSecret = newValue
            case .exporterSecret: exporterSecret = newValue
            case .earlyExporterSecret: earlyExporterSecret = newValue
            }
        }
    }
}

/// NSS key log labels (https://firefox-source-docs.mozilla.org/security/nss/legacy/key_log_format/).
enum TLSKeyLogLabel: String, CaseIterable {
    case clientRandom = "CLIENT_RANDOM"
    case clientHandshakeTrafficSecret = "CLIENT_HANDSHAKE_TRAFFIC_SECRET"
    case serverHandshakeTrafficSecret = "SERVER_HANDSHAKE_TRAFFIC_SECRET"
    case clientTrafficSecret0 = "CLIENT_TRAFFIC_SECRET_0"
    case serverTrafficSecret0 = "SERVER_TRAFFIC_SECRET_0"
    case clientEarlyTrafficSecret = "CLIENT_EARLY_TRAFFIC_SECRET"
    case exporterSecret = "EXPORTER_SECRET"
    case earlyExporterSecret = "EARLY_EXPORTER_SECRET"

    /// The slot of this label's secret in a stored entry.
    var slot: Int {
        switch self {
        case .clientRandom: 0
        case .clientHandshakeTrafficSecret: 1
        case .serverHandshakeTrafficSecret: 2
        case .clientTrafficSecret0: 3
        case .serverTrafficSecret0: 4
        case .clientEarlyTrafficSecret: 5
        case .exporterSecret: 6
        case .earlyExporterSecret: 7
        }
    }

    /// The label spelled by `bytes`, without making a string.
    static func matching(_ bytes: UnsafeRawBufferPointer) -> TLSKeyLogLabel? {
        for label in allCases where label.rawValue.utf8.count == bytes.count {
            if label.rawValue.utf8.elementsEqual(bytes) { return label }
        }
        return nil
    }
}

/// Which source a secret came from: an explicit key log file (`--keylog`, `SSLKEYLOGFILE`)
/// wins over secrets embedded in the capture (pcapng Decryption Secrets Blocks).
package enum TLSKeyLogSource: Sendable {
    case file
    case embedded
}

/// Keys from NSS key log files (`SSLKEYLOGFILE`, `--keylog`) and pcapng Decryption
/// Secrets Blocks, by client random. Lines that are not key log lines are counted, never
/// fatal; the first one is kept to quote.
///
/// Stored compactly, since a browser's key log grows for days: a client random is four
/// words, an entry is eight offsets into one byte arena (no array per secret), and files
/// are read in chunks (a FIFO too), so a million lines take about the secrets' own bytes.
package struct TLSKeyLog: Sendable {
    package static let clientRandomLength = 32
    /// Named limit: a secret is a hash output (48 bytes for SHA-384, the largest here).
    static let maxSecretLength = 64
    /// Named limit: bytes read from a file at a time.
    static let readChunkBytes = 1 << 20
    /// Named limit: a line longer than this is not a key log line (the longest is under 200).
    static let maxLineBytes = 1024

    /// A client random as a dictionary key: 32 bytes in four words.
    struct RandomKey: Hashable {
        var words: SIMD4<UInt64>

        init?(_ bytes: some Collection<UInt8>) {
            guard bytes.count == TLSKeyLog.clientRandomLength else { return nil }
            var words = SIMD4<UInt64>()
            for (index, byte) in bytes.enumerated() { words[index / 8] |= UInt64(byte) << (8 * UInt64(index % 8)) }
            self.words = words
        }

        /// From its 64 hex digits.
        init?(hex: UnsafeRawBufferPointer) {
            guard hex.count == 2 * TLSKeyLog.clientRandomLength else { return nil }
            var words = SIMD4<UInt64>()
            for index in 0..<TLSKeyLog.clientRandomLength {
                guard let high = HexDigit.value(hex[2 * index]), let low = HexDigit.value(hex[2 * index + 1]) else {
                    return nil
                }
                words[index / 8] |= UInt64(high << 4 | low) << (8 * UInt64(index % 8))
            }
            self.words = words
        }

        var bytes: [UInt8] {
            (0..<TLSKeyLog.clientRandomLength).map { UInt8(truncatingIfNeeded: words[$0 / 8] >> (8 * UInt64($0 % 8))) }
        }
    }

    /// One connection's secrets: where each label's bytes sit in `arena` (length 0: none).
    struct Entry {
        var offsets = SIMD8<UInt32>()
        var lengths = SIMD8<UInt8>()
        /// A secret embedded in the capture disagreed with the file's (which was kept).
        var conflicted = false
    }

    private var entries: [RandomKey: Entry] = [:]
    private var arena: [UInt8] = []
    package private(set) var lineCount = 0
    package private(set) var malformedLines = 0
    /// Well-formed lines with a label not used here (OpenSSL's CLIENT_TRAFFIC_SECRET_N after
    /// a KeyUpdate, which is derived anyway).
    package private(set) var otherLabelLines = 0
    /// The first malformed line (where, and its first characters), to report once.
    package private(set) var firstMalformed: String?
    /// Secrets embedded in the capture that differ from a key log file's for the same
    /// client random and label (the file's are used).
    package private(set) var conflicts = 0

    package init() {}

    package init(text: String, source: String = "key log") {
        add(text: text, source: source)
    }

    /// Live capture: the files to re-read when a lookup misses (nil offline).
    package var follower: TLSKeyLogFollower?

    package var isEmpty: Bool { entries.isEmpty }
    package var clientRandomCount: Int { entries.count }

    /// The secrets read so far, with what a followed file gained since.
    package func secrets(clientRandom: [UInt8]) -> TLSClientSecrets? {
        let own = RandomKey(clientRandom).flatMap { entries[$0] }.map(secrets(of:))
        guard let appended = follower?.secrets(clientRandom: clientRandom) else { return own }
        var entry = own ?? TLSClientSecrets()
        entry.merge(appended)
        return entry
    }

    /// Whether the capture's embedded secrets for this connection disagreed with the file's.
    package func conflicted(clientRandom: [UInt8]) -> Bool {
        RandomKey(clientRandom).flatMap { entries[$0] }?.conflicted ?? false
    }

    /// The secrets for a client random; live, when `complete` says some are still missing,
    /// the followed files are re-read first (rate-bounded by the follower).
    func secrets(clientRandom: [UInt8], complete: (TLSClientSecrets) -> Bool) -> TLSClientSecrets? {
        let found = secrets(clientRandom: clientRandom)
        guard let follower, !(found.map(complete) ?? false) else { return found }
        follower.reread()
        return secrets(clientRandom: clientRandom)
    }

    /// Up to `limit` connections with TLS 1.3 traffic secrets, for a connection whose
    /// ClientHello was not captured (its client random unknown): each is tried in turn.
    func tls13Connections(limit: Int) -> [(clientRandom: [UInt8], secrets: TLSClientSecrets)] {
        let tls13Slots = [
            TLSKeyLogLabel.clientHandshakeTrafficSecret, .serverHandshakeTrafficSecret,
            .clientTrafficSecret0, .serverTrafficSecret0,
        ].map(\.slot)
        var found: [(clientRandom: [UInt8], secrets: TLSClientSecrets)] = []
        for (key, entry) in entries where tls13Slots.contains(where: { entry.lengths[$0] > 0 }) {
            guard found.count < limit else { break }
            found.append((key.bytes, secrets(of: entry)))
        }
        return found
    }

    private func secrets(of entry: Entry) -> TLSClientSecrets {
        var secrets = TLSClientSecrets()
        for label in TLSKeyLogLabel.allCases where entry.lengths[label.slot] > 0 {
            let start = Int(entry.offsets[label.slot])
            secrets[label] = Array(arena[start..<(start + Int(entry.lengths[label.slot]))])
        }
        return secrets
    }

    /// Reads a key log file (or FIFO) in chunks. Returns the offset after its last whole
    /// line, where following it would go on.
    @discardableResult
    package mutating func add(contentsOf path: String, source: TLSKeyLogSource = .file) throws -> UInt64 {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        // A secret's bytes are about a quarter of its line: room for them at once, instead of
        // an arena doubling past twice what it holds (a FIFO has no size and grows).
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? UInt64, size > 0 {
            arena.reserveCapacity(arena.count + Int(min(size / 4, UInt64(Int32.max))))
        }
        var reader = TLSKeyLogLineReader()
        var consumed: UInt64 = 0
        while let chunk = try handle.read(upToCount: Self.readChunkBytes), !chunk.isEmpty {
            consumed += UInt64(chunk.count)
            chunk.withUnsafeBytes { bytes in
                reader.feed(bytes) { line, number in addLine(line, number: number, name: path, source: source) }
            }
        }
        let whole = consumed - UInt64(reader.pendingCount)
        reader.finish { line, number in addLine(line, number: number, name: path, source: source) }
        return whole
    }

    package mutating func add(text: String, source: String = "key log", from origin: TLSKeyLogSource = .file) {
        var text = text
        text.withUTF8 { utf8 in add(bytes: UnsafeRawBufferPointer(utf8), source: source, from: origin) }
    }

    /// Key log lines as bytes (a pcapng secrets block's, or a fuzzer's: not repaired to UTF-8).
    package mutating func add(bytes: UnsafeRawBufferPointer, source: String, from origin: TLSKeyLogSource) {
        var reader = TLSKeyLogLineReader()
        reader.feed(bytes) { line, number in addLine(line, number: number, name: source, source: origin) }
        reader.finish { line, number in addLine(line, number: number, name: source, source: origin) }
    }

    /// One line (without its line end); comments and blank lines are skipped.
    private mutating func addLine(
        _ raw: UnsafeRawBufferPointer, number: Int, name: String, source: TLSKeyLogSource
    ) {
        var line = raw
        while let first = line.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
            line = UnsafeRawBufferPointer(rebasing: line[1...])
        }
        if let last = line.last, last == UInt8(ascii: "\r") { line = UnsafeRawBufferPointer(rebasing: line.dropLast()) }
        guard let first = line.first, first != UInt8(ascii: "#") else { return }
        lineCount += 1
        switch parse(line) {
        case .secret(let label, let random, let secret):
            store(label, random, secret, source: source)
        case .otherLabel:
            otherLabelLines += 1
        case .malformed:
            malformedLines += 1
            if firstMalformed == nil {
                let text = String(decoding: line.prefix(40), as: UTF8.self)
                firstMalformed = "\(name) line \(number): \"\(text)\(line.count > 40 ? "…" : "")\""
            }
        }
    }

    private enum ParsedLine {
        /// A secret whose hex digits are checked, to be decoded where it is stored.
        case secret(TLSKeyLogLabel, RandomKey, UnsafeRawBufferPointer)
        case otherLabel
        case malformed
    }

    /// `LABEL <client_random hex> <secret hex>`, fields split by spaces or tabs.
    private func parse(_ line: UnsafeRawBufferPointer) -> ParsedLine {
        var fields = (0..<0, 0..<0, 0..<0)
        var count = 0
        var index = 0
        while index < line.count {
            while index < line.count, line[index] == 0x20 || line[index] == 0x09 { index += 1 }
            let start = index
            while index < line.count, line[index] != 0x20 && line[index] != 0x09 { index += 1 }
            guard index > start else { break }
            switch count {
            case 0: fields.0 = start..<index
            case 1: fields.1 = start..<index
            case 2: fields.2 = start..<index
            default: return .malformed
            }
            count += 1
        }
        guard count == 3 else { return .malformed }
        let labelBytes = UnsafeRawBufferPointer(rebasing: line[fields.0])
        let secretHex = UnsafeRawBufferPointer(rebasing: line[fields.2])
        guard let key = RandomKey(hex: UnsafeRawBufferPointer(rebasing: line[fields.1])),
            !secretHex.isEmpty, secretHex.count % 2 == 0, secretHex.count <= 2 * Self.maxSecretLength,
            secretHex.allSatisfy({ HexDigit.value($0) != nil })
        else { return .malformed }
        guard let label = TLSKeyLogLabel.matching(labelBytes) else {
            let shaped = labelBytes.allSatisfy {
                ($0 >= 0x41 && $0 <= 0x5a) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5f
            }
            return shaped ? .otherLabel : .malformed
        }
        // The TLS 1.2 master secret is always 48 bytes (RFC 5246 §8.1).
        if label == .clientRandom && secretHex.count != 2 * 48 { return .malformed }
        // Exporter secrets decrypt nothing: counted, not kept.
        if label == .exporterSecret || label == .earlyExporterSecret { return .otherLabel }
        return .secret(label, key, secretHex)
    }

    /// Stores a secret, decoding its hex into the arena: later lines of a file win; an
    /// embedded secret never replaces a file's, and a different one is counted as a conflict.
    private mutating func store(
        _ label: TLSKeyLogLabel, _ key: RandomKey, _ secretHex: UnsafeRawBufferPointer, source: TLSKeyLogSource
    ) {
        let slot = label.slot
        let length = secretHex.count / 2
        if let existing = entries[key], existing.lengths[slot] > 0, source == .embedded {
            let start = Int(existing.offsets[slot])
            if TLSHex.bytes(secretHex) != Array(arena[start..<(start + Int(existing.lengths[slot]))]) {
                entries[key]?.conflicted = true
                conflicts += 1
            }
            return
        }
        let offset = arena.count
        for index in 0..<length {
            arena.append(
                (HexDigit.value(secretHex[2 * index]) ?? 0) << 4 | (HexDigit.value(secretHex[2 * index + 1]) ?? 0))
        }
        entries[key, default: Entry()].offsets[slot] = UInt32(truncatingIfNeeded: offset)
        entries[key, default: Entry()].lengths[slot] = UInt8(truncatingIfNeeded: length)
    }

    /// Merges another key log (later secrets for the same client random win).
    package mutating func merge(_ other: TLSKeyLog) {
        for (key, entry) in other.entries {
            for label in TLSKeyLogLabel.allCases where entry.lengths[label.slot] > 0 {
                let start = Int(entry.offsets[label.slot])
                let hex = Array(TLSHex.string(other.arena[start..<(start + Int(entry.lengths[label.slot]))]).utf8)
                hex.withUnsafeBytes { store(label, key, $0, source: .file) }
            }
        }
        lineCount += other.lineCount
        malformedLines += other.malformedLines
        otherLabelLines += other.otherLabelLines
        conflicts += other.conflicts
        if firstMalformed == nil { firstMalformed = other.firstMalformed }
    }

    /// One line for standard error when lines were skipped, nil when none were.
    package var malformedSummary: String? {
        guard malformedLines > 0 else { return nil }
        return
            "\(malformedLines) key log line\(malformedLines == 1 ? "" : "s") not understood and skipped (first: \(firstMalformed ?? "?"))"
    }

    /// One line for standard error when embedded secrets disagreed with a file's.
    package var conflictSummary: String? {
        guard conflicts > 0 else { return nil }
        return
            "\(conflicts) secret\(conflicts == 1 ? "" : "s") embedded in the capture differ from the key log file's for the same connection; the key log file's are used"
    }
}
