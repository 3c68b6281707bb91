import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// The HTTP/1 parser and the switch decision, each case fed whole, byte by byte and in
/// random splits with identical events required.
@Suite("HTTP/1.1 and the switch point")
struct HTTP1SwitchTests {
    static let key = "dGhlIHNhbXBsZSBub25jZQ=="  // RFC 6455 §1.3
    static let accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

    static func wsRequest(
        extra: String = "", connection: String = "Connection: Upgrade\r\n", version: String = "HTTP/1.1",
        key: String = key, wsVersion: String = "13"
    ) -> String {
        "GET /chat \(version)\r\nHost: example.com\r\nUpgrade: websocket\r\n\(connection)Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: \(wsVersion)\r\n\(extra)\r\n"
    }

    static func ws101(
        extra: String = "", accept: String? = accept, upgrade: String? = "websocket", connection: Bool = true
    ) -> String {
        var text = "HTTP/1.1 101 Switching Protocols\r\n"
        if let upgrade { text += "Upgrade: \(upgrade)\r\n" }
        if connection { text += "Connection: Upgrade\r\n" }
        if let accept { text += "Sec-WebSocket-Accept: \(accept)\r\n" }
        return text + extra + "\r\n"
    }

    /// An unmasked server text frame "Hello" (RFC 6455 §5.7).
    static let textFrame: [UInt8] = [0x81, 0x05] + Array("Hello".utf8)

    @Test("a WebSocket switch: offsets right after each head, accept verified, latency measured")
    func websocketSwitch() throws {
        let request = Self.wsRequest()
        let response = Self.ws101()
        let sink = Conversation(bytes: [
            (.clientToServer, Array(request.utf8)), (.serverToClient, Array(response.utf8) + Self.textFrame),
        ]).runAllSplittings()
        #expect(sink.findingCodes.isEmpty)
        let upgrade = try #require(sink.upgrades.first)
        #expect(upgrade.protocolName == "websocket")
        #expect(upgrade.clientToServerOffset == UInt64(request.utf8.count))
        #expect(upgrade.serverToClientOffset == UInt64(response.utf8.count))
        #expect(upgrade.latencyMilliseconds == 1.0)
        let raw = sink.events.compactMap {
            if case .rawData(let chunk) = $0.kind { ($0.offset, chunk.length) } else { nil }
        }
        #expect(raw.count >= 1)
        #expect(raw.first?.0 == UInt64(response.utf8.count))
    }

    @Test("bytes coalesced with the 101 give the same events as bytes sent separately")
    func coalescedAndSeparate() {
        let request = Self.wsRequest()
        let response = Self.ws101()
        let coalesced = Conversation(bytes: [
            (.clientToServer, Array(request.utf8)), (.serverToClient, Array(response.utf8) + Self.textFrame),
        ]).run(.whole)
        let separate = Conversation(bytes: [
            (.clientToServer, Array(request.utf8)), (.serverToClient, Array(response.utf8)),
            (.serverToClient, Self.textFrame),
        ]).run(.whole)
        // Timestamps differ (the frame's packet), everything else is the same.
        let strip: (TimelineEvent) -> String = { event in
            var copy = event
            copy.timestamp = .zero
            copy.packet = 0
            return JSONTimelinePrinter.line(copy)
        }
        #expect(coalesced.events.dropLast().map(strip) == separate.events.dropLast().map(strip))
    }

    @Test("upgrade.refused_426 names the Upgrade the server demands; the retry on the same connection switches")
    func refused426ThenRetry() {
        let refusal =
            "HTTP/1.1 426 Upgrade Required\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nContent-Length: 5\r\n\r\nretry"
        let sink = Conversation([
            (.clientToServer, Self.wsRequest(wsVersion: "8")), (.serverToClient, refusal),
            (.clientToServer, Self.wsRequest()), (.serverToClient, Self.ws101()),
        ]).runAllSplittings()
        // The handshake rules (websocket.bad_version among them) are checked on a 101 only:
        // the refused version-8 request gives the refusal alone.
        #expect(sink.findingCodes == ["upgrade.refused_426"])
        #expect(sink.findings.first?.message.contains("the server demands Upgrade: websocket") == true)
        #expect(sink.upgrades.count == 1)
    }

