import NIOHPACK

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Every place issue 27 (item 6) found a secret leaking past `--redact`, each its own
/// capture and marker.
extension RedactionCell {
    static let matrix: [RedactionCell] = http1Headers + http1URLs + http1Findings + payloads + http2

    static func cell(
        _ name: String, _ segments: @escaping @Sendable (String) throws -> [(Direction, [UInt8])]
    ) -> RedactionCell {
        // Letters and digits only: no output escapes or splits it.
        let marker = "Zq" + name.filter { $0.isLetter || $0.isNumber }.prefix(12) + "SecretMarker\(name.count)"
        return RedactionCell(name: name, marker: marker, segments: segments)
    }

    static let http1Headers: [RedactionCell] = [
        cell("h1-authorization") { upgrade(extra: "Authorization: Bearer \($0)\r\n") },
        cell("h1-cookie") { upgrade(extra: "Cookie: session=\($0)\r\n") },
        cell("h1-x-api-key") { upgrade(extra: "X-Api-Key: \($0)\r\n") },
        cell("h1-x-auth-token") { upgrade(extra: "X-Auth-Token: \($0)\r\n") },
        cell("h1-x-csrf-token") { upgrade(extra: "X-CSRF-Token: \($0)\r\n") },
        cell("h1-www-authenticate") {
            exchange(
                "GET /api HTTP/1.1\r\nHost: example.test\r\n\r\n",
                "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm=\"\($0)\"\r\nContent-Length: 0\r\n\r\n")
        },
        cell("h1-set-cookie") {
            exchange(
                "GET / HTTP/1.1\r\nHost: example.test\r\n\r\n",
                "HTTP/1.1 200 OK\r\nSet-Cookie: sid=\($0); HttpOnly\r\nContent-Length: 0\r\n\r\n")
        },
        cell("h1-subprotocol-bearer") { upgrade(extra: "Sec-WebSocket-Protocol: bearer, \($0)\r\n") },
        cell("h1-subprotocol-echoed") {
            upgrade(
                extra: "Sec-WebSocket-Protocol: bearer, \($0)\r\n",
                response:
                    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: \($0)\r\n\r\n")
        },
        cell("h1-subprotocol-k8s") {
            upgrade(extra: "Sec-WebSocket-Protocol: v4.channel.k8s.io, base64url.bearer.authorization.k8s.io.\($0)\r\n")
        },
    ]

    static let http1URLs: [RedactionCell] = [
        cell("h1-query-token") { upgrade(target: "/chat?room=1&access_token=\($0)") },
        cell("h1-semicolon-param") { upgrade(target: "/chat?room=1;token=\($0)") },
        cell("h1-path-jsessionid") { upgrade(target: "/chat;jsessionid=\($0)") },
        cell("h1-percent-encoded-name") { upgrade(target: "/chat?%74oken=\($0)") },
        cell("h1-userinfo") { upgrade(target: "http://alice:\($0)@example.test/chat") },
        cell("h1-referer-token") { upgrade(extra: "Referer: https://app.test/page?id_token=\($0)\r\n") },
        cell("h1-location-code") {
            exchange(
                "GET /login HTTP/1.1\r\nHost: example.test\r\n\r\n",
                "HTTP/1.1 302 Found\r\nLocation: https://app.test/cb?code=\($0)&state=xyzw\r\nContent-Length: 0\r\n\r\n"
            )
        },
        cell("h1-location-state") {
            exchange(
                "GET /login HTTP/1.1\r\nHost: example.test\r\n\r\n",
                "HTTP/1.1 302 Found\r\nLocation: https://app.test/cb?code=abcd&state=\($0)\r\nContent-Length: 0\r\n\r\n"
            )
        },
        cell("h1-location-userinfo") {
            exchange(
                "GET /login HTTP/1.1\r\nHost: example.test\r\n\r\n",
                "HTTP/1.1 302 Found\r\nLocation: https://bob:\($0)@app.test/\r\nContent-Length: 0\r\n\r\n")
        },
    ]

    static let http1Findings: [RedactionCell] = [
        // The server's wrong accept, quoted beside the expected one.
        cell("h1-accept-in-finding") {
            upgrade(
                response:
                    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: \($0)\r\n\r\n")
        },
        cell("h1-malformed-secret-line") { upgrade(extra: "X-Api-Key \($0)\r\n") },
        cell("h1-malformed-any-line") { upgrade(extra: "Weird \($0)\r\n") },
    ]

    static let payloads: [RedactionCell] = [
        cell("h1-401-body") {
            exchange(
                "GET /api HTTP/1.1\r\nHost: example.test\r\n\r\n",
                refusal(status: "401 Unauthorized", body: "invalid token \($0)"))
        },
        cell("h1-426-body") {
            [(.clientToServer, Array("GET /chat HTTP/1.1\r\n\(upgradeRequestTail)\r\n".utf8))]
                + [(.serverToClient, Array(refusal(status: "426 Upgrade Required", body: "token \($0) expired").utf8))]
        },
        cell("h1-post-body") {
            exchange(
                "POST /login HTTP/1.1\r\nHost: example.test\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    + "Content-Length: \(9 + $0.utf8.count)\r\n\r\npassword=\($0)",
                "HTTP/1.1 204 No Content\r\n\r\n")
        },
        cell("ws-text-message") { webSocket(client: masked(opcode: 1, Array("hello \($0)".utf8))) },
        cell("ws-binary-message") { webSocket(client: masked(opcode: 2, Array($0.utf8))) },
        cell("ws-json-rpc-params") {
            webSocket(
                client: masked(
                    opcode: 1, Array(#"{"jsonrpc":"2.0","id":1,"method":"login","params":{"user":"\#($0)"}}"#.utf8)))
        },
        cell("ws-close-reason") { webSocket(client: masked(opcode: 8, [0x03, 0xe8] + Array($0.utf8))) },
        cell("ws-ping-payload") { webSocket(client: masked(opcode: 9, Array($0.utf8))) },
    ]

    static let http2: [RedactionCell] = [
        cell("h2-huffman-authorization") {
            try http2(request: requestFields(path: "/api", [("authorization", "Bearer \($0)")]))
        },
        cell("h2-continuation-api-key") {
            try http2(request: requestFields(path: "/api", [("x-api-key", $0)]), splitRequest: true)
        },
        cell("h2-path-token") { try http2(request: requestFields(path: "/api?token=\($0)")) },
        cell("h2-path-percent-encoded") { try http2(request: requestFields(path: "/api?%74oken=\($0)")) },
        cell("h2-response-set-cookie") {
            try http2(request: requestFields(path: "/"), response: [(":status", "200"), ("set-cookie", "id=\($0)")])
        },
        cell("h2-push-promise-path") { marker in
            try http2(request: requestFields(path: "/")) { encoder in
                let promised = try block(requestFields(path: "/pushed.js?sig=\(marker)"), &encoder)
                return H2.frame(Frame.pushPromise, flags: Frame.endHeaders, stream: 1, [0, 0, 0, 2] + promised)
                    + H2.frame(Frame.data, flags: Frame.endStream, stream: 1, Array("ok".utf8))
            }
        },
        cell("h2-trailers") { marker in
            try http2(request: requestFields(path: "/")) { encoder in
                H2.frame(Frame.data, stream: 1, Array("ok".utf8))
                    + H2.frame(
                        Frame.headers, flags: Frame.endHeaders | Frame.endStream, stream: 1,
                        try block([("x-auth-token", marker)], &encoder))
            }
        },
        cell("h2-goaway-debug") { marker in
            try http2(request: requestFields(path: "/")) { _ in
                H2.frame(Frame.data, flags: Frame.endStream, stream: 1, Array("ok".utf8))
                    + H2.frame(Frame.goAway, stream: 0, [0, 0, 0, 1, 0, 0, 0, 0] + Array("debug \(marker)".utf8))
            }
        },
        cell("h2-request-body") { marker in
            try http2(
                request: requestFields(path: "/login", [("content-type", "application/json")]), requestEnds: false,
                clientFrames: { _ in
                    H2.frame(Frame.data, flags: Frame.endStream, stream: 1, Array(#"{"user":"\#(marker)"}"#.utf8))
                })
        },
        cell("h2-response-body") { marker in
            try http2(request: requestFields(path: "/")) { _ in
                H2.frame(Frame.data, flags: Frame.endStream, stream: 1, Array("welcome \(marker)".utf8))
            }
        },
    ]
}
