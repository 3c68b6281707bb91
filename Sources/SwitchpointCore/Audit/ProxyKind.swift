/// The reverse or forward proxies whose configuration language the audit writes fixes in.
package enum ProxyKind: String, Sendable, CaseIterable {
    case nginx
    case haproxy
    case apache
    case envoy
    case caddy
    case traefik
    case squid

    /// The product's usual name.
    package var displayName: String {
        switch self {
        case .nginx: "nginx"
        case .haproxy: "HAProxy"
        case .apache: "Apache httpd"
        case .envoy: "Envoy"
        case .caddy: "Caddy"
        case .traefik: "Traefik"
        case .squid: "Squid"
        }
    }
}

/// Which proxy the audit believes it is looking at, and why.
package struct ProxyIdentity: Sendable, Equatable {
    package var kind: ProxyKind
    /// What told: `--proxy`, a `Server:` header, a `Via:` header, an error page, the
    /// forwarding headers it adds.
    package var evidence: String

    package init(kind: ProxyKind, evidence: String) {
        self.kind = kind
        self.evidence = evidence
    }

    /// The proxy's marks on the exchanges: the `Server` of answers the proxy made or
    /// rewrote, `Via`, its error pages, its forwarding headers. The first mark found wins,
    /// in that order of strength.
    static func recognise(pairs: [AuditPair], answeredByProxy: [ExchangeRecord]) -> ProxyIdentity? {
        for record in answeredByProxy {
            if let found = fromServer(record.response?.headers.combined("Server"), what: "its own answer's Server") {
                return found
            }
            if let found = fromErrorPage(record) { return found }
        }
        for pair in pairs {
            let frontServer = pair.front.response?.headers.combined("Server")
            if frontServer != pair.back.response?.headers.combined("Server"),
                let found = fromServer(frontServer, what: "Server rewritten on the client's answer")
            {
                return found
            }
        }
        for pair in pairs {
            for via in [pair.back.requestHeader("Via"), pair.front.response?.headers.combined("Via")].compactMap({ $0 })
            {
                if let found = fromVia(via) { return found }
            }
            if let found = fromForwardingHeaders(pair.back) { return found }
        }
        for pair in pairs {
            if let found = fromHeaderCase(pair) { return found }
        }
        return nil
    }

    /// HAProxy keeps header names lower-case internally (HTX) and sends them so upstream;
    /// the key it makes up translating RFC 8441 is spelled `Sec-Websocket-Key`.
    private static func fromHeaderCase(_ pair: AuditPair) -> ProxyIdentity? {
        guard !pair.back.isHTTP2, let back = pair.back.request?.headers.fields, !back.isEmpty else { return nil }
        let lowered = back.filter { $0.name != "Sec-Websocket-Key" }.allSatisfy { $0.name == $0.name.lowercasedASCII }
        let frontHadCapitals =
            pair.front.isHTTP2
            || (pair.front.request?.headers.fields.contains { $0.name != $0.name.lowercasedASCII } ?? false)
        guard lowered, frontHadCapitals else { return nil }
        return ProxyIdentity(
            kind: .haproxy, evidence: "header names lower-cased on the upstream request (HAProxy's HTX)")
    }

    private static func fromServer(_ server: String?, what: String) -> ProxyIdentity? {
        guard let server = server?.lowercasedASCII else { return nil }
        let marks: [(String, ProxyKind)] = [
            ("nginx", .nginx), ("openresty", .nginx), ("apache", .apache), ("envoy", .envoy), ("caddy", .caddy),
            ("squid", .squid), ("haproxy", .haproxy), ("traefik", .traefik),
        ]
        for (mark, kind) in marks where server.contains(mark) {
            return ProxyIdentity(kind: kind, evidence: "\(what): \(server)")
        }
        return nil
    }

    private static func fromVia(_ via: String) -> ProxyIdentity? {
        let lower = via.lowercasedASCII
        let marks: [(String, ProxyKind)] = [
            ("squid", .squid), ("apache", .apache), ("envoy", .envoy), ("caddy", .caddy),
        ]
        for (mark, kind) in marks where lower.contains(mark) {
            return ProxyIdentity(kind: kind, evidence: "Via: \(via)")
        }
        return nil
    }

    /// HAProxy's built-in error pages (it sends no `Server` header).
    private static func fromErrorPage(_ record: ExchangeRecord) -> ProxyIdentity? {
        let body = String(decoding: record.responseBody, as: UTF8.self)
        let haproxyPages = [
            "Request forbidden by administrative rules.", "No server is available to handle this request.",
            "The server didn't respond in time.", "An invalid response was received from the server.",
        ]
        if let page = haproxyPages.first(where: { body.contains($0) }) {
            return ProxyIdentity(kind: .haproxy, evidence: "its error page (\"\(page)\")")
        }
        return nil
    }

    private static func fromForwardingHeaders(_ back: ExchangeRecord) -> ProxyIdentity? {
        guard let headers = back.request?.headers else { return nil }
        if headers.fields.contains(where: { $0.name.lowercasedASCII.hasPrefix("x-envoy-") }) {
            return ProxyIdentity(kind: .envoy, evidence: "x-envoy-* headers on the upstream request")
        }
        if headers.contains("X-Forwarded-Server"), headers.contains("X-Forwarded-Host") {
            if headers.contains("X-Forwarded-Port") || headers.contains("X-Real-Ip") {
                return ProxyIdentity(kind: .traefik, evidence: "X-Forwarded-Port/-Server/X-Real-Ip added upstream")
            }
            return ProxyIdentity(kind: .apache, evidence: "X-Forwarded-Host/-Server added upstream (mod_proxy)")
        }
        return nil
    }
}