    @Test("upgrade.refused: any other final status")
    func refusedOther() {
        let sink = Conversation([
            (.clientToServer, Self.wsRequest()),
            (.serverToClient, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"),
        ]).runAllSplittings()
        #expect(sink.findingCodes == ["upgrade.refused"])
        #expect(sink.findings.first?.message.contains("403 Forbidden") == true)
        #expect(sink.upgrades.isEmpty)
    }

    @Test("upgrade.connection_header_missing: Upgrade without Connection: upgrade")
    func connectionHeaderMissing() {
        let sink = Conversation([
            (.clientToServer, Self.wsRequest(connection: "Connection: keep-alive\r\n")),
            (.serverToClient, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"),
        ]).runAllSplittings()
        #expect(sink.findingCodes == ["upgrade.connection_header_missing", "upgrade.refused"])
    }

    @Test("upgrade.upgrade_header_missing: handshake headers without Upgrade (a proxy stripped it)")
    func upgradeHeaderStripped() {
        let stripped =
            "GET /chat HTTP/1.0\r\nHost: backend\r\nConnection: close\r\nSec-WebSocket-Key: \(Self.key)\r\nSec-WebSocket-Version: 13\r\n\r\n"
        let sink = Conversation([
            (.clientToServer, stripped),
            (.serverToClient, "HTTP/1.1 505 HTTP Version Not Supported\r\nContent-Length: 0\r\n\r\n"),
        ]).runAllSplittings()
        #expect(sink.findingCodes == ["upgrade.upgrade_header_missing"])
    }

    @Test("refusal messages name the likely cause")
    func likelyCauses() {
        let sink = Conversation([
            (.clientToServer, Self.wsRequest()),
            (.serverToClient, "HTTP/1.1 505 HTTP Version Not Supported\r\nContent-Length: 0\r\n\r\n"),
        ]).runAllSplittings()
        #expect(sink.findings.first?.message.contains("proxy_http_version 1.1") == true)
        let ignored = Conversation([
            (.clientToServer, Self.wsRequest()),
            (.serverToClient, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
        ]).runAllSplittings()
        #expect(ignored.findings.first?.message.contains("drops the hop-by-hop Upgrade/Connection headers") == true)
    }

    @Test("upgrade.101_without_upgrade")
    func withoutUpgradeHeader() {
        let sink = Conversation([(.clientToServer, Self.wsRequest()), (.serverToClient, Self.ws101(upgrade: nil))])
            .runAllSplittings()
        #expect(sink.findingCodes.contains("upgrade.101_without_upgrade"))
        #expect(sink.upgrades.count == 1)
    }

    @Test("upgrade.101_without_connection_upgrade")
    func withoutConnectionHeader() {
        let sink = Conversation([(.clientToServer, Self.wsRequest()), (.serverToClient, Self.ws101(connection: false))])
            .runAllSplittings()
        #expect(sink.findingCodes == ["upgrade.101_without_connection_upgrade"])
    }

    @Test("upgrade.protocol_not_offered")
    func protocolNotOffered() {
        let sink = Conversation([(.clientToServer, Self.wsRequest()), (.serverToClient, Self.ws101(upgrade: "h2c"))])
            .runAllSplittings()
        #expect(sink.findingCodes.contains("upgrade.protocol_not_offered"))
        #expect(sink.upgrades.first?.protocolName == "h2c")
    }

    @Test("upgrade.unsolicited_101")
    func unsolicited() {
        let sink = Conversation([
            (.clientToServer, "GET / HTTP/1.1\r\nHost: a\r\n\r\n"),
            (.serverToClient, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: tcp\r\nConnection: Upgrade\r\n\r\nxyz"),
        ]).runAllSplittings()
        #expect(sink.findingCodes == ["upgrade.unsolicited_101"])
        #expect(sink.upgrades.first?.protocolName == "tcp")
    }

    @Test("upgrade.client_data_before_verdict: held, then given to the new protocol")
    func clientDataBeforeVerdict() throws {
        let request = Self.wsRequest()
        let frame: [UInt8] = [0x81, 0x85] + Array("abcd12345".utf8)
        let sink = Conversation(bytes: [
            (.clientToServer, Array(request.utf8) + frame), (.serverToClient, Array(Self.ws101().utf8)),
        ]).runAllSplittings()
        #expect(sink.findingCodes == ["upgrade.client_data_before_verdict"])
        let upgrade = try #require(sink.upgrades.first)
        #expect(upgrade.clientToServerOffset == UInt64(request.utf8.count))
        let raw = sink.events.filter { if case .rawData = $0.kind { true } else { false } }
        #expect(raw.first?.direction == .clientToServer)
        #expect(raw.first?.offset == UInt64(request.utf8.count))
    }

    @Test("client data before a refusal is parsed as the next request")
    func heldBytesAfterRefusal() {
        let sink = Conversation([
            (.clientToServer, Self.wsRequest() + "GET /next HTTP/1.1\r\nHost: a\r\n\r\n"),
            (.serverToClient, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 204 No Content\r\n\r\n"),
        ]).runAllSplittings()
        let requests = sink.events.compactMap { if case .httpRequest(let head) = $0.kind { head.target } else { nil } }
        #expect(requests == ["/chat", "/next"])
        #expect(sink.findingCodes == ["upgrade.client_data_before_verdict", "upgrade.refused"])
    }

    @Test("upgrade.http10_request")
    func http10() {
        let sink = Conversation([
            (.clientToServer, Self.wsRequest(version: "HTTP/1.0")),
            (.serverToClient, "HTTP/1.0 200 OK\r\n\r\nbody until close"),
        ]).runAllSplittings()
        #expect(sink.findingCodes.first == "upgrade.http10_request")
        let bodies = sink.events.compactMap { if case .httpBody(let length, _, _, _) = $0.kind { length } else { nil } }
        #expect(bodies == [16])
    }

    @Test("upgrade.no_verdict: the connection ends before the answer")
    func noVerdict() {
        let sink = Conversation([(.clientToServer, Self.wsRequest())]).runAllSplittings()
        #expect(sink.findingCodes == ["upgrade.no_verdict"])
    }

    @Test("CONNECT 200 opens a tunnel whose TLS hello is read; connect.refused otherwise")
    func connectTunnel() throws {
        let hello = TLSFixtures.clientHello(serverName: "api.example.com", alpn: ["h2", "http/1.1"], tls13: true)
        let sink = Conversation(bytes: [
            (.clientToServer, Array("CONNECT api.example.com:443 HTTP/1.1\r\nHost: api.example.com:443\r\n\r\n".utf8)),
            (.serverToClient, Array("HTTP/1.1 200 Connection Established\r\n\r\n".utf8)),
            (.clientToServer, hello),
        ]).runAllSplittings()
        #expect(sink.upgrades.first?.protocolName == "connect-tunnel")
        let clientHello = sink.events.compactMap { if case .tlsClientHello(let hello) = $0.kind { hello } else { nil } }
            .first
        #expect(clientHello?.serverName == "api.example.com")
        let refused = Conversation([
            (.clientToServer, "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n"),
            (.serverToClient, "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n"),
        ]).runAllSplittings()
        #expect(refused.findingCodes == ["connect.refused"])
    }

    // MARK: WebSocket handshake findings

    @Test("websocket.bad_key")
    func badKey() {
        let sink = Conversation([(.clientToServer, Self.wsRequest(key: "c2hvcnQ=")), (.serverToClient, Self.ws101())])
            .runAllSplittings()
        #expect(sink.findingCodes.first == "websocket.bad_key")
    }

    @Test("websocket.bad_version")
    func badVersion() {
        let sink = Conversation([(.clientToServer, Self.wsRequest(wsVersion: "8")), (.serverToClient, Self.ws101())])
            .runAllSplittings()
        #expect(sink.findingCodes == ["websocket.bad_version"])
    }

    @Test("websocket.accept_mismatch with expected and found values")
    func acceptMismatch() {
        let sink = Conversation([(.clientToServer, Self.wsRequest()), (.serverToClient, Self.ws101(accept: "wrong="))])
            .runAllSplittings()
        #expect(sink.findingCodes == ["websocket.accept_mismatch"])
        #expect(sink.findings.first?.message == "Sec-WebSocket-Accept is \"wrong=\", expected \"\(Self.accept)\"")
        #expect(WebSocketHandshake.expectedAccept(forKey: Self.key) == Self.accept)
    }

    @Test("websocket.accept_missing")
    func acceptMissing() {
        let sink = Conversation([(.clientToServer, Self.wsRequest()), (.serverToClient, Self.ws101(accept: nil))])
            .runAllSplittings()
        #expect(sink.findingCodes == ["websocket.accept_missing"])
    }

    @Test("websocket.subprotocol_not_offered and websocket.extension_not_offered")
    func notOffered() {
        let sink = Conversation([
            (.clientToServer, Self.wsRequest(extra: "Sec-WebSocket-Protocol: chat, superchat\r\n")),
            (
                .serverToClient,
                Self.ws101(extra: "Sec-WebSocket-Protocol: mqtt\r\nSec-WebSocket-Extensions: permessage-deflate\r\n")
            ),
        ]).runAllSplittings()
        #expect(sink.findingCodes == ["websocket.subprotocol_not_offered", "websocket.extension_not_offered"])
    }

    // MARK: HTTP/1 framing

    @Test("pipelined requests, HEAD, 204, 304, 100 Continue, chunked with trailers, keep-alive")
    func framing() {
        let sink = Conversation([
            (
                .clientToServer,
                "HEAD /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\nPOST /c HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"
            ),
            (
                .serverToClient,
                "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n"
            ),
            (.clientToServer, "data"),
            (
                .serverToClient,
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: yes\r\n\r\n"
            ),
            (.clientToServer, "DELETE /d HTTP/1.1\r\nHost: x\r\n\r\n"),
            (.serverToClient, "HTTP/1.1 204 No Content\r\n\r\n"),
        ]).runAllSplittings()
        #expect(sink.findingCodes.isEmpty)
        let statuses = sink.events.compactMap {
            if case .httpResponse(let head) = $0.kind { "\(head.status) \(head.requestMethod ?? "-")" } else { nil }
        }
        #expect(statuses == ["200 HEAD", "304 GET", "100 POST", "200 POST", "204 DELETE"])
        let bodies = sink.events.compactMap {
            if case .httpBody(let length, let chunked, _, _) = $0.kind {
                "\($0.direction!.shortName) \(length) \(chunked)"
            } else {
                nil
            }
        }
        #expect(bodies == ["c2s 4 false", "s2c 11 true"])
    }

    @Test("http.obs_fold: folded values are joined and flagged")
    func obsFold() {
        let sink = Conversation([(.clientToServer, "GET / HTTP/1.1\r\nX-Long: first\r\n  second\r\nHost: a\r\n\r\n")])
            .runAllSplittings()
        #expect(sink.findingCodes == ["http.obs_fold"])
        let head = sink.events.compactMap { if case .httpRequest(let head) = $0.kind { head } else { nil } }.first
        #expect(head?.headers.values("X-Long") == ["first second"])
    }

    @Test("http.malformed_start_line: the rest is shown raw")
    func malformedStartLine() {
        let sink = Conversation([(.clientToServer, "GET /\r\nHost: a\r\n\r\n"), (.clientToServer, "more")])
            .runAllSplittings()
        #expect(sink.findingCodes == ["http.malformed_start_line"])
        let raw = sink.events.compactMap { if case .rawData(let chunk) = $0.kind { chunk.protocolName } else { nil } }
        #expect(!raw.isEmpty && raw.allSatisfy { $0 == "unparsed" })
    }

    @Test("http.malformed_header")
    func malformedHeader() {
        let sink = Conversation([(.clientToServer, "GET / HTTP/1.1\r\nno colon here\r\nBad Name: x\r\n\r\n")])
            .runAllSplittings()
        #expect(sink.findingCodes == ["http.malformed_header", "http.malformed_header"])
    }

    @Test("http.line_too_long, http.too_many_headers, http.headers_too_large")
    func limits() {
        var conversation = Conversation([
            (.clientToServer, "GET /" + String(repeating: "a", count: 200) + " HTTP/1.1\r\n\r\n")
        ])
        conversation.limits.maxLineLength = 100
        #expect(conversation.runAllSplittings().findingCodes == ["http.line_too_long"])
        var many = Conversation([
            (.clientToServer, "GET / HTTP/1.1\r\n" + String(repeating: "A: b\r\n", count: 20) + "\r\n")
        ])
        many.limits.maxHeaderCount = 10
        #expect(many.runAllSplittings().findingCodes == ["http.too_many_headers"])
        var large = Conversation([
            (.clientToServer, "GET / HTTP/1.1\r\n" + String(repeating: "Header: value\r\n", count: 20) + "\r\n")
        ])
        large.limits.maxHeaderBytes = 100
        #expect(large.runAllSplittings().findingCodes == ["http.headers_too_large"])
    }

    @Test("http.bad_content_length and Transfer-Encoding with Content-Length")
    func badContentLength() {
        let sink = Conversation([
            (.clientToServer, "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"),
            (.serverToClient, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
            (.clientToServer, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n"),
        ]).runAllSplittings()
        #expect(sink.findingCodes == ["http.bad_content_length", "http.bad_content_length"])
    }

    @Test("http.bad_content_length in a response is reported too; the body then runs until close")
    func badResponseContentLength() {
        let sink = Conversation([
            (.clientToServer, "GET / HTTP/1.1\r\n\r\n"),
            (.serverToClient, "HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nabcdef"),
        ]).runAllSplittings()
        #expect(sink.findingCodes == ["http.bad_content_length"])
        #expect(
            sink.events.compactMap { if case .httpBody(let length, _, _, _) = $0.kind { length } else { nil } } == [
                UInt64(6)
            ])
    }

    @Test("http.bad_chunk")
    func badChunk() {
        let sink = Conversation([
            (.clientToServer, "GET / HTTP/1.1\r\n\r\n"),
            (.serverToClient, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
        ]).runAllSplittings()
        #expect(sink.findingCodes == ["http.bad_chunk"])
    }

    @Test("http.response_without_request")
    func responseWithoutRequest() {
        let sink = Conversation([(.serverToClient, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")]).runAllSplittings()
        #expect(sink.findingCodes == ["http.response_without_request"])
    }

    @Test("http.gap_in_message: a gap in a body of known length is skipped, in a head it stops parsing")
    func gapInMessage() {
        var body = Conversation([
            (.clientToServer, "GET / HTTP/1.1\r\n\r\n"),
            (.serverToClient, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"),
            (.serverToClient, "hij"),
        ])
        body.gaps = [2: 4]
        let bodySink = body.runAllSplittings()
        #expect(bodySink.findingCodes == ["http.gap_in_message"])
        let lengths = bodySink.events.compactMap {
            if case .httpBody(let length, _, _, _) = $0.kind { length } else { nil }
        }
        #expect(lengths == [10])
        var head = Conversation([(.clientToServer, "GET / HT"), (.clientToServer, "TP/1.1\r\n\r\n")])
        head.gaps = [1: 3]
        #expect(head.runAllSplittings().findingCodes == ["http.gap_in_message"])
    }

    @Test("http.truncated_message")
    func truncated() {
        let sink = Conversation([
            (.clientToServer, "GET / HTTP/1.1\r\n\r\n"),
            (.serverToClient, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"),
        ]).runAllSplittings()
        #expect(sink.findingCodes == ["http.truncated_message"])
    }

    @Test("analysis.pending_bytes_limit")
    func pendingLimit() {
        var conversation = Conversation([(.clientToServer, Self.wsRequest() + String(repeating: "x", count: 300))])
        conversation.limits.maxPendingClientBytes = 100
        #expect(conversation.runAllSplittings().findingCodes.contains("analysis.pending_bytes_limit"))
    }

    @Test("tls.malformed_hello and tls.hello_too_large")
    func tlsFindings() {
        var broken = TLSFixtures.clientHello(serverName: "a", alpn: [], tls13: false)
        broken.removeLast(3)
        broken[3] = UInt8((broken.count - 5) >> 8)
        broken[4] = UInt8((broken.count - 5) & 0xff)
        let lengthFix = broken.count - 9
        broken[6] = UInt8(lengthFix >> 16)
        broken[7] = UInt8(lengthFix >> 8 & 0xff)
        broken[8] = UInt8(lengthFix & 0xff)
        #expect(
            Conversation(bytes: [(.clientToServer, broken)]).runAllSplittings().findingCodes == ["tls.malformed_hello"])
        let huge: [UInt8] = [0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0xff, 0xff, 0xff]
        #expect(
            Conversation(bytes: [(.clientToServer, huge)]).runAllSplittings().findingCodes == ["tls.hello_too_large"])
    }

    @Test("TLS without keys: SNI, ALPN offered, selection visible in 1.2 and encrypted in 1.3")
    func tlsHellos() throws {
        let sink = Conversation(bytes: [
            (
                .clientToServer,
                TLSFixtures.clientHello(serverName: "api.example.com", alpn: ["h2", "http/1.1"], tls13: true)
            ),
            (
                .serverToClient,
                TLSFixtures.serverHello(alpn: nil, tls13: true) + [0x17, 0x03, 0x03, 0x00, 0x02, 0xaa, 0xbb]
            ),
        ]).runAllSplittings()
        let client = try #require(
            sink.events.compactMap { if case .tlsClientHello(let hello) = $0.kind { hello } else { nil } }.first)
        #expect(client == TLSClientHello(version: "TLS 1.3", serverName: "api.example.com", alpn: ["h2", "http/1.1"]))
        let server = try #require(
            sink.events.compactMap { if case .tlsServerHello(let hello) = $0.kind { hello } else { nil } }.first)
        #expect(
            server
                == TLSServerHello(
                    version: "TLS 1.3", alpn: nil, selectionEncrypted: true, cipherSuite: "TLS_AES_128_GCM_SHA256"))
        let twelve = Conversation(bytes: [
            (.clientToServer, TLSFixtures.clientHello(serverName: "a.test", alpn: ["h2"], tls13: false)),
            (.serverToClient, TLSFixtures.serverHello(alpn: "h2", tls13: false)),
        ]).runAllSplittings()
        let selected = twelve.events.compactMap { if case .tlsServerHello(let hello) = $0.kind { hello } else { nil } }
            .first
        #expect(
            selected
                == TLSServerHello(
                    version: "TLS 1.2", alpn: "h2", selectionEncrypted: false, cipherSuite: "TLS_AES_128_GCM_SHA256"))
    }

    @Test("unknown upgraded protocols get a raw view: raw bytes in the event, escaped only by printers")
    func rawView() throws {
        let sink = Conversation([
            (
                .clientToServer,
                "POST /attach HTTP/1.1\r\nUpgrade: tcp\r\nConnection: Upgrade\r\nContent-Length: 0\r\n\r\n"
            ),
            (
                .serverToClient,
                "HTTP/1.1 101 UPGRADED\r\nUpgrade: tcp\r\nConnection: Upgrade\r\n\r\n\u{1b}[31mred\u{1b}[0m\r\n"
            ),
        ]).runAllSplittings()
        let chunk = try #require(
            sink.events.compactMap { if case .rawData(let chunk) = $0.kind { chunk } else { nil } }.first)
        #expect(chunk.protocolName == "tcp")
        #expect(chunk.head == Array("\u{1b}[31mred\u{1b}[0m\r\n".utf8))
        #expect(!chunk.previewIsHex)
    }
}

/// Hand-built TLS hellos with the extensions switchpoint reads.
enum TLSFixtures {
    static func be16(_ value: Int) -> [UInt8] { [UInt8(value >> 8 & 0xff), UInt8(value & 0xff)] }

    static func record(_ handshakeType: UInt8, _ body: [UInt8]) -> [UInt8] {
        let message = [handshakeType, 0, UInt8(body.count >> 8 & 0xff), UInt8(body.count & 0xff)] + body
        return [0x16, 0x03, 0x01] + be16(message.count) + message
    }

    static func clientHello(serverName: String, alpn: [String], tls13: Bool) -> [UInt8] {
        var extensions: [UInt8] = []
        let name = Array(serverName.utf8)
        let sniList = [0] + be16(name.count) + name
        extensions += be16(0) + be16(sniList.count + 2) + be16(sniList.count) + sniList
        if !alpn.isEmpty {
            let list = alpn.flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) }
            extensions += be16(16) + be16(list.count + 2) + be16(list.count) + list
        }
        if tls13 {
            let versions: [UInt8] = [0x3a, 0x3a, 0x03, 0x04, 0x03, 0x03]  // GREASE, 1.3, 1.2
            extensions += be16(43) + be16(versions.count + 1) + [UInt8(versions.count)] + versions
        }
        let body: [UInt8] =
            [0x03, 0x03] + [UInt8](repeating: 7, count: 32) + [0] + be16(2) + [0x13, 0x01] + [1, 0]
            + be16(extensions.count) + extensions
        return record(1, body)
    }

    static func serverHello(alpn: String?, tls13: Bool) -> [UInt8] {
        var extensions: [UInt8] = []
        if tls13 { extensions += be16(43) + be16(2) + [0x03, 0x04] }
        if let alpn {
            let list = [UInt8(alpn.utf8.count)] + Array(alpn.utf8)
            extensions += be16(16) + be16(list.count + 2) + be16(list.count) + list
        }
        let body: [UInt8] =
            [0x03, 0x03] + [UInt8](repeating: 9, count: 32) + [0] + [0x13, 0x01] + [0]
            + be16(extensions.count) + extensions
        return record(2, body)
    }
}
