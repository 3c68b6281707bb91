/// Writes an HTTP Archive (HAR 1.2, `--har FILE`): one entry per HTTP exchange (HTTP/1.x
/// request and answer, the upgrade and its 101 or refusal included, and every HTTP/2
/// stream), WebSocket messages on the upgrade entry as Chrome writes them
/// (`_resourceType: "websocket"`, `_webSocketMessages`), findings as `_switchpointFindings`.
///
/// Bounded like the HTML report (`ReportLimits`): per connection the first and last
/// exchanges, per exchange the first and last messages; `log.comment` says what was left
/// out. HTTP bodies: `content`/`postData` carry the body's real size and its start as
/// kept (`--payload`: `HTTPBodyOptions`), UTF-8 as text, anything else base64
/// (`encoding`; `_encoding` in `postData`, where HAR 1.2 has no such field), with
/// `_switchpointTruncated` when only a prefix was kept.
package struct HARWriter {
    package var connections: [ReportConnection]
    /// Audit findings by the leg they name (`file:conn`, `file:conn#N`, `file:conn/sN`),
    /// put on that exchange's entry with their fix.
    package var auditFindings: [String: [AuditFinding]]
    /// Label connections `file:conn` (two capture files), else by number.
    package var labelWithFile: Bool

    package init(
        connections: [ReportConnection], auditFindings: [String: [AuditFinding]] = [:], labelWithFile: Bool = false
    ) {
        self.connections = connections
        self.auditFindings = auditFindings
        self.labelWithFile = labelWithFile
    }

    package func render() -> OutputBuffer {
        let out = OutputBuffer(capacity: 64 * 1024)
        var entries: [(exchange: ReportExchange, connection: ReportConnection)] = []
        var exchangesElided = 0
        var messagesElided = 0
        for connection in connections where connection.detailed {
            exchangesElided += connection.exchanges.elided
            for exchange in connection.exchanges.kept
            where exchange.requestMethod != nil || exchange.requestTime != nil {
                messagesElided += exchange.messages.elided
                entries.append((exchange, connection))
            }
        }
        entries = entries.enumerated().sorted {
            (($0.element.exchange.requestTime ?? $0.element.exchange.responseTime ?? .zero), $0.offset)
                < (($1.element.exchange.requestTime ?? $1.element.exchange.responseTime ?? .zero), $1.offset)
        }.map(\.element)
        var log = JSONObjectWriter(into: out)
        log.key("log")
        var body = JSONObjectWriter(into: out)
        body.add("version", literal: "1.2")
        body.key("creator")
        var creator = JSONObjectWriter(into: out)
        creator.add("name", literal: "switchpoint")
        creator.add("version", VersionReport.switchpoint)
        creator.close()
        body.key("entries")
        out.append(UInt8(ascii: "["))
        for (index, entry) in entries.enumerated() {
            if index > 0 { out.append(",\n") }
            writeEntry(entry.exchange, connection: entry.connection, into: out)
        }
        out.append(UInt8(ascii: "]"))
        let notDetailed = connections.filter { !$0.detailed }.count
        if exchangesElided > 0 || messagesElided > 0 || notDetailed > 0 {
            body.add(
                "comment",
                "switchpoint caps: \(exchangesElided) exchanges and \(messagesElided) WebSocket messages between the first and last kept were left out; \(notDetailed) connections past the first \(ReportLimits.maxDetailedConnections) have no entries"
            )
        }
        body.close()
        log.close()
        out.append("\n")
        return out
    }

    private func writeEntry(
        _ exchange: ReportExchange, connection: ReportConnection, into out: OutputBuffer
    ) {
        let started = exchange.requestTime ?? exchange.responseTime ?? connection.start
        // send: the request head is one event, so 0; wait: request to response head;
        // receive: response head to the end of its body (or of the HTTP/2 stream).
        let wait = exchange.responseTime.map { max(0, $0.milliseconds(since: started)) } ?? 0
        let receive =
            exchange.responseEnd.map { end in max(0, end.milliseconds(since: exchange.responseTime ?? started)) } ?? 0
        var entry = JSONObjectWriter(into: out)
        entry.key("startedDateTime")
        out.append(UInt8(ascii: "\""))
        Self.appendISO8601(started, into: out)
        out.append(UInt8(ascii: "\""))
        entry.add("time", wait + receive, decimals: 3)
        entry.key("request")
        writeRequest(exchange, connection: connection, into: out)
        entry.key("response")
        writeResponse(exchange, into: out)
        entry.key("cache")
        out.append("{}")
        entry.key("timings")
        var timings = JSONObjectWriter(into: out)
        timings.add("blocked", -1)
        timings.add("dns", -1)
        timings.add("connect", -1)
        timings.add("send", 0)
        timings.add("wait", wait, decimals: 3)
        timings.add("receive", receive, decimals: 3)
        timings.add("ssl", -1)
        timings.close()
        entry.add("serverIPAddress", "\(connection.server.address)")
        entry.add("connection", labelWithFile ? connection.label : String(connection.id))
        if let stream = exchange.stream { entry.add("_stream", Int(stream)) }
        let webSocket = Self.isWebSocket(exchange)
        if webSocket { entry.add("_resourceType", literal: "websocket") }
        if let upgrade = exchange.upgrade {
            entry.key("_switchpointUpgrade")
            var object = JSONObjectWriter(into: out)
            object.add("protocol", upgrade.protocolName)
            object.add("status", upgrade.status)
            object.add("c2s_offset", upgrade.clientToServerOffset)
            object.add("s2c_offset", upgrade.serverToClientOffset)
            object.add("latency_ms", upgrade.latencyMilliseconds, decimals: 3)
            object.close()
        }
        if webSocket || exchange.messages.total > 0 {
            entry.key("_webSocketMessages")
            writeMessages(exchange.messages, into: out)
            if exchange.messages.elided > 0 { entry.add("_webSocketMessagesElided", exchange.messages.elided) }
        }
        // The audit names this exchange as its leg: `file:conn`, `#N` past the first
        // request, `/sN` for an HTTP/2 stream.
        let leg =
            exchange.stream.map { "\(connection.label)/s\($0)" }
            ?? (exchange.ordinal > 1 ? "\(connection.label)#\(exchange.ordinal)" : connection.label)
        let audit = auditFindings[leg] ?? []
        if !exchange.findings.isEmpty || !audit.isEmpty {
            entry.key("_switchpointFindings")
            out.append(UInt8(ascii: "["))
            var firstFinding = true
            for finding in exchange.findings {
                if !firstFinding { out.append(UInt8(ascii: ",")) }
                firstFinding = false
                var object = JSONObjectWriter(into: out)
                object.add("code", finding.code.rawValue)
                object.add("severity", finding.severity.rawValue)
                object.add("message", finding.message)
                object.close()
            }
            for finding in audit {
                if !firstFinding { out.append(UInt8(ascii: ",")) }
                firstFinding = false
                var object = JSONObjectWriter(into: out)
                object.add("code", finding.code.rawValue)
                object.add("severity", finding.severity.rawValue)
                object.add("message", finding.message)
                if let fix = finding.fix { object.add("fix", fix) }
                object.close()
            }
            out.append(UInt8(ascii: "]"))
        }
        entry.close()
    }

    /// An upgrade to WebSocket, or an extended CONNECT for it (RFC 8441).
    static func isWebSocket(_ exchange: ReportExchange) -> Bool {
        let extendedConnect = exchange.requestFields.first { $0.name == ":protocol" }?.value
        return [exchange.upgrade?.protocolName, extendedConnect].contains {
            $0.map(ProtocolID.websocket.matches(token:)) == true
        }
    }

    /// The request's URL, with `ws`/`wss` for a WebSocket as browsers write it.
    static func url(_ exchange: ReportExchange, connection: ReportConnection) -> String {
        let url = httpURL(exchange, connection: connection)
        guard isWebSocket(exchange) else { return url }
        if url.hasPrefix("http://") { return "ws://" + url.dropFirst("http://".count) }
        if url.hasPrefix("https://") { return "wss://" + url.dropFirst("https://".count) }
        return url
    }

    /// An absolute target as sent, else scheme, Host (or :authority) and target.
    private static func httpURL(_ exchange: ReportExchange, connection: ReportConnection) -> String {
        let fields = exchange.requestFields
        func field(_ name: String) -> String? { fields.first { $0.name.equalsIgnoringASCIICase(name) }?.value }
        if exchange.isHTTP2 {
            let scheme = field(":scheme") ?? (exchange.decrypted ? "https" : "http")
            let authority = field(":authority") ?? field("host") ?? connection.server.description
            let path = field(":path") ?? exchange.requestTarget ?? "/"
            return "\(scheme)://\(authority)\(path)"
        }
        let target = exchange.requestTarget ?? "/"
        if target.hasPrefix("http://") || target.hasPrefix("https://") { return target }
        let host = field("Host") ?? connection.server.description
        if exchange.requestMethod == "CONNECT" { return (exchange.decrypted ? "https://" : "http://") + target }
        return (exchange.decrypted ? "https://" : "http://") + host + (target.hasPrefix("/") ? target : "/" + target)
    }

    /// `a=1&b=2` after the `?` (not percent-decoded: as on the wire).
    static func queryString(_ target: String) -> [(String, String)] {
        guard let mark = target.firstIndex(of: "?") else { return [] }
        var query = target[target.index(after: mark)...]
        if let hash = query.firstIndex(of: "#") { query = query[..<hash] }
        return query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }
    }

    private func writeRequest(_ exchange: ReportExchange, connection: ReportConnection, into out: OutputBuffer) {
        var request = JSONObjectWriter(into: out)
        let method =
            exchange.requestMethod
            ?? exchange.requestFields.first { $0.name == ":method" }?.value ?? ""
        request.add("method", method)
        let url = Self.url(exchange, connection: connection)
        request.add("url", url)
        request.add("httpVersion", exchange.requestVersion ?? "")
        request.key("cookies")
        Self.writeCookies(Self.requestCookies(exchange.requestFields), into: out)
        request.key("headers")
        Self.writeHeaders(exchange.requestFields, into: out)
        request.key("queryString")
        out.append(UInt8(ascii: "["))
        let target =
            exchange.isHTTP2
            ? (exchange.requestFields.first { $0.name == ":path" }?.value ?? exchange.requestTarget ?? "")
            : (exchange.requestTarget ?? "")
        for (index, pair) in Self.queryString(target).enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            var object = JSONObjectWriter(into: out)
            object.add("name", pair.0)
            object.add("value", pair.1)
            object.close()
        }
        out.append(UInt8(ascii: "]"))
        request.add("headersSize", -1)
        request.add("bodySize", exchange.requestBodyBytes)
        if exchange.requestBodyBytes > 0 {
            request.key("postData")
            var postData = JSONObjectWriter(into: out)
            postData.add("mimeType", Self.header("content-type", in: exchange.requestFields) ?? "")
            postData.key("params")
            out.append("[]")
            Self.writeBody(
                exchange.requestBody, truncated: exchange.requestBodyTruncated, encodingKey: "_encoding",
                into: &postData)
            postData.close()
        }
        request.close()
    }

    private func writeResponse(_ exchange: ReportExchange, into out: OutputBuffer) {
        var response = JSONObjectWriter(into: out)
        response.add("status", exchange.status ?? 0)
        response.add("statusText", exchange.reason)
        response.add("httpVersion", exchange.responseVersion ?? "")
        response.key("cookies")
        Self.writeCookies(Self.responseCookies(exchange.responseFields), into: out)
        response.key("headers")
        Self.writeHeaders(exchange.responseFields, into: out)
        response.key("content")
        var content = JSONObjectWriter(into: out)
        content.add("size", exchange.responseBodyBytes)
        content.add("mimeType", Self.header("content-type", in: exchange.responseFields) ?? "x-unknown")
        if exchange.responseBodyBytes > 0 {
            Self.writeBody(
                exchange.responseBody, truncated: exchange.responseBodyTruncated, encodingKey: "encoding",
                into: &content)
        }
        content.close()
        response.add("redirectURL", Self.header("location", in: exchange.responseFields) ?? "")
        response.add("headersSize", -1)
        if exchange.status == nil {
            response.add("bodySize", -1)
            response.add(
                "_error",
                exchange.reset.map { "stream reset: " + HTTP2ErrorCode(rawValue: $0).name } ?? "no response captured")
        } else {
            response.add("bodySize", exchange.responseBodyBytes)
        }
        response.close()
    }

    /// A body's kept bytes as `text`: UTF-8 as text (a prefix cut inside a character loses
    /// that character's first bytes), anything else base64 with `encodingKey` "base64".
    static func writeBody(
        _ bytes: [UInt8], truncated: Bool, encodingKey: StaticString, into object: inout JSONObjectWriter
    ) {
        if let text = utf8Prefix(bytes, truncated: truncated) {
            object.add("text", bytes: text)
        } else {
            object.add("text", Base64.encode(bytes))
            object.add(encodingKey, literal: "base64")
        }
        if truncated {
            object.add("_switchpointTruncated", true)
            object.add("comment", "only the first \(bytes.count) bytes of the body were kept (--payload)")
        }
    }

    /// The bytes when they are UTF-8; for a prefix, also when only the last character is
    /// cut short (then without its bytes).
    static func utf8Prefix(_ bytes: [UInt8], truncated: Bool) -> [UInt8]? {
        if String(validating: bytes, as: UTF8.self) != nil { return bytes }
        guard truncated else { return nil }
        for cut in 1...3 where bytes.count >= cut {
            let byte = bytes[bytes.count - cut]
            if byte & 0xc0 == 0x80 { continue }  // a continuation byte: look further back
            // A lead byte whose character needs more bytes than are left: cut short.
            let needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1
            guard needed > cut else { return nil }
            let prefix = Array(bytes[..<(bytes.count - cut)])
            return String(validating: prefix, as: UTF8.self) != nil ? prefix : nil
        }
        return nil
    }

    /// One cookie as HAR lists it (attributes only from `Set-Cookie`).
    struct Cookie {
        var name: String
        var value: String
        var path: String?
        var domain: String?
        var httpOnly = false
        var secure = false
    }

    /// `Cookie: a=1; b=2` (every `Cookie` field; HTTP/2 may split them).
    static func requestCookies(_ fields: [HTTPField]) -> [Cookie] {
        fields.filter { $0.name.equalsIgnoringASCIICase("cookie") }.flatMap { field in
            field.value.split(separator: ";").compactMap { pair -> Cookie? in
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = parts[0].trimmingOWS
                guard !name.isEmpty else { return nil }
                return Cookie(name: name, value: parts.count > 1 ? parts[1].trimmingOWS : "")
            }
        }
    }

    /// Each `Set-Cookie`: the first pair, then the attributes HAR names (not `Expires`,
    /// which HAR wants in ISO 8601: the header keeps it as sent).
    static func responseCookies(_ fields: [HTTPField]) -> [Cookie] {
        fields.filter { $0.name.equalsIgnoringASCIICase("set-cookie") }.compactMap { field in
            var attributes = field.value.split(separator: ";").map { $0.trimmingOWS }[...]
            guard let first = attributes.popFirst() else { return nil }
            let pair = first.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = pair.first.map(String.init), !name.isEmpty else { return nil }
            var cookie = Cookie(name: name, value: pair.count > 1 ? String(pair[1]) : "")
            for attribute in attributes {
                let parts = attribute.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = parts[0].lowercasedASCII
                let value = parts.count > 1 ? String(parts[1]) : ""
                switch key {
                case "path": cookie.path = value
                case "domain": cookie.domain = value
                case "httponly": cookie.httpOnly = true
                case "secure": cookie.secure = true
                default: break
                }
            }
            return cookie
        }
    }

    static func writeCookies(_ cookies: [Cookie], into out: OutputBuffer) {
        out.append(UInt8(ascii: "["))
        for (index, cookie) in cookies.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            var object = JSONObjectWriter(into: out)
            object.add("name", cookie.name)
            object.add("value", cookie.value)
            if let path = cookie.path { object.add("path", path) }
            if let domain = cookie.domain { object.add("domain", domain) }
            if cookie.httpOnly { object.add("httpOnly", true) }
            if cookie.secure { object.add("secure", true) }
            object.close()
        }
        out.append(UInt8(ascii: "]"))
    }

    static func header(_ name: String, in fields: [HTTPField]) -> String? {
        fields.first { $0.name.equalsIgnoringASCIICase(name) }?.value
    }

    static func writeHeaders(_ fields: [HTTPField], into out: OutputBuffer) {
        out.append(UInt8(ascii: "["))
        for (index, field) in fields.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            var object = JSONObjectWriter(into: out)
            object.add("name", field.name)
            object.add("value", field.value)
            object.close()
        }
        out.append(UInt8(ascii: "]"))
    }

    /// Chrome's form: `type` send (client to server) or receive, `time` in epoch seconds,
    /// `opcode`, `data` (text as text, binary as base64).
    private func writeMessages(_ messages: BoundedLog<ReportMessage>, into out: OutputBuffer) {
        out.append(UInt8(ascii: "["))
        for (index, message) in messages.kept.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            var object = JSONObjectWriter(into: out)
            object.add("type", literal: message.direction == .clientToServer ? "send" : "receive")
            object.add("time", timestamp: message.time)
            object.add("opcode", Int(message.opcode))
            if message.problem != nil || message.isText || WebSocketOpcode(rawValue: message.opcode) == .ping
                || WebSocketOpcode(rawValue: message.opcode) == .pong
            {
                object.add("data", bytes: message.problem == nil ? message.data : [])
            } else {
                object.add("data", Base64.encode(message.data))
            }
            if message.truncated {
                object.add("_truncated", true)
                object.add("_length", message.length)
            }
            if let code = message.closeCode { object.add("_closeCode", Int(code)) }
            if let problem = message.problem { object.add("_problem", problem) }
            object.close()
        }
        out.append(UInt8(ascii: "]"))
    }

    /// `2026-11-22T00:16:12.604131Z` (microseconds, UTC).
    static func appendISO8601(_ timestamp: Timestamp, into out: OutputBuffer) {
        out.append(dateTime: timestamp, separator: UInt8(ascii: "T"))
        out.append(UInt8(ascii: "Z"))
    }
}
