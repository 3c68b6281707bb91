/// `--redact`: which values are secrets and what replaces them. A secret's value becomes
/// `‹redacted len=N›` (N its length in bytes), so the shape of the exchange stays visible
/// (an empty or a 3-byte token is itself evidence) and nothing of the value is left.
///
/// The policy (the README's `--redact` row says the same):
/// - header fields named in `headerNames`, or whose name holds a word of `secretNameWords`:
///   the whole value;
/// - URLs (request targets, `:path`, `Location`, `Content-Location`, `Referer`): userinfo,
///   and the value of every query, `;` or fragment parameter whose name, percent-decoded,
///   is in `queryParameterNames` or holds a word of `secretNameWords` (OAuth `code`/`state`);
/// - `Sec-WebSocket-Protocol` (and the subprotocol an upgrade chose): each element that names
///   a credential, follows one that names a credential (`bearer, TOKEN`), is
///   `maxProtocolNameLength` bytes or longer, or echoes one redacted before;
/// - payloads (`Redaction+Payload`): bodies, WebSocket messages, pings, close reasons, raw
///   data, HTTP/2 GOAWAY debug data, whole; interpreted fields carrying message content;
/// - finding messages (`Redaction+Text`): every value above seen on the connection, the
///   `Sec-WebSocket-Accept` a redacted key implies, and quoted wire text naming a secret.
package enum Redaction {
    /// Header fields whose whole value is a credential, a challenge or identifies a session.
    /// HTTP/1 names compare ignoring case; HTTP/2 names are lower case on the wire.
    package static let headerNames: [String] = [
        "authorization", "proxy-authorization", "cookie", "set-cookie", "sec-websocket-key", "sec-websocket-accept",
        "www-authenticate", "proxy-authenticate", "authentication-info", "proxy-authentication-info", "x-api-key",
        "x-auth-token", "x-csrf-token", "x-xsrf-token", "x-csrftoken", "x-amz-security-token", "x-goog-api-key",
    ]

    /// Names holding a credential word that carry none (`true`, a list of header names).
    static let notSecretHeaderNames: [String] = [
        "access-control-allow-credentials", "access-control-allow-headers", "access-control-request-headers",
        "access-control-expose-headers",
    ]

    /// Header fields whose value is a URL: its userinfo and token parameters are redacted.
    package static let urlHeaderNames: [String] = ["location", "content-location", "referer", "refresh"]

    /// The header whose elements are redacted one by one, and the name an upgrade's
    /// details give the subprotocol chosen.
    static let protocolHeaderName = "sec-websocket-protocol"
    static let chosenProtocolName = "subprotocol"

    /// A `Sec-WebSocket-Protocol` element this long is taken for a token: registered
    /// subprotocol names are short (`graphql-transport-ws` is 20).
    static let maxProtocolNameLength = 24

    /// Query parameters that carry tokens in URLs (WebSocket clients cannot set headers in
    /// browsers, so tokens travel in the query): OAuth (`code` and `state` of a redirect),
    /// API keys, signed URLs (AWS, GCS, Azure SAS), sessions. Names compare ignoring case.
    package static let queryParameterNames: [String] = [
        "token", "access_token", "id_token", "refresh_token", "auth", "authorization", "bearer", "jwt",
        "key", "api_key", "apikey", "api-key", "secret", "client_secret", "password", "passwd", "pwd",
        "sig", "signature", "session", "sessionid", "session_id", "sid", "ticket", "code", "state",
        "jsessionid", "phpsessid", "x-amz-signature", "x-amz-credential", "x-amz-security-token", "x-goog-signature",
        "x-goog-credential",
    ]

    /// The replacement for a value of `length` bytes.
    package static func replacement(length: Int) -> String {
        "‹redacted len=\(length)›"
    }

    package static func isSecretHeader(_ name: String) -> Bool {
        // Pseudo-headers (`:authority`, `:path`) are never credentials themselves.
        if name.hasPrefix(":") { return false }
        if headerNames.contains(where: { $0.equalsIgnoringASCIICase(name) }) { return true }
        if notSecretHeaderNames.contains(where: { $0.equalsIgnoringASCIICase(name) }) { return false }
        let lowered = name.lowercasedASCII
        return secretNameWords.contains { lowered.contains($0) }
    }

    static func isURLHeader(_ name: String) -> Bool {
        urlHeaderNames.contains { $0.equalsIgnoringASCIICase(name) }
    }

    static func isSecretParameter(_ name: Substring) -> Bool {
        queryParameterNames.contains { $0.equalsIgnoringASCIICase(name) }
    }

    /// `fields` with secret values replaced; nil when nothing changed.
    static func fields(_ fields: [HTTPField], secrets: inout [String]) -> [HTTPField]? {
        var result = fields
        var changed = false
        for index in result.indices {
            let name = result[index].name
            let value = result[index].value
            let redacted: String
            if isSecretHeader(name) {
                if !value.isEmpty { secrets.append(value) }
                if name.equalsIgnoringASCIICase("sec-websocket-key"), !value.isEmpty {
                    // A finding may quote the accept value this key implies.
                    secrets.append(WebSocketHandshake.expectedAccept(forKey: value))
                }
                redacted = replacement(length: value.utf8.count)
            } else if name == ":path" || isURLHeader(name) {
                redacted = target(value, secrets: &secrets)
            } else if name.equalsIgnoringASCIICase(protocolHeaderName) || name == chosenProtocolName {
                redacted = protocols(value, secrets: &secrets)
            } else {
                continue
            }
            if redacted != value {
                result[index].value = redacted
                changed = true
            }
        }
        return changed ? result : nil
    }

    /// A `Sec-WebSocket-Protocol` value with its token-like elements replaced.
    static func protocols(_ value: String, secrets: inout [String]) -> String {
        var afterCredentialName = false
        var changed = false
        let elements = value.split(separator: ",", omittingEmptySubsequences: false).map { element -> String in
            let trimmed = element.drop { $0 == " " || $0 == "\t" }
            let token = String(trimmed.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
            let namesCredential = isSecretParameter(Substring(token)) || secretNameWords.contains(token.lowercasedASCII)
            defer { afterCredentialName = namesCredential }
            guard !token.isEmpty, !namesCredential else { return String(element) }
            // A server echoing the token the client offered (known by then) echoes a secret.
            guard
                afterCredentialName || isSecretName(token) || token.utf8.count >= maxProtocolNameLength
                    || secrets.contains(token)
            else {
                return String(element)
            }
            secrets.append(token)
            changed = true
            return String(element.prefix { $0 == " " || $0 == "\t" }) + replacement(length: token.utf8.count)
        }
        return changed ? elements.joined(separator: ",") : value
    }
}
