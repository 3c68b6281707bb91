import Testing

@testable import SwitchpointCore

/// The `--redact` policy piece by piece (issue 27, item 6); `RedactionMatrixTests` runs it
/// through every output.
@Suite("--redact policy")
struct RedactionPolicyTests {
    @Test(
        "URLs: userinfo, query, `;` and fragment parameters, percent-encoded names; others kept",
        arguments: [
            ("/ws?room=1;token=abcd", "/ws?room=1;token=‹redacted len=4›"),
            ("/ws;jsessionid=abcd/x?y=1", "/ws;jsessionid=‹redacted len=4›/x?y=1"),
            ("/ws?%74oken=abcd&%6Bey=zz", "/ws?%74oken=‹redacted len=4›&%6Bey=‹redacted len=2›"),
            ("/cb?code=c0de&state=st4te", "/cb?code=‹redacted len=4›&state=‹redacted len=5›"),
            ("/cb#access_token=abcd&expires_in=3600", "/cb#access_token=‹redacted len=4›&expires_in=3600"),
            ("/ws?oauth_token=abcd", "/ws?oauth_token=‹redacted len=4›"),
            ("http://alice:pw@example.test/ws", "http://‹redacted len=8›@example.test/ws"),
            ("https://example.test/a@b?keyboard=1", "https://example.test/a@b?keyboard=1"),
            ("/plain/path", "/plain/path"),
        ])
    func urls(_ target: String, _ expected: String) {
        var secrets: [String] = []
        #expect(Redaction.target(target, secrets: &secrets) == expected)
    }

    @Test(
        "Sec-WebSocket-Protocol: bearer-like elements go, subprotocol names stay",
        arguments: [
            ("graphql-transport-ws", "graphql-transport-ws"),
            ("v12.stomp, v11.stomp", "v12.stomp, v11.stomp"),
            ("bearer, t0k3n", "bearer, ‹redacted len=5›"),
            ("access_token, t0k3n, chat", "access_token, ‹redacted len=5›, chat"),
            (
                "v4.channel.k8s.io, base64url.bearer.authorization.k8s.io.dG9r",
                "v4.channel.k8s.io, ‹redacted len=42›"
            ),
            ("chat, eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0", "chat, ‹redacted len=36›"),
        ])
    func protocols(_ value: String, _ expected: String) {
        var secrets: [String] = []
        #expect(Redaction.protocols(value, secrets: &secrets) == expected)
    }

    @Test("the subprotocol a server echoes is redacted when the client's offer was")
    func echoedProtocol() throws {
        var secrets: [String] = []
        _ = Redaction.protocols("bearer, t0k3n", secrets: &secrets)
        let answer = try #require(
            Redaction.fields([HTTPField(name: "Sec-WebSocket-Protocol", value: "t0k3n")], secrets: &secrets))
        #expect(answer.map(\.value) == ["‹redacted len=5›"])
        let details = try #require(
            Redaction.fields([HTTPField(name: "subprotocol", value: "t0k3n")], secrets: &secrets))
        #expect(details.map(\.value) == ["‹redacted len=5›"])
    }

    @Test("more header names and any name holding a credential word; :authority never")
    func headerNames() {
        for name in [
            "X-Api-Key", "x-auth-token", "X-CSRF-Token", "WWW-Authenticate", "X-Session-Id", "My-Secret", "cookie",
        ] {
            #expect(Redaction.isSecretHeader(name), "\(name)")
        }
        for name in [
            ":authority", "Host", "Upgrade", "Sec-WebSocket-Extensions", "Sec-WebSocket-Protocol",
            "Access-Control-Allow-Credentials", "Access-Control-Allow-Headers",
        ] {
            #expect(!Redaction.isSecretHeader(name), "\(name)")
        }
    }

    @Test("a key's implied Sec-WebSocket-Accept is a secret too; Location and Referer lose URL secrets")
    func derivedAndURLHeaders() throws {
        var secrets: [String] = []
        let fields = try #require(
            Redaction.fields(
                [
                    HTTPField(name: "Sec-WebSocket-Key", value: "dGhlIHNhbXBsZSBub25jZQ=="),
                    HTTPField(name: "Location", value: "https://a.test/cb?code=c0de"),
                    HTTPField(name: "Referer", value: "https://u:p@a.test/"),
                ], secrets: &secrets))
        #expect(
            fields.map(\.value) == [
                "‹redacted len=24›", "https://a.test/cb?code=‹redacted len=4›", "https://‹redacted len=3›@a.test/",
            ])
        #expect(secrets.contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="))
    }

    @Test("findings: known values, quotes after a secret header, quoted raw lines whole, URLs")
    func findings() {
        #expect(
            Redaction.prose("Sec-WebSocket-Accept is \"wrong\", expected \"s3pP\"", secrets: [])
                == "Sec-WebSocket-Accept is \"‹redacted len=5›\", expected \"s3pP\"")
        #expect(
            Redaction.prose("expected \"s3pPLMBi\"", secrets: ["s3pPLMBi"]) == "expected \"‹redacted len=8›\"")
        #expect(Redaction.prose("uses \"1\" here", secrets: ["1"]) == "uses \"1\" here")
        // Replaced once: the known value, not the replacement again.
        #expect(
            Redaction.prose("Sec-WebSocket-Accept is \"abcdef\"", secrets: ["abcdef"])
                == "Sec-WebSocket-Accept is \"‹redacted len=6›\"")
        let malformed = Finding(.httpMalformedHeader, "a header line without a field name and colon: \"Foo bar\"")
        #expect(
            Redaction.finding(malformed, secrets: [])?.message
                == "a header line without a field name and colon: \"‹redacted len=7›\"")
        #expect(
            Redaction.prose("GET /ws?token=abcd HTTP/1.1 (Upgrade: websocket) matches nothing", secrets: [])
                == "GET /ws?token=‹redacted len=4› HTTP/1.1 (Upgrade: websocket) matches nothing")
    }

    @Test("payloads are replaced whole, their sizes kept")
    func payloads() throws {
        let message = WebSocketMessage(
            opcode: 1, length: 5, wireLength: 5, frames: 1, compressed: false, kept: Array("hello".utf8),
            keptAll: true, complete: true, problem: nil)
        guard case .wsMessage(let text)? = Redaction.payload(.wsMessage(message)) else {
            Issue.record("not redacted")
            return
        }
        #expect(text.kept == Array("‹redacted len=5›".utf8))
        #expect(text.length == 5)
        var binary = message
        binary.opcode = 2
        guard case .wsMessage(let redacted)? = Redaction.payload(.wsMessage(binary)) else {
            Issue.record("not redacted")
            return
        }
        #expect(redacted.kept.isEmpty)
        #expect(redacted.problem == "‹redacted len=5›")
        guard case .h2GoAway(_, _, let debug)? = Redaction.payload(.h2GoAway(lastStream: 1, error: 0, debug: "abc"))
        else {
            Issue.record("not redacted")
            return
        }
        #expect(debug == "‹redacted len=3›")
        #expect(Redaction.payload(.httpBody(length: 9, chunked: false, kept: [], keptAll: false)) == nil)
    }
}
