import Crypto

/// RFC 6455 §4 opening-handshake checks on a request and the 101 that answered it.
package enum WebSocketHandshake {
    static let acceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// base64(SHA-1(key + GUID)), what the server must send as Sec-WebSocket-Accept.
    package static func expectedAccept(forKey key: String) -> String {
        Base64.encode(Insecure.SHA1.hash(data: Array((key + acceptGUID).utf8)))
    }

    /// Findings about the handshake, in a stable order.
    package static func check(request: HTTPRequestHead, response: HTTPResponseHead) -> [Finding] {
        var findings: [Finding] = []
        let key = request.headers.values("Sec-WebSocket-Key").first
        if let key {
            if Base64.decode(key)?.count != 16 || key.utf8.count != 24 {
                findings.append(Finding(.websocketBadKey, "Sec-WebSocket-Key \"\(key)\" is not 16 bytes in base64"))
            }
        } else {
            findings.append(Finding(.websocketBadKey, "the request has no Sec-WebSocket-Key"))
        }
        let versions = request.headers.listElements("Sec-WebSocket-Version")
        if versions != ["13"] {
            let shown = versions.isEmpty ? "missing" : "\"\(versions.joined(separator: ", "))\""
            findings.append(Finding(.websocketBadVersion, "Sec-WebSocket-Version is \(shown), RFC 6455 requires 13"))
        }
        if let key {
            let expected = expectedAccept(forKey: key)
            if let found = response.headers.values("Sec-WebSocket-Accept").first {
                if found != expected {
                    findings.append(
                        Finding(
                            .websocketAcceptMismatch,
                            "Sec-WebSocket-Accept is \"\(found)\", expected \"\(expected)\""))
                }
            } else {
                findings.append(
                    Finding(.websocketAcceptMissing, "the 101 has no Sec-WebSocket-Accept (expected \"\(expected)\")"))
            }
        }
        let offeredProtocols = request.headers.listElements("Sec-WebSocket-Protocol")
        for chosen in response.headers.listElements("Sec-WebSocket-Protocol") where !offeredProtocols.contains(chosen) {
            findings.append(
                Finding(
                    .websocketSubprotocolNotOffered,
                    "the server chose subprotocol \"\(chosen)\", the client offered \(offeredProtocols.isEmpty ? "none" : offeredProtocols.joined(separator: ", "))"
                ))
        }
        let offeredExtensions = Set(extensionNames(request.headers).map(\.lowercasedASCII))
        for chosen in extensionNames(response.headers) where !offeredExtensions.contains(chosen.lowercasedASCII) {
            findings.append(
                Finding(
                    .websocketExtensionNotOffered,
                    "the server accepted extension \"\(chosen)\", which the client did not offer"))
        }
        return findings
    }

    /// Extension names from Sec-WebSocket-Extensions (parameters after `;` dropped).
    static func extensionNames(_ headers: HTTPHeaders) -> [String] {
        headers.listElements("Sec-WebSocket-Extensions").compactMap { element in
            element.split(separator: ";").first.map { $0.trimmingOWS }
        }
    }

    /// Handshake facts shown on the switch line.
    static func details(request: HTTPRequestHead, response: HTTPResponseHead) -> [HTTPField] {
        var details: [HTTPField] = []
        if let origin = request.headers.values("Origin").first {
            details.append(HTTPField(name: "origin", value: origin))
        }
        if let chosen = response.headers.combined("Sec-WebSocket-Protocol") {
            details.append(HTTPField(name: "subprotocol", value: chosen))
        }
        if let extensions = response.headers.combined("Sec-WebSocket-Extensions") {
            details.append(HTTPField(name: "extensions", value: extensions))
        }
        return details
    }
}
