import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// `--html` and `--har` (issue 13): the escaper, the bounds, and end to end on the samples,
/// the audit and a hostile capture, checked by Tests/ReportChecks/check_reports.py (HAR
/// schema, haralyzer, headless Chromium through selenium; `make test` installs them).
@Suite("HTML report and HAR export")
struct ReportExportTests {
    static let checker = TestEnvironment.projectRoot.appendingPathComponent("Tests/ReportChecks/check_reports.py")
    static let samples = TestEnvironment.samplesDirectory

    // MARK: Escaper and bounds

    @Test("the HTML escaper: markup characters become references, controls and bidi become visible")
    func escaper() {
        #expect(HTMLEscaper.escape("<script>alert('x')</script>") == "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;")
        #expect(HTMLEscaper.escape("a\" onerror=\"x") == "a&quot; onerror=&quot;x")
        #expect(HTMLEscaper.escape("</svg>&amp;") == "&lt;/svg&gt;&amp;amp;")
        #expect(HTMLEscaper.escape("bell\u{07} cr\r del\u{7f}") == "bell\\x07 cr\\x0d del\\x7f")
        #expect(HTMLEscaper.escape("\u{202e}evil\u{2066}") == "\\u{202e}evil\\u{2066}")
        #expect(HTMLEscaper.escape("tab\there\nnext") == "tab\there\nnext")
        #expect(HTMLEscaper.escape("héllo 日本 🚀") == "héllo 日本 🚀")
        let invalid = OutputBuffer()
        HTMLEscaper.append([0x61, 0xff, 0x3c, 0xc3], to: invalid)
        #expect(String(decoding: invalid.bytes, as: UTF8.self) == "a\u{FFFD}&lt;\u{FFFD}")
    }

    @Test("a bounded log keeps the first and last elements and counts the rest")
    func boundedLog() {
        var log = BoundedLog<Int>(head: 3, tail: 2)
        for value in 1...10 { log.append(value) }
        #expect(log.head == [1, 2, 3])
        #expect(log.tail == [9, 10])
        #expect(log.elided == 5)
        #expect(log.total == 10)
        var short = BoundedLog<Int>(head: 3, tail: 2)
        for value in 1...4 { short.append(value) }
        #expect(short.kept == [1, 2, 3, 4])
        #expect(short.elided == 0)
    }

    @Test("a connection of 100,000 messages keeps the first and last ones and the page stays small")
    func caps() throws {
        let recorder = ReportRecorder()
        let client = Endpoint(address: IPAddress(ipv4: 0x0a00_0001), port: 40000)
        let server = Endpoint(address: IPAddress(ipv4: 0x0a00_0002), port: 80)
        let capture = CaptureInfo(packetNumber: 1, timestamp: Timestamp(nanoseconds: 1_700_000_000_000_000_000))
        recorder.receive(
            TimelineEvent(
                timestamp: capture.timestamp, connection: 1, packet: 1,
                kind: .connectionOpened(
                    ConnectionOpening(
                        connection: 1, client: client, server: server, roleEvidence: .syn, capture: capture))))
        let head = HTTPRequestHead(
            method: "GET", target: "/", version: "HTTP/1.1",
            headers: HTTPHeaders([HTTPField(name: "Upgrade", value: "websocket")]))
        recorder.receive(
            TimelineEvent(
                timestamp: capture.timestamp, connection: 1, packet: 2, direction: .clientToServer, offset: 0,
                kind: .httpRequest(head)))
        let messages = 100_000
        for index in 0..<messages {
            let text = Array("message \(index) ".utf8) + [UInt8](repeating: 0x78, count: 2000)
            let message = WebSocketMessage(
                opcode: 1, length: UInt64(text.count), wireLength: UInt64(text.count), frames: 1, compressed: false,
                kept: text, keptAll: true, complete: true, problem: nil)
            recorder.receive(
                TimelineEvent(
                    timestamp: capture.timestamp.adding(nanoseconds: Int64(index) * 1_000_000), connection: 1,
                    packet: UInt64(index + 3),
                    direction: index % 2 == 0 ? .clientToServer : .serverToClient, kind: .wsMessage(message)))
        }
        recorder.finish(packets: messages, files: ["synthetic"])
        let connection = try #require(recorder.connections.first)
        #expect(connection.bulk.head.count == ReportLimits.headMessages)
        #expect(connection.bulk.tail.count == ReportLimits.tailMessages)
        #expect(connection.bulk.elided == messages - ReportLimits.headMessages - ReportLimits.tailMessages)
        let exchange = try #require(connection.exchanges.kept.first)
        #expect(exchange.messages.total == messages)
        #expect(exchange.messages.kept.count == ReportLimits.headMessages + ReportLimits.tailMessages)
        // 200 MB of payloads went by: the first messages keep theirs whole, those past the
        // 64 MiB budget only their start.
        #expect(exchange.messages.head.first?.data.count ?? 0 > 2000)
        #expect(exchange.messages.tail.last?.data.count == ReportLimits.payloadBytesPastBudget)
        #expect(exchange.messages.tail.last?.truncated == true)
        let page = HTMLReportWriter(capture: recorder.capture, connections: recorder.connections).render()
        #expect(page.count < 2 * 1024 * 1024, "page of \(page.count) bytes")
        let text = String(decoding: page.bytes, as: UTF8.self)
        #expect(text.contains("\(messages - 200) messages not drawn"))
        #expect(text.contains("message 99999 "))
        #expect(!text.contains("message 50000 "))
        let archive = HARWriter(connections: recorder.connections).render()
        let har = String(decoding: archive.bytes, as: UTF8.self)
        #expect(har.contains("\"_webSocketMessagesElided\":\(messages - 200)"))
    }

