/// `--redact` for prose that may quote what the wire carried: finding messages, the
/// audit's findings and fixes.
extension Redaction {
    /// Values shorter than this are not searched for in prose: a 2-byte `code=1` would
    /// replace every `1` of a message and leave it unreadable.
    static let minSearchedSecretLength = 4

    /// Findings that quote a raw wire line which may hold anything, credentials included:
    /// their quoted text is replaced whole.
    static let findingsQuotingRawLines: Set<FindingCode> = [.httpMalformedHeader, .httpBadChunk]

    /// How a replacement starts: a quote already replaced is left alone.
    static let replacementPrefix = "‹redacted len="

    /// How far before a quote a secret header's name makes the quote its value.
    static let maxNameDistance = 32

    /// `text` with every known secret replaced.
    static func text(_ text: String, secrets: [String]) -> String {
        var result = text
        // Longest first: a value that contains another is replaced whole.
        for secret in secrets.sorted(by: { $0.utf8.count > $1.utf8.count })
        where secret.utf8.count >= minSearchedSecretLength && result.contains(secret) {
            result = result.replacing(secret, with: replacement(length: secret.utf8.count))
        }
        return result
    }

    /// A finding's (or a fix's) message with known secrets, quoted text naming a secret,
    /// and URL secrets replaced; `wholeQuotes` replaces every quoted text.
    static func prose(_ text: String, secrets: [String], wholeQuotes: Bool = false) -> String {
        let known = Self.text(text, secrets: secrets)
        return urlsInProse(quotedSpans(known, whole: wholeQuotes))
    }

    /// `finding` with its message redacted; nil when nothing changed.
    static func finding(_ finding: Finding, secrets: [String]) -> Finding? {
        let message = prose(
            finding.message, secrets: secrets, wholeQuotes: findingsQuotingRawLines.contains(finding.code))
        guard message != finding.message else { return nil }
        var changed = finding
        changed.message = message
        return changed
    }

    /// Each `"…"` in `text` that names a secret header or parameter (or every one, when
    /// `whole`) replaced by its length.
    static func quotedSpans(_ text: String, whole: Bool) -> String {
        guard text.contains("\"") else { return text }
        var parts = text.split(separator: "\"", omittingEmptySubsequences: false).map(String.init)
        // Odd parts are inside quotes; an unclosed last quote still counts as one.
        for index in stride(from: 1, to: parts.count, by: 2)
        where !parts[index].isEmpty && !parts[index].hasPrefix(replacementPrefix) {
            // `Sec-WebSocket-Accept is "…"`: the quote follows the secret header's name.
            let before = parts[index - 1].suffix(Self.maxNameDistance)
            if whole || namesSecret(parts[index]) || namesSecret(String(before)) {
                parts[index] = replacement(length: parts[index].utf8.count)
            }
        }
        return parts.joined(separator: "\"")
    }

    /// Wire text that names a secret header (`Authorization: …`, a malformed `X-Api-Key …`).
    private static func namesSecret(_ quoted: String) -> Bool {
        let lowered = quoted.lowercasedASCII
        return headerNames.contains { lowered.contains($0) }
    }
}
