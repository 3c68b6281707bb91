/// `--redact`: which values are secrets and what replaces them. A secret's value becomes
/// `‹redacted len=N›` (N its length in bytes), so the shape of the exchange stays visible
/// (an empty or a 3-byte token is itself evidence) and nothing of the value is left.
package enum Redaction {
    /// Header fields whose whole value is a credential or identifies a session. HTTP/1 names
    /// compare ignoring case; HTTP/2 names are lower case on the wire.
    package static let headerNames: [String] = [
        "authorization", "proxy-authorization", "cookie", "set-cookie",
        "sec-websocket-key", "sec-websocket-accept",
    ]

    /// Query parameters that carry tokens in URLs (WebSocket clients cannot set headers in
    /// browsers, so tokens travel in the query): OAuth, API keys, signed URLs (AWS, GCS,
    /// Azure SAS), sessions. Names compare ignoring case.
    package static let queryParameterNames: [String] = [
        "token", "access_token", "id_token", "refresh_token", "auth", "authorization", "bearer", "jwt",
        "key", "api_key", "apikey", "api-key", "secret", "client_secret", "password", "passwd", "pwd",
        "sig", "signature", "session", "sessionid", "session_id", "sid", "ticket", "code",
        "x-amz-signature", "x-amz-credential", "x-amz-security-token", "x-goog-signature", "x-goog-credential",
    ]

    /// The replacement for a value of `length` bytes.
    package static func replacement(length: Int) -> String {
        "‹redacted len=\(length)›"
    }

    package static func isSecretHeader(_ name: String) -> Bool {
        headerNames.contains { $0.equalsIgnoringASCIICase(name) }
    }

    static func isSecretParameter(_ name: Substring) -> Bool {
        queryParameterNames.contains { $0.equalsIgnoringASCIICase(name) }
    }

    /// `target` with the values of token-like query parameters replaced; `secrets` gets each
    /// value replaced (to find it again in findings). Unchanged (same string) when none.
    static func target(_ target: String, secrets: inout [String]) -> String {
        guard let question = target.firstIndex(of: "?") else { return target }
        let query = target[target.index(after: question)...]
        var changed = false
        var parts: [Substring] = []
        var rebuilt: [String] = []
        // Fragments never reach the wire; `&` and `;` both separate parameters in the wild.
        parts = query.split(separator: "&", omittingEmptySubsequences: false)
        for part in parts {
            guard let equals = part.firstIndex(of: "="), isSecretParameter(part[..<equals]) else {
                rebuilt.append(String(part))
                continue
            }
            let value = part[part.index(after: equals)...]
            if !value.isEmpty { secrets.append(String(value)) }
            rebuilt.append(String(part[...equals]) + replacement(length: value.utf8.count))
            changed = true
        }
        guard changed else { return target }
        return String(target[...question]) + rebuilt.joined(separator: "&")
    }

    /// `fields` with secret values replaced.
    static func fields(_ fields: [HTTPField], secrets: inout [String]) -> [HTTPField]? {
        var result = fields
        var changed = false
        for index in result.indices {
            let name = result[index].name
            if isSecretHeader(name) {
                let value = result[index].value
                if !value.isEmpty { secrets.append(value) }
                result[index].value = replacement(length: value.utf8.count)
                changed = true
            } else if name == ":path" {
                let redacted = target(result[index].value, secrets: &secrets)
                if redacted != result[index].value {
                    result[index].value = redacted
                    changed = true
                }
            }
        }
        return changed ? result : nil
    }

    /// `text` (a finding's message) with every secret seen on its connection replaced.
    static func text(_ text: String, secrets: [String]) -> String {
        var result = text
        // Longest first: a value that contains another is replaced whole.
        for secret in secrets.sorted(by: { $0.utf8.count > $1.utf8.count }) where result.contains(secret) {
            result = result.replacing(secret, with: replacement(length: secret.utf8.count))
        }
        return result
    }
}
