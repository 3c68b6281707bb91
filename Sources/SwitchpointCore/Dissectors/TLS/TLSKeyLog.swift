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
        if let value = other.masterSecret { masterSecret = value }
        if let value = other.clientHandshakeTrafficSecret { clientHandshakeTrafficSecret = value }
        if let value = other.serverHandshakeTrafficSecret { serverHandshakeTrafficSecret = value }
        if let value = other.clientTrafficSecret0 { clientTrafficSecret0 = value }
        if let value = other.serverTrafficSecret0 { serverTrafficSecret0 = value }
        if let value = other.clientEarlyTrafficSecret { clientEarlyTrafficSecret = value }
        if let value = other.exporterSecret { exporterSecret = value }
        if let value = other.earlyExporterSecret { earlyExporterSecret = value }
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
}

/// Keys from NSS key log files (`SSLKEYLOGFILE`, `--keylog`) and pcapng Decryption
/// Secrets Blocks, by client random. Lines that are not key log lines are counted, never
/// fatal; the first one is kept to quote.
package struct TLSKeyLog: Sendable {
    package static let clientRandomLength = 32
    /// Named limit: a secret is a hash output (48 bytes for SHA-384, the largest here).
    static let maxSecretLength = 64

    private var byRandom: [[UInt8]: TLSClientSecrets] = [:]
    package private(set) var lineCount = 0
    package private(set) var malformedLines = 0
    /// Well-formed lines with a label not used here (OpenSSL's CLIENT_TRAFFIC_SECRET_N after
    /// a KeyUpdate, which is derived anyway).
    package private(set) var otherLabelLines = 0
    /// The first malformed line (where, and its first characters), to report once.
    package private(set) var firstMalformed: String?

    package init() {}

    package init(text: String, source: String = "key log") {
        add(text: text, source: source)
    }

    /// Live capture: the files to re-read when a lookup misses (nil offline).
    package var follower: TLSKeyLogFollower?

    package var isEmpty: Bool { byRandom.isEmpty }
    package var clientRandomCount: Int { byRandom.count }

    /// The secrets read so far, with what a followed file gained since.
    package func secrets(clientRandom: [UInt8]) -> TLSClientSecrets? {
        let own = byRandom[clientRandom]
        guard let appended = follower?.secrets(clientRandom: clientRandom) else { return own }
        var entry = own ?? TLSClientSecrets()
        entry.merge(appended)
        return entry
    }

    /// Up to `limit` connections with TLS 1.3 traffic secrets, for a connection whose
    /// ClientHello was not captured (its client random unknown): each is tried in turn.
    func tls13Connections(limit: Int) -> [(clientRandom: [UInt8], secrets: TLSClientSecrets)] {
        var found: [(clientRandom: [UInt8], secrets: TLSClientSecrets)] = []
        for (random, secrets) in byRandom
        where secrets.clientTrafficSecret0 != nil || secrets.serverTrafficSecret0 != nil
            || secrets.clientHandshakeTrafficSecret != nil || secrets.serverHandshakeTrafficSecret != nil
        {
            guard found.count < limit else { break }
            found.append((random, secrets))
        }
        return found
    }

    /// The secrets for a client random; live, when `complete` says some are still missing,
    /// the followed files are re-read first (rate-bounded by the follower).
    func secrets(clientRandom: [UInt8], complete: (TLSClientSecrets) -> Bool) -> TLSClientSecrets? {
        let found = secrets(clientRandom: clientRandom)
        guard let follower, !(found.map(complete) ?? false) else { return found }
        follower.reread()
        return secrets(clientRandom: clientRandom)
    }

    /// Reads a key log file (the whole of it: key logs are small, a line per secret).
    /// Returns the offset after its last whole line, where following it would go on.
    @discardableResult
    package mutating func add(contentsOf path: String) throws -> UInt64 {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        add(text: String(decoding: data, as: UTF8.self), source: path)
        guard let lastNewline = data.lastIndex(of: UInt8(ascii: "\n")) else { return 0 }
        return UInt64(data.distance(from: data.startIndex, to: lastNewline) + 1)
    }

    package mutating func add(text: String, source: String = "key log") {
        var number = 0
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            number += 1
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            lineCount += 1
            if isOtherLabel(trimmed) {
                otherLabelLines += 1
            } else if !addLine(trimmed) {
                malformedLines += 1
                if firstMalformed == nil {
                    firstMalformed =
                        "\(source) line \(number): \"\(trimmed.prefix(40))\(trimmed.count > 40 ? "…" : "")\""
                }
            }
        }
    }

    /// A line shaped like a key log line whose label is not one of ours.
    private func isOtherLabel(_ line: Substring) -> Bool {
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count == 3, TLSKeyLogLabel(rawValue: String(fields[0])) == nil,
            fields[0].allSatisfy({ ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || $0 == "_" }),
            TLSHex.bytes(fields[1])?.count == Self.clientRandomLength, TLSHex.bytes(fields[2]) != nil
        else { return false }
        return true
    }

    /// `LABEL <client_random hex> <secret hex>`; false when the line is not one.
    private mutating func addLine(_ line: Substring) -> Bool {
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count == 3, let label = TLSKeyLogLabel(rawValue: String(fields[0])),
            let random = TLSHex.bytes(fields[1]), random.count == Self.clientRandomLength,
            let secret = TLSHex.bytes(fields[2]), !secret.isEmpty, secret.count <= Self.maxSecretLength
        else { return false }
        var entry = byRandom[random] ?? TLSClientSecrets()
        switch label {
        case .clientRandom:
            // The TLS 1.2 master secret is always 48 bytes (RFC 5246 §8.1).
            guard secret.count == 48 else { return false }
            entry.masterSecret = secret
        case .clientHandshakeTrafficSecret: entry.clientHandshakeTrafficSecret = secret
        case .serverHandshakeTrafficSecret: entry.serverHandshakeTrafficSecret = secret
        case .clientTrafficSecret0: entry.clientTrafficSecret0 = secret
        case .serverTrafficSecret0: entry.serverTrafficSecret0 = secret
        case .clientEarlyTrafficSecret: entry.clientEarlyTrafficSecret = secret
        case .exporterSecret: entry.exporterSecret = secret
        case .earlyExporterSecret: entry.earlyExporterSecret = secret
        }
        byRandom[random] = entry
        return true
    }

    /// Merges another key log (later secrets for the same client random win).
    package mutating func merge(_ other: TLSKeyLog) {
        for (random, secrets) in other.byRandom {
            var entry = byRandom[random] ?? TLSClientSecrets()
            entry.merge(secrets)
            byRandom[random] = entry
        }
        lineCount += other.lineCount
        malformedLines += other.malformedLines
        otherLabelLines += other.otherLabelLines
        if firstMalformed == nil { firstMalformed = other.firstMalformed }
    }

    /// One line for standard error when lines were skipped, nil when none were.
    package var malformedSummary: String? {
        guard malformedLines > 0 else { return nil }
        return
            "\(malformedLines) key log line\(malformedLines == 1 ? "" : "s") not understood and skipped (first: \(firstMalformed ?? "?"))"
    }
}