    @Test(
        "25,000 connections with worst-case payloads: 10,000 rows, diagrams to the budget, a page under 20 MB that Chromium opens in seconds",
        .timeLimit(.minutes(5)))
    func pageBudget() throws {
        let recorder = ReportRecorder()
        let server = Endpoint(address: IPAddress(ipv4: 0x0a00_0002), port: 80)
        // Quotes escape to six bytes each: the most a payload byte can cost in the page.
        let payload = [UInt8](repeating: UInt8(ascii: "\""), count: 2048)
        let head = HTTPRequestHead(
            method: "GET", target: "/\"\"\"", version: "HTTP/1.1",
            headers: HTTPHeaders([
                HTTPField(name: "Upgrade", value: "websocket"),
                HTTPField(name: "X", value: String(repeating: "\"", count: 512)),
            ]))
        let response = HTTPResponseHead(
            version: "HTTP/1.1", status: 101, reason: "Switching Protocols", headers: HTTPHeaders([]))
        var time = Timestamp(nanoseconds: 1_700_000_000_000_000_000)
        func send(_ connection: Int, _ direction: Direction?, _ kind: TimelineEvent.Kind) {
            time = time.adding(nanoseconds: 1000)
            recorder.receive(
                TimelineEvent(timestamp: time, connection: connection, packet: 1, direction: direction, kind: kind))
        }
        let connections = 25_000
        for id in 1...connections {
            let client = Endpoint(address: IPAddress(ipv4: 0x0a00_0001), port: UInt16(truncatingIfNeeded: 1024 + id))
            let capture = CaptureInfo(packetNumber: 1, timestamp: time)
            send(
                id, nil,
                .connectionOpened(
                    ConnectionOpening(
                        connection: id, client: client, server: server, roleEvidence: .syn, capture: capture)))
            send(id, .clientToServer, .httpRequest(head))
            send(id, .serverToClient, .httpResponse(response))
            send(
                id, .serverToClient,
                .upgrade(
                    UpgradeSwitch(
                        protocolName: "websocket", status: 101, clientToServerOffset: 100, serverToClientOffset: 80,
                        latencyMilliseconds: 1, target: "/", details: [])))
            if id <= ReportLimits.maxDetailedConnections {
                for index in 0..<250 {
                    let message = WebSocketMessage(
                        opcode: 1, length: UInt64(payload.count), wireLength: UInt64(payload.count), frames: 1,
                        compressed: false, kept: payload, keptAll: true, complete: true, problem: nil)
                    send(id, index % 2 == 0 ? .clientToServer : .serverToClient, .wsMessage(message))
                }
            }
            var summary = ConnectionSummary(
                connection: id, client: client, server: server, roleEvidence: .syn, handshake: .complete,
                start: capture.timestamp, end: time, reason: .fin, clientToServer: DirectionStats(),
                serverToClient: DirectionStats(), capture: capture)
            summary.clientToServer.deliveredBytes = 1
            send(id, nil, .connectionClosed(summary))
        }
        recorder.finish(packets: connections * 10, files: ["synthetic"])
        #expect(recorder.capture.connections == connections)
        #expect(recorder.connections.count == ReportLimits.maxListedConnections)
        let page = HTMLReportWriter(capture: recorder.capture, connections: recorder.connections).render()
        #expect(page.count < 20_000_000, "page of \(page.count) bytes")
        #expect(page.count > ReportLimits.htmlDiagramBudgetBytes, "the budget was reached")
        let text = String(decoding: page.bytes, as: UTF8.self)
        #expect(text.contains("more diagrams not drawn: the page reached its 10 MiB budget"))
        #expect(text.contains("15000 past the first 10000 not listed"))
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("budget.html")
        try Data(page.bytes).write(to: file)
        let python = try TestEnvironment.requiredTool("python3")
        let loaded = try TestEnvironment.run(
            python, [Self.checker.path, "load", "--html", file.path, "--max-seconds", "10"], timeoutSeconds: 120)
        #expect(loaded.status == 0, "\(loaded.text)\(loaded.errorText.suffix(2000))")
        print("page budget: \(page.count) bytes; \(loaded.text)")
    }

