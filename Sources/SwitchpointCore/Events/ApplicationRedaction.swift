/// `--redact` for application events (protocols inside WebSocket): a field quoting the
/// message's content (`contentFieldNames`) or named like a credential loses its value, and
/// inside any other text (a summary) the value of every JSON member named like one is
/// replaced.
/// MQTT passwords never reach an event at all; this covers what interpreters do show.
extension Redaction {
    /// Words that make a field or JSON member name a credential's (compared ignoring case,
    /// anywhere in the name: `authToken`, `x-api-key`, `Authorization`).
    static let secretNameWords: [String] = [
        "authorization", "token", "password", "passwd", "secret", "cookie", "apikey", "api_key", "api-key",
        "credential", "jwt", "bearer", "session",
    ]

    static func isSecretName(_ name: some StringProtocol) -> Bool {
        let lowered = String(name).lowercasedASCII
        if isSecretParameter(Substring(lowered)) { return true }
        return secretNameWords.contains { lowered.contains($0) }
    }

    /// `event` with credential values replaced (each one also added to `secrets`, to find
    /// it again in findings); nil when nothing changed.
    static func application(_ event: ApplicationEvent, secrets: inout [String]) -> ApplicationEvent? {
        var result = event
        var changed = false
        for index in result.fields.indices {
            guard case .text(let value) = result.fields[index].value else { continue }
            let name = result.fields[index].name
            if contentFieldNames.contains(name.lowercasedASCII) {
                guard !value.isEmpty else { continue }
                result.fields[index].value = .text(replacement(length: value.utf8.count))
                changed = true
            } else if isSecretName(name) {
                if !value.isEmpty { secrets.append(value) }
                result.fields[index].value = .text(replacement(length: value.utf8.count))
                changed = true
            } else if let redacted = jsonMembers(value, secrets: &secrets) {
                result.fields[index].value = .text(redacted)
                changed = true
            }
        }
        if let redacted = jsonMembers(result.summary, secrets: &secrets) {
            result.summary = redacted
            changed = true
        }
        if !secrets.isEmpty {
            for index in result.fields.indices {
                guard case .text(let value) = result.fields[index].value else { continue }
                let known = text(value, secrets: secrets)
                if known != value {
                    result.fields[index].value = .text(known)
                    changed = true
                }
            }
            let summary = text(result.summary, secrets: secrets)
            if summary != result.summary {
                result.summary = summary
                changed = true
            }
        }
        return changed ? result : nil
    }

    /// JSON text (or a clipped preview of it) with the string value of every member named
    /// like a credential replaced: `{"token":"abc"}` → `{"token":"‹redacted len=3›"}`. Nil
    /// when there is none. A scan over the bytes, not a parse: a preview may be cut anywhere.
    static func jsonMembers(_ text: String, secrets: inout [String]) -> String? {
        let bytes = Array(text.utf8)
        guard bytes.contains(UInt8(ascii: "\"")) else { return nil }
        var output: [UInt8] = []
        var changed = false
        var index = 0
        var lastKey: Range<Int>?
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "\"") else {
                output.append(bytes[index])
                index += 1
                continue
            }
            let end = closingQuote(bytes, from: index + 1)
            let string = (index + 1)..<min(end, bytes.count)
            var after = end + 1
            while after < bytes.count, bytes[after] == 0x20 { after += 1 }
            if after < bytes.count, bytes[after] == UInt8(ascii: ":") {
                lastKey = string
            } else if let key = lastKey, isSecretName(String(decoding: bytes[key], as: UTF8.self)),
                previousSignificant(bytes, before: index) == UInt8(ascii: ":")
            {
                let value = String(decoding: bytes[string], as: UTF8.self)
                if !value.isEmpty { secrets.append(value) }
                output.append(UInt8(ascii: "\""))
                output.append(contentsOf: replacement(length: string.count).utf8)
                if end < bytes.count { output.append(UInt8(ascii: "\"")) }
                changed = true
                lastKey = nil
                index = end + 1
                continue
            }
            output.append(contentsOf: bytes[index..<min(end + 1, bytes.count)])
            index = end + 1
        }
        return changed ? String(decoding: output, as: UTF8.self) : nil
    }

    /// The index of the quote that ends a JSON string starting at `start` (past the end
    /// when it is cut off).
    private static func closingQuote(_ bytes: [UInt8], from start: Int) -> Int {
        var index = start
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\\") {
                index += 2
                continue
            }
            if bytes[index] == UInt8(ascii: "\"") { return index }
            index += 1
        }
        return bytes.count
    }

    private static func previousSignificant(_ bytes: [UInt8], before index: Int) -> UInt8? {
        var at = index - 1
        while at >= 0, bytes[at] == 0x20 { at -= 1 }
        return at >= 0 ? bytes[at] : nil
    }
}