    @Test("HAR fields: URL, query string, cookies, HTTP/2 pseudo-headers, the switch, findings")
    func harFields() throws {
        let client = Endpoint(address: IPAddress(ipv4: 0x0a00_0001), port: 40000)
        let server = Endpoint(address: IPAddress(ipv4: 0x0a00_0002), port: 8080)
        var connection = ReportConnection(
            file: 1, id: 7, client: client, server: server, start: Timestamp(nanoseconds: 1_000_000_000), detailed: true
        )
        var exchange = ReportExchange(connection: 7)
        exchange.requestTime = Timestamp(nanoseconds: 1_000_000_000)
        exchange.requestMethod = "GET"
        exchange.requestTarget = "/chat?room=a%20b&x&y=1#frag"
        exchange.requestVersion = "HTTP/1.1"
        exchange.requestFields = [
            HTTPField(name: "Host", value: "example.test:8080"), HTTPField(name: "Cookie", value: "a=1; b=two=2"),
        ]
        exchange.responseTime = Timestamp(nanoseconds: 1_002_500_000)
        exchange.status = 101
        exchange.reason = "Switching Protocols"
        exchange.responseVersion = "HTTP/1.1"
        exchange.responseFields = [
            HTTPField(
                name: "Set-Cookie", value: "sid=xyz; Path=/; HttpOnly; Secure; Expires=Wed, 21 Oct 2026 07:28:00 GMT")
        ]
        exchange.upgrade = UpgradeSwitch(
            protocolName: "websocket", status: 101, clientToServerOffset: 120, serverToClientOffset: 97,
            latencyMilliseconds: 2.5, target: "/chat", details: [])
        exchange.findings = [Finding(.upgradeRefused, "an example")]
        exchange.messages.append(
            ReportMessage(
                direction: .serverToClient, time: Timestamp(nanoseconds: 1_003_000_000), opcode: 2, length: 3,
                data: [0, 1, 0xff], truncated: false))
        connection.exchanges.append(exchange)
        var stream = ReportExchange(connection: 7, stream: 3)
        stream.requestTime = Timestamp(nanoseconds: 2_000_000_000)
        stream.requestVersion = "HTTP/2.0"
        stream.requestFields = [
            HTTPField(name: ":method", value: "POST"), HTTPField(name: ":scheme", value: "https"),
            HTTPField(name: ":authority", value: "h2.test"), HTTPField(name: ":path", value: "/up?k=v"),
        ]
        stream.requestMethod = "POST"
        stream.requestBodyBytes = 42
        stream.status = 204
        stream.responseVersion = "HTTP/2.0"
        connection.exchanges.append(stream)
        let archive = HARWriter(connections: [connection]).render()
        let json = Data(archive.bytes)
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        let entries = try #require((object["log"] as? [String: Any])?["entries"] as? [[String: Any]])
        #expect(entries.count == 2)
        let creator = (object["log"] as? [String: Any])?["creator"] as? [String: Any]
        #expect(creator?["name"] as? String == "switchpoint")
        #expect(creator?["version"] as? String == VersionReport.switchpoint && VersionReport.switchpoint != "1")
        let first = entries[0]
        let request = try #require(first["request"] as? [String: Any])
        let response = try #require(first["response"] as? [String: Any])
        #expect(request["url"] as? String == "ws://example.test:8080/chat?room=a%20b&x&y=1#frag")
        let query = try #require(request["queryString"] as? [[String: String]])
        #expect(
            query == [["name": "room", "value": "a%20b"], ["name": "x", "value": ""], ["name": "y", "value": "1"]])
        #expect((request["cookies"] as? [[String: Any]])?.map { $0["name"] as? String } == ["a", "b"])
        #expect((request["cookies"] as? [[String: Any]])?.last?["value"] as? String == "two=2")
        let cookie = try #require((response["cookies"] as? [[String: Any]])?.first)
        #expect(
            cookie["name"] as? String == "sid" && cookie["path"] as? String == "/"
                && cookie["httpOnly"] as? Bool == true && cookie["secure"] as? Bool == true)
        #expect(cookie["expires"] == nil)
        #expect(first["startedDateTime"] as? String == "1970-01-01T00:00:01.000000Z")
        #expect((first["timings"] as? [String: Any])?["wait"] as? Double == 2.5)
        #expect(first["time"] as? Double == 2.5)
        #expect(first["_resourceType"] as? String == "websocket")
        #expect(first["connection"] as? String == "7")
        let message = try #require((first["_webSocketMessages"] as? [[String: Any]])?.first)
        #expect(
            message["type"] as? String == "receive" && message["opcode"] as? Int == 2
                && message["data"] as? String == "AAH/")
        #expect((first["_switchpointFindings"] as? [[String: Any]])?.first?["code"] as? String == "upgrade.refused")
        #expect((first["_switchpointUpgrade"] as? [String: Any])?["s2c_offset"] as? Int == 97)
        let second = entries[1]
        let h2Request = try #require(second["request"] as? [String: Any])
        #expect(h2Request["url"] as? String == "https://h2.test/up?k=v")
        #expect(h2Request["httpVersion"] as? String == "HTTP/2.0")
        #expect((h2Request["headers"] as? [[String: String]])?.first == ["name": ":method", "value": "POST"])
        #expect((h2Request["postData"] as? [String: Any])?["mimeType"] as? String == "")
        #expect(h2Request["bodySize"] as? Int == 42)
        #expect(second["_stream"] as? Int == 3)
        #expect(second["_webSocketMessages"] == nil)
    }

    @Test("pipelined HTTP/1.1: answers go to the requests in order, bodies and findings to theirs")
    func pipelining() throws {
        let recorder = ReportRecorder()
        let client = Endpoint(address: IPAddress(ipv4: 0x0a00_0001), port: 40000)
        let server = Endpoint(address: IPAddress(ipv4: 0x0a00_0002), port: 80)
        var time = Timestamp(nanoseconds: 1_000_000_000)
        func send(_ direction: Direction?, _ kind: TimelineEvent.Kind) {
            time = time.adding(nanoseconds: 1_000_000)
            recorder.receive(TimelineEvent(timestamp: time, connection: 1, packet: 1, direction: direction, kind: kind))
        }
        let capture = CaptureInfo(packetNumber: 1, timestamp: time)
        send(
            nil,
            .connectionOpened(
                ConnectionOpening(connection: 1, client: client, server: server, roleEvidence: .syn, capture: capture)))
        for (target, upgrade) in [("/a", false), ("/b", true), ("/c", false)] {
            let fields =
                [HTTPField(name: "Host", value: "x")]
                + (upgrade ? [HTTPField(name: "Upgrade", value: "websocket")] : [])
            send(
                .clientToServer,
                .httpRequest(
                    HTTPRequestHead(method: "POST", target: target, version: "HTTP/1.1", headers: HTTPHeaders(fields))))
            send(
                .clientToServer,
                .httpBody(length: UInt64(target.utf8.count * 100), chunked: false, kept: [], keptAll: false))
        }
        send(.clientToServer, .finding(Finding(.upgradeRefused, "about /c")))
        for status in [200, 426, 404] {
            send(
                .serverToClient,
                .httpResponse(
                    HTTPResponseHead(version: "HTTP/1.1", status: 100, reason: "Continue", headers: HTTPHeaders([]))))
            send(
                .serverToClient,
                .httpResponse(
                    HTTPResponseHead(version: "HTTP/1.1", status: status, reason: "", headers: HTTPHeaders([]))))
            send(.serverToClient, .httpBody(length: UInt64(status), chunked: false, kept: [], keptAll: false))
        }
        let summary = ConnectionSummary(
            connection: 1, client: client, server: server, roleEvidence: .syn, handshake: .complete,
            start: capture.timestamp,
            end: time, reason: .fin, clientToServer: DirectionStats(), serverToClient: DirectionStats(),
            capture: capture)
        send(nil, .connectionClosed(summary))
        recorder.finish(packets: 20, files: ["synthetic"])
        let connection = try #require(recorder.connections.first)
        let exchanges = connection.exchanges.kept
        #expect(exchanges.map(\.requestTarget) == ["/a", "/b", "/c"])
        #expect(exchanges.map(\.status) == [200, 426, 404])
        #expect(exchanges.map(\.requestBodyBytes) == [200, 200, 200])
        #expect(exchanges.map(\.responseBodyBytes) == [200, 426, 404])
        #expect(exchanges.map(\.findings.count) == [0, 0, 1])
        #expect(connection.outcome == "refused 426")
    }

    // MARK: End to end

    func run(_ arguments: [String]) throws -> TestEnvironment.ToolResult {
        try TestEnvironment.run(CommandLineTests.binary, arguments, timeoutSeconds: 120)
    }

    /// Runs the checker; its failures are the test's. Returns what it printed.
    @discardableResult
    func check(_ arguments: [String]) throws -> String {
        let python = try TestEnvironment.requiredTool("python3")
        let result = try TestEnvironment.run(python, [Self.checker.path] + arguments, timeoutSeconds: 240)
        #expect(
            result.status == 0,
            "check_reports.py \(arguments.joined(separator: " ")):\n\(result.text)\(result.errorText.suffix(3000))")
        return result.text
    }

    /// The JSON timeline the checks compare against.
    func timeline(_ paths: [String], into url: URL, extra: [String] = []) throws {
        let result = try run(paths.flatMap { ["-r", $0] } + ["--json", "--payload", "full"] + extra)
        try result.output.write(to: url)
    }

    static let timelineSamples: [(file: String, log: String?, arguments: [String])] = [
        ("websocket/ws-session-plain.pcap", "websocket/ws-session-plain.log", []),
        ("websocket/ws-session-deflate.pcap", "websocket/ws-session-deflate.log", []),
        ("websocket/ws-session-deflate-params.pcap", "websocket/ws-session-deflate-params.log", []),
        ("ws-echo-veth.pcap", "ws-echo-veth.log", []),
        ("http2/rfc8441-websocket-over-h2.pcap", "http2/rfc8441-websocket-over-h2.log", []),
        ("http2/h2c-upgrade-curl.pcap", "http2/h2c-upgrade-curl.log", []),
        ("http2/h2c-upgrade-ignored.pcap", "http2/h2c-upgrade-ignored.log", []),
        ("http2/h2-prior-knowledge-curl.pcap", "http2/h2-prior-knowledge-curl.log", []),
        ("http2/h2-100-streams-h2load.pcap", nil, []),
        ("http-nginx-lo.pcap", nil, []),
        ("proxy/upgrade-refused-then-retry.pcap", "proxy/upgrade-refused-then-retry.log", []),
        ("proxy/ws-proxy-two-clients.pcap", "proxy/ws-proxy-two-clients.log", []),
        ("proxy/ws-proxy-ok.pcap", "proxy/ws-proxy-ok.log", []),
        ("proxy/ws-proxy-http10.pcap", "proxy/ws-proxy-http10.log", []),
        ("proxy/ws-proxy-no-upgrade-headers.pcap", "proxy/ws-proxy-no-upgrade-headers.log", []),
        ("proxy/ws-proxy-idle-timeout.pcap", "proxy/ws-proxy-idle-timeout.log", []),
        (
            "tls/tls13-wss-websockets.pcap", "tls/tls13-wss-websockets.log",
            ["--keylog", samples.appendingPathComponent("tls/tls13-wss-websockets.keylog").path]
        ),
        (
            "tls/tls13-h2-curl-nghttpd.pcap", nil,
            ["--keylog", samples.appendingPathComponent("tls/tls13-h2-curl-nghttpd.keylog").path]
        ),
    ]

    @Test(
        "samples: HAR schema, haralyzer, entries and messages as the timeline and the peers' logs; the page in Chromium",
        .timeLimit(.minutes(10)))
    func samplesEndToEnd() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for (index, sample) in Self.timelineSamples.enumerated() {
            let path = Self.samples.appendingPathComponent(sample.file).path
            #expect(FileManager.default.fileExists(atPath: path), "missing sample \(sample.file)")
            let events = directory.appendingPathComponent("\(index).jsonl")
            let html = directory.appendingPathComponent("\(index).html").path
            let har = directory.appendingPathComponent("\(index).har").path
            try timeline([path], into: events, extra: sample.arguments)
            let result = try run(["-r", path, "--payload", "full", "--html", html, "--har", har] + sample.arguments)
            #expect(result.status == 0, "\(sample.file): \(result.errorText)")
            var harArguments = ["har", "--har", har, "--timeline", events.path]
            if let log = sample.log { harArguments += ["--log", Self.samples.appendingPathComponent(log).path] }
            try check(harArguments)
            try check(["html", "--html", html, "--timeline", events.path])
        }
    }

    /// Captures whose HTTP/2 connections the waterfall check measures, with the fewest
    /// streams the largest waterfall must have.
    static let waterfallSamples: [(file: String, minimumStreams: Int, arguments: [String])] = [
        ("http2/h2-100-streams-h2load.pcap", 100, []),
        ("http2/h2-sequential-h2load.pcap", 120, []),
        ("http2/h2c-upgrade-curl.pcap", 4, []),
        ("http2/h2-prior-knowledge-curl.pcap", 2, []),
        ("http2/rfc8441-websocket-over-h2.pcap", 1, []),
        (
            "tls/tls13-h2-curl-nghttpd.pcap", 1,
            ["--keylog", samples.appendingPathComponent("tls/tls13-h2-curl-nghttpd.keylog").path]
        ),
    ]

    static var chromiumInstalled: Bool {
        TestEnvironment.tool("chromium") != nil && TestEnvironment.tool("chromedriver") != nil
    }

    @Test(
        "HTTP/2 waterfall in Chromium: 100 streams of h2load, one row each in start order, bars where their requests started, no two label boxes overlapping",
        .enabled(
            if: chromiumInstalled,
            "Chromium or chromedriver is not installed (make deps-test installs them): the waterfall layout is not measured"
        ),
        .timeLimit(.minutes(10)))
    func waterfallLayout() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for (index, sample) in Self.waterfallSamples.enumerated() {
            let path = Self.samples.appendingPathComponent(sample.file).path
            try #require(FileManager.default.fileExists(atPath: path), "missing sample \(sample.file)")
            let events = directory.appendingPathComponent("\(index).jsonl")
            let html = directory.appendingPathComponent("\(index).html").path
            try timeline([path], into: events, extra: sample.arguments)
            let result = try run(["-r", path, "--html", html] + sample.arguments)
            #expect(result.status == 0, "\(sample.file): \(result.errorText)")
            let measured = try check([
                "waterfall", "--html", html, "--timeline", events.path, "--min-streams", String(sample.minimumStreams),
            ])
            print("waterfall \(sample.file): \(measured.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }

    /// The HAR's response bodies by URL, decoded (text, or base64 with `encoding`), with
    /// their size and whether only a prefix was kept.
    func harBodies(
        _ arguments: [String], in directory: URL
    ) throws -> [String: (body: [UInt8], size: Int, truncated: Bool)] {
        let har = directory.appendingPathComponent("bodies.har").path
        let result = try run(arguments + ["--har", har])
        #expect(result.status == 0, "\(arguments): \(result.errorText)")
        let archive = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: har))) as? [String: Any])
        let entries = try #require((archive["log"] as? [String: Any])?["entries"] as? [[String: Any]])
        var bodies: [String: (body: [UInt8], size: Int, truncated: Bool)] = [:]
        for entry in entries {
            let request = try #require(entry["request"] as? [String: Any])
            let content = try #require((entry["response"] as? [String: Any])?["content"] as? [String: Any])
            let text = content["text"] as? String ?? ""
            let body =
                content["encoding"] as? String == "base64"
                ? Array(Data(base64Encoded: text) ?? Data()) : Array(text.utf8)
            bodies[try #require(request["url"] as? String)] = (
                body, content["size"] as? Int ?? -1, content["_switchpointTruncated"] as? Bool ?? false
            )
        }
        return bodies
    }

    @Test(
        "HAR bodies are the bytes the samples' servers served: nginx's files and 404 page, nghttpd over TLS, preview and full"
    )
    func harBodiesAsServed() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // scripts/record-samples, make_www: the files nginx served for http-nginx-lo.pcap.
        let nginx = try harBodies(
            ["-r", Self.samples.appendingPathComponent("http-nginx-lo.pcap").path], in: directory)
        let site = "http://127.0.0.1:18080"
        let served: [(String, String)] = [
            (
                "/index.html",
                "<!doctype html>\n<html><head><title>switchpoint sample</title></head>\n<body><h1>switchpoint</h1><p>Static page served for a sample capture.</p></body></html>\n"
            ),
            ("/data.json", "{\"sample\": \"switchpoint\", \"ok\": true, \"items\": [1, 2, 3]}\n"),
            ("/hello.txt", "hello from the switchpoint sample server\n"),
        ]
        for (path, text) in served {
            let body = try #require(nginx[site + path], "no entry for \(path)")
            #expect(body.body == Array(text.utf8), "\(path)")
            #expect(body.size == text.utf8.count && !body.truncated)
        }
        let missing = try #require(nginx[site + "/missing.html"])
        #expect(
            String(decoding: missing.body, as: UTF8.self).hasPrefix(
                "<html>\r\n<head><title>404 Not Found</title></head>"))
        #expect(missing.body.count == missing.size && !missing.truncated)
        // scripts/record-samples-tls-keys: index.html and 100000 bytes of "x" over h2 in TLS.
        let tls = [
            "-r", Self.samples.appendingPathComponent("tls/tls13-h2-curl-nghttpd.pcap").path,
            "--keylog", Self.samples.appendingPathComponent("tls/tls13-h2-curl-nghttpd.keylog").path,
        ]
        let preview = try harBodies(tls, in: directory)
        let origin = "https://tls.example.test:18501"
        #expect(preview[origin + "/index.html"]?.body == Array("hello over h2 in TLS\n".utf8))
        let big = try #require(preview[origin + "/big.txt"])
        #expect(big.size == 100_000 && big.truncated)
        #expect(big.body == [UInt8](repeating: UInt8(ascii: "x"), count: HTTPBodyOptions().previewBytes))
        let full = try #require(try harBodies(tls + ["--payload", "full"], in: directory)[origin + "/big.txt"])
        #expect(full.size == 100_000 && !full.truncated)
        #expect(full.body == [UInt8](repeating: UInt8(ascii: "x"), count: 100_000))
    }

    @Test("the HAR's body text: UTF-8 as text (a prefix cut inside a character loses it), anything else base64")
    func bodyText() {
        #expect(HARWriter.utf8Prefix(Array("héllo".utf8), truncated: false) == Array("héllo".utf8))
        #expect(HARWriter.utf8Prefix(Array("hé".utf8).dropLast().map { $0 }, truncated: true) == Array("h".utf8))
        #expect(HARWriter.utf8Prefix(Array("h🚀".utf8).dropLast(2).map { $0 }, truncated: true) == Array("h".utf8))
        #expect(HARWriter.utf8Prefix(Array("hé".utf8).dropLast().map { $0 }, truncated: false) == nil)
        #expect(HARWriter.utf8Prefix([0x61, 0xff, 0x62], truncated: true) == nil)
        #expect(HARWriter.utf8Prefix([0x61, 0x80], truncated: true) == nil)
    }

    @Test("the terminal output is the same with and without the exports (text, -v, JSON; one and two threads)")
    func outputUnchanged() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let exports = [
            "--html", directory.appendingPathComponent("r.html").path, "--har",
            directory.appendingPathComponent("r.har").path,
        ]
        var captures = TestEnvironment.sampleCaptures
        for folder in ["websocket", "http2", "proxy", "edge-cases"] {
            captures += TestEnvironment.captures(in: Self.samples.appendingPathComponent(folder))
        }
        #expect(captures.count > 20)
        for capture in captures {
            for mode in [[], ["-v"], ["--json"], ["--threads", "1"]] {
                let plain = try run(["-r", capture.path] + mode)
                let exported = try run(["-r", capture.path] + mode + exports)
                #expect(plain.output == exported.output, "\(capture.lastPathComponent) \(mode): the output changed")
                #expect(plain.status == exported.status)
                #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("r.html").path))
            }
        }
    }

    @Test("switchpoint audit --html/--har: both legs side by side, one capture and two", .timeLimit(.minutes(10)))
    func auditEndToEnd() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let proxy = Self.samples.appendingPathComponent("proxy")
        let cases: [[String]] = [
            ["ws-proxy-ok.pcap"], ["ws-proxy-nginx-default.pcap"], ["ws-proxy-two-clients.pcap"],
            ["ws-proxy-idle-timeout-front.pcap", "ws-proxy-idle-timeout-back.pcap"],
            ["ws-proxy-no-upgrade-headers-front.pcap", "ws-proxy-no-upgrade-headers-back.pcap"],
        ]
        for (index, files) in cases.enumerated() {
            let paths = files.map { proxy.appendingPathComponent($0).path }
            var timelines: [String] = []
            for (position, path) in paths.enumerated() {
                let url = directory.appendingPathComponent("\(index)-\(position).jsonl")
                try timeline([path], into: url)
                timelines += ["--timeline", url.path]
            }
            let html = directory.appendingPathComponent("\(index).html").path
            let har = directory.appendingPathComponent("\(index).har").path
            let plain = try run(["audit"] + paths)
            let result = try run(["audit"] + paths + ["--html", html, "--har", har])
            #expect(result.output == plain.output, "\(files): the audit's output changed")
            #expect(result.status == plain.status)
            let auditJSON = try run(["audit", "--json"] + paths)
            let auditFile = directory.appendingPathComponent("\(index)-audit.jsonl")
            try auditJSON.output.write(to: auditFile)
            // Both legs against what the client and the backend logged.
            let log = proxy.appendingPathComponent(
                files[0].replacingOccurrences(of: "-front", with: "").replacingOccurrences(of: ".pcap", with: ".log"))
            #expect(FileManager.default.fileExists(atPath: log.path), "missing \(log.lastPathComponent)")
            try check(["har", "--har", har, "--log", log.path] + timelines)
            try check(["html", "--audit", "--html", html, "--audit-json", auditFile.path] + timelines)
            // Audit findings ride on the front leg's entry, with their fix.
            let archive = try #require(
                try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: har))) as? [String: Any])
            let entries = (archive["log"] as? [String: Any])?["entries"] as? [[String: Any]] ?? []
            let auditCodes = entries.flatMap {
                ($0["_switchpointFindings"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
            }
            .filter { $0.hasPrefix("audit.") }
            let expected = auditJSON.text.split(separator: "\n").compactMap { line -> String? in
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                    object["type"] as? String == "audit.finding"
                else { return nil }
                return object["code"] as? String
            }
            #expect(
                auditCodes.sorted() == expected.sorted(),
                "\(files): audit findings in the HAR \(auditCodes), the audit \(expected)")
        }
    }

    /// Two connections whose headers, targets, protocol names and payloads are markup,
    /// `</svg>`, `javascript:` URLs and event handlers.
    static func hostileCaptures(in directory: URL) throws -> [String] {
        let mask: [UInt8] = [0x11, 0x22, 0x33, 0x44]
        var first = CaptureFileBuilder()
        first.send(
            .clientToServer,
            "GET /chat?q=<script>window.__pwned=1</script> HTTP/1.1\r\n"
                + "Host: example.test\"><img src=x onerror=\"window.__pwned=2\">\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                + "X-Evil: </svg><script>window.__pwned=3</script>\r\n"
                + "Referer: javascript:window.__pwned=4\r\n"
                + "X-Attr: \" onmouseover=\"window.__pwned=5\" x=\"\u{202e}\r\n"
                + "Sec-WebSocket-Protocol: <svg onload=window.__pwned=6>\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        first.send(
            .serverToClient,
            "HTTP/1.1 101 <script>window.__pwned=13</script>\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Location: javascript:window.__pwned=4\r\n"
                + "Sec-WebSocket-Protocol: <svg onload=window.__pwned=6>\r\n"
                + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")
        first.send(
            .clientToServer,
            CaptureFileBuilder.webSocketFrame(
                opcode: 1, Array("<script>window.__pwned=7</script></svg><img src=x onerror=window.__pwned=8>".utf8),
                maskKey: mask))
        first.send(
            .serverToClient,
            CaptureFileBuilder.webSocketFrame(
                opcode: 1,
                Array("javascript:window.__pwned=9 </text></g></svg><a href=\"javascript:window.__pwned=9\">x</a>".utf8)
            ))
        first.send(
            .serverToClient,
            CaptureFileBuilder.webSocketFrame(opcode: 2, Array("</pre><script>window.__pwned=10</script>".utf8)))
        first.send(
            .clientToServer,
            CaptureFileBuilder.webSocketFrame(opcode: 9, Array("<b onclick=window.__pwned=11>".utf8), maskKey: mask))
        first.send(
            .clientToServer,
            CaptureFileBuilder.webSocketFrame(
                opcode: 8, [0x03, 0xe8] + Array("</text></svg><script>window.__pwned=12</script>".utf8), maskKey: mask))
        first.send(.serverToClient, CaptureFileBuilder.webSocketFrame(opcode: 8, [0x03, 0xe8]))
        first.close()
        var second = CaptureFileBuilder()
        let token = "<script>window.__pwned=14</script>"
        second.send(.clientToServer, "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: \(token)\r\nConnection: Upgrade\r\n\r\n")
        second.send(
            .serverToClient, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: \(token)\r\nConnection: Upgrade\r\n\r\n")
        second.send(.clientToServer, "<svg/onload=window.__pwned=15></svg><script>window.__pwned=16</script>")
        second.close()
        let paths = [
            directory.appendingPathComponent("hostile-1.pcap"), directory.appendingPathComponent("hostile-2.pcap"),
        ]
        try first.write(to: paths[0])
        try second.write(to: paths[1])
        return paths.map(\.path)
    }

    @Test(
        "a hostile capture: nothing from the wire runs in the page, the HAR is valid JSON holding it as text",
        .timeLimit(.minutes(5)))
    func hostile() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let paths = try Self.hostileCaptures(in: directory)
        let events = directory.appendingPathComponent("hostile.jsonl")
        try timeline(paths, into: events)
        let html = directory.appendingPathComponent("hostile.html").path
        let har = directory.appendingPathComponent("hostile.har").path
        let result = try run(paths.flatMap { ["-r", $0] } + ["--payload", "full", "--html", html, "--har", har])
        #expect(result.status == 0, "\(result.errorText)")
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.components(separatedBy: "<script").count == 2, "one script element, the report's own")
        #expect(!page.contains("<img"))
        #expect(!page.contains("onerror=\""))
        #expect(page.contains("data-protocol=\"&lt;script&gt;window.__pwned=14&lt;/script&gt;\""))
        let eventText = try String(contentsOf: events, encoding: .utf8)
        #expect(eventText.contains("\"type\":\"upgrade\""))
        try check(["har", "--har", har, "--timeline", events.path])
        try check(["html", "--html", html, "--timeline", events.path, "--hostile"])
    }

    @Test(
        "a missing directory is exit 2 before reading; a write error (full disk) is one clear line and exit status 2, stdout unchanged"
    )
    func writeErrors() throws {
        let sample = Self.samples.appendingPathComponent("websocket/ws-session-plain.pcap").path
        let plain = try run(["-r", sample])
        #expect(plain.status == 0)
        // A missing directory is found before reading: exit 2, nothing printed.
        let missing = try run(["-r", sample, "--html", "/nonexistent-switchpoint-dir/report.html"])
        #expect(missing.status == 2)
        #expect(missing.output.isEmpty)
        #expect(missing.errorText.contains("no directory /nonexistent-switchpoint-dir"), "\(missing.errorText)")
        // A full disk only shows when writing, after the run.
        for (option, path, reason) in [
            ("--har", "/dev/full", "No space left on device"), ("--html", "/dev/full", "No space left on device"),
        ] {
            let result = try run(["-r", sample, option, path])
            #expect(result.status == 2, "\(option) \(path)")
            #expect(result.output == plain.output, "\(option) \(path): stdout changed")
            let what = option == "--html" ? "HTML report" : "HAR file"
            #expect(result.errorText == "switchpoint: cannot write the \(what) to \(path): \(reason)\n")
        }
        let json = try run(["-r", sample, "--json"])
        let jsonFull = try run(["-r", sample, "--json", "--har", "/dev/full"])
        #expect(jsonFull.status == 2)
        #expect(jsonFull.output == json.output)
        let audit = Self.samples.appendingPathComponent("proxy/ws-proxy-ok.pcap").path
        let auditPlain = try run(["audit", audit])
        let auditFull = try run(["audit", audit, "--html", "/dev/full"])
        #expect(auditFull.status == 2)
        #expect(auditFull.output == auditPlain.output)
        #expect(
            auditFull.errorText
                == "switchpoint audit: cannot write the HTML report to /dev/full: No space left on device\n")
        // Never over an input, never with --connections.
        let overwrite = try run(["-r", sample, "--html", sample])
        #expect(overwrite.status == 2)
        #expect(overwrite.errorText.contains("would overwrite"))
        let listing = try run(["-r", sample, "--connections", "--har", "/tmp/x.har"])
        #expect(listing.status == 2)
    }
}
