import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Issue 14, end to end through the binary: colour, ASCII, plurals, -q, -n, --version,
/// --fail-on, --redact, audit filter words, the listing's and summary's new columns, the
/// evidence lines.
@Suite("terminal and script options")
struct TerminalOptionsTests {
    static let binary = CommandLineTests.binary
    static let sample = TestEnvironment.samplesDirectory.appendingPathComponent("http-nginx-lo.pcap").path
    static let echo = TestEnvironment.samplesDirectory.appendingPathComponent("ws-echo-veth.pcap").path
    static let refused = TestEnvironment.samplesDirectory.appendingPathComponent(
        "proxy/upgrade-refused-then-retry.pcap"
    ).path
    static let nginxProxy = TestEnvironment.samplesDirectory.appendingPathComponent("proxy/ws-proxy-nginx-default.pcap")
        .path
    static let h2c = TestEnvironment.corpusDirectory.appendingPathComponent("h2c-upgrade.pcap").path
    static let wsBasic = TestEnvironment.corpusDirectory.appendingPathComponent("ws-basic.pcap").path
    static let wrongAccept = TestEnvironment.corpusDirectory.appendingPathComponent("ws-wrong-accept.pcap").path

    func run(_ arguments: [String], input: Data? = nil) throws -> TestEnvironment.ToolResult {
        try TestEnvironment.run(Self.binary, arguments, input: input, timeoutSeconds: 60)
    }

    func lines(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    // MARK: Terminal

    @Test("--color=always paints a pipe, never and the default do not")
    func colour() throws {
        let always = try run(["-r", Self.refused, "--color=always"])
        #expect(always.status == 0)
        #expect(always.text.contains("\u{1b}[1mconn 1  "))
        #expect(always.text.contains("\u{1b}[1m== summary\u{1b}[0m"))
        let separate = try run(["-r", Self.refused, "--color", "always"])
        #expect(separate.text == always.text)
        for arguments in [["--color=never"], ["--color=auto"], []] {
            let plain = try run(["-r", Self.refused] + arguments)
            #expect(!plain.text.contains("\u{1b}"), "\(arguments)")
        }
        let bad = try run(["-r", Self.refused, "--color=sometimes"])
        #expect(bad.status == 2)
    }

    @Test("--ascii: no byte past ASCII, glyphs spelled")
    func ascii() throws {
        let result = try run(["-r", Self.refused, "--ascii"])
        #expect(result.status == 0)
        #expect(!result.output.contains { $0 >= 0x80 })
        let unicode = try run(["-r", Self.refused])
        #expect(unicode.output.contains { $0 >= 0x80 })
        // The same text with the glyphs spelled.
        var expected = unicode.text
        for (glyph, spelled) in [("→", "->"), ("═", "="), ("…", "..."), ("×", "x"), ("µ", "u")] {
            expected = expected.replacingOccurrences(of: glyph, with: spelled)
        }
        #expect(result.text == expected)
    }

    // MARK: tcpdump habits

    @Test("-n and -nn are accepted and change nothing")
    func noResolution() throws {
        let plain = try run(["-r", Self.sample])
        for flag in ["-n", "-nn"] {
            let result = try run([flag, "-r", Self.sample])
            #expect(result.status == 0)
            #expect(result.text == plain.text, "\(flag)")
        }
    }

    @Test("--version names switchpoint, libpcap and zlib")
    func version() throws {
        let result = try run(["--version"])
        #expect(result.status == 0)
        let printed = lines(result.text)
        #expect(printed.count == 4)
        #expect(printed[0] == "switchpoint \(VersionReport.switchpoint)")
        #expect(printed[1].hasPrefix("libpcap version 1."))
        #expect(printed[2].hasPrefix("zlib version 1."))
        #expect(printed[3] == "")
    }

    @Test("-q prints only the summary, text and JSON")
    func quiet() throws {
        let full = try run(["-r", Self.refused])
        let quiet = try run(["-r", Self.refused, "-q"])
        #expect(quiet.status == 0)
        let summaryStart = try #require(full.text.range(of: "== summary\n"))
        #expect(quiet.text == String(full.text[summaryStart.lowerBound...]))
        let json = try run(["-r", Self.refused, "-q", "--json"])
        let jsonLines = lines(json.text).filter { !$0.isEmpty }
        #expect(jsonLines.count == 1)
        #expect(jsonLines.first?.hasPrefix(#"{"type":"summary""#) == true)
        for threads in ["1", "2"] {
            let same = try run(["-r", Self.refused, "-q", "--threads", threads])
            #expect(same.text == quiet.text)
        }
    }

    @Test("standard input ('-r -') gives the same timeline as the file")
    func standardInput() throws {
        let file = try run(["-r", Self.refused])
        let piped = try run(["-r", "-"], input: try Data(contentsOf: URL(fileURLWithPath: Self.refused)))
        #expect(piped.status == 0)
        #expect(piped.text == file.text)
    }

    // MARK: Exit status

    @Test("--fail-on: exit 1 when a finding at or above the severity was reported")
    func failOn() throws {
        let clean = try run(["-r", Self.echo, "--fail-on", "warn"])
        #expect(clean.status == 0)
        #expect(!clean.text.contains("findings:"))
        let rejected = TestEnvironment.samplesDirectory.appendingPathComponent("detection/ws-handshake-rejected.pcap")
            .path
        #expect(try run(["-r", rejected]).status == 0)
        #expect(try run(["-r", rejected, "--fail-on", "error"]).status == 1)
        #expect(try run(["-r", rejected, "--fail-on", "error", "--threads", "1"]).status == 1)
        let withoutOption = try run(["-r", Self.refused])
        #expect(withoutOption.status == 0)
        #expect(withoutOption.text.contains("(warn)"))
        #expect(!withoutOption.text.contains("(error)"))
        #expect(try run(["-r", Self.refused, "--fail-on", "warn"]).status == 1)
        #expect(try run(["-r", Self.refused, "--fail-on", "error"]).status == 0)
        #expect(try run(["-r", Self.refused, "--fail-on", "warn", "--json"]).status == 1)
        #expect(try run(["-r", Self.refused, "--fail-on", "info"]).status == 2)
    }

    @Test("audit of a truncated file exits 1 and says so")
    func auditTruncated() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.sample))
        let cut = directory.appendingPathComponent("cut.pcap")
        try data.prefix(data.count - 10).write(to: cut)
        let result = try run(["audit", cut.path])
        #expect(result.status == 1)
        #expect(result.errorText.contains("packet 24:"))
        let whole = try run(["audit", Self.sample])
        #expect(whole.status == 0)
    }

    @Test("audit takes trailing filter words like the timeline; --filter stays an alias")
    func auditFilterWords() throws {
        let words = try run(["audit", Self.nginxProxy, "tcp", "port", "8080"])
        let option = try run(["audit", Self.nginxProxy, "--filter", "tcp port 8080"])
        let unfiltered = try run(["audit", Self.nginxProxy])
        #expect(words.status == option.status)
        #expect(words.text == option.text)
        #expect(words.text != unfiltered.text)
        let both = try run(["audit", Self.nginxProxy, "--filter", "tcp", "port", "8080"])
        #expect(both.status == 2)
        let bad = try run(["audit", Self.nginxProxy, "port", "nonsense"])
        #expect(bad.status == 2)
    }
}

/// Issue 14: redaction in every output, the listing's and summary's new columns, evidence.
@Suite("redaction, listing, summary and evidence")
struct TerminalEvidenceTests {
    static let binary = CommandLineTests.binary
    static let nginx = TestEnvironment.samplesDirectory.appendingPathComponent("http-nginx-lo.pcap").path
    static let refused = TestEnvironment.samplesDirectory.appendingPathComponent(
        "proxy/upgrade-refused-then-retry.pcap"
    ).path
    static let rejected = TestEnvironment.samplesDirectory.appendingPathComponent(
        "detection/ws-handshake-rejected.pcap"
    ).path
    static let proxy = TestEnvironment.samplesDirectory.appendingPathComponent("proxy/ws-proxy-nginx-default.pcap").path
    /// The Sec-WebSocket-Key the sample's client sent (conn 2).
    static let nginxKey = "c3dpdGNocG9pbnQtc2FtcGxlIQ=="
    static let proxyKey = "0WoxaQwdP+SUUj8q2OZbGA=="

    func run(_ arguments: [String]) throws -> TestEnvironment.ToolResult {
        try TestEnvironment.run(Self.binary, arguments, timeoutSeconds: 60)
    }

    @Test("--redact: the key is gone from text, JSON, HTML and HAR; its length is shown")
    func redactEverywhere() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plain = try run(["-r", Self.nginx, "-v"])
        #expect(plain.text.contains("Sec-WebSocket-Key: \(Self.nginxKey)"))
        let html = directory.appendingPathComponent("r.html").path
        let har = directory.appendingPathComponent("r.har").path
        let text = try run(["-r", Self.nginx, "-v", "--redact", "--html", html, "--har", har])
        #expect(text.status == 0)
        #expect(text.text.contains("                           Sec-WebSocket-Key: ‹redacted len=28›\n"))
        // Only secrets and payloads changed, line by line.
        let plainLines = plain.text.split(separator: "\n", omittingEmptySubsequences: false)
        let redactedLines = text.text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(plainLines.count == redactedLines.count)
        for (before, after) in zip(plainLines, redactedLines) where before != after {
            #expect(after.contains("‹redacted len="), "\(after)")
        }
        let json = try run(["-r", Self.nginx, "--json", "--redact"])
        #expect(json.text.contains(#"["Sec-WebSocket-Key","‹redacted len=28›"]"#))
        for output in [
            text.text, json.text, try String(contentsOfFile: html, encoding: .utf8),
            try String(contentsOfFile: har, encoding: .utf8),
        ] {
            #expect(!output.contains(Self.nginxKey))
            #expect(output.contains("redacted len=28"))
        }
        // The sharded default and one thread redact alike.
        #expect(try run(["-r", Self.nginx, "-v", "--redact", "--threads", "1"]).text == text.text)
    }

    @Test("audit --redact: still paired by the key it no longer shows")
    func redactAudit() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let har = directory.appendingPathComponent("a.har").path
        let plainHAR = directory.appendingPathComponent("plain.har").path
        let plain = try run(["audit", Self.proxy, "--har", plainHAR])
        let result = try run(["audit", Self.proxy, "--redact", "--har", har])
        #expect(result.status == plain.status)
        #expect(result.text == plain.text)
        #expect(result.text.contains("paired by sec-websocket-key (high confidence;"))
        #expect(try String(contentsOfFile: plainHAR, encoding: .utf8).contains(Self.proxyKey))
        let redacted = try String(contentsOfFile: har, encoding: .utf8)
        #expect(!redacted.contains(Self.proxyKey))
        #expect(redacted.contains("redacted len=24"))
    }

    @Test("--connections names protocol, upgrade outcome and findings")
    func listingColumns() throws {
        let result = try run(["-r", Self.rejected, "--connections", "-v"])
        #expect(result.status == 0)
        #expect(
            result.text == """
                 conn client                 server                      start s   duration s  c2s pkts    c2s bytes  s2c pkts    s2c bytes  gaps handshake   protocol         upgrade                            findings    close
                    1 127.0.0.1:53350        127.0.0.1:18611            0.000000     0.029375         7          220         6          144     0 complete    http1→websocket  websocket switched                 0           fin
                    2 127.0.0.1:53352        127.0.0.1:18611            0.230326     0.001075         5          275         4          129     0 complete    http1→websocket  websocket rejected by the client   2 (error)   fin
                    3 127.0.0.1:53360        127.0.0.1:18611            0.432078     0.005332         5          278         4          108     0 complete    http1→websocket  websocket rejected by the client   2 (warn)    fin
                    4 127.0.0.1:53370        127.0.0.1:18611            0.638136     0.001153         5          208         4          175     0 complete    http1→websocket  websocket rejected by the client   2 (error)   fin
                4 connections; 44 packets (44 TCP, 0 other)

                """)
        let refused = try run(["-r", Self.refused, "--connections", "-v"])
        let rows = refused.text.split(separator: "\n").dropFirst().prefix(3).map { row in
            row.range(of: "complete    ").map { String(row[$0.upperBound...]) } ?? String(row)
        }
        #expect(
            rows == [
                "http1            refused                            1 (warn)    fin",
                "http1            refused (426)                      1 (warn)    fin",
                "http1→websocket  websocket switched                 0           fin",
            ])
    }

    @Test("the summary counts messages and streams per protocol, text and JSON")
    func summaryTotals() throws {
        let text = try run(["-r", Self.refused])
        #expect(
            text.text.hasSuffix(
                """
                == summary
                3 connections, 41 packets (39 TCP, 2 other)
                upgrades: websocket switched ×1, refused (426) ×1, refused (other status) ×1
                messages: http1 3 requests, 3 responses; websocket 4 messages, 0 pings/pongs, 2 close frames
                findings: upgrade.refused ×1 (warn), upgrade.refused_426 ×1 (warn)

                """))
        let json = try run(["-r", Self.refused, "--json"])
        let summary = try #require(json.text.split(separator: "\n").last)
        #expect(
            summary.contains(
                #""messages":{"http1":{"requests":3,"responses":3},"http2":{"streams":0},"raw":{"chunks":0},"websocket":{"close":2,"control":0,"messages":4}}"#
            ))
        let h2 = TestEnvironment.samplesDirectory.appendingPathComponent("http2/h2-prior-knowledge-curl.pcap").path
        #expect(try run(["-r", h2]).text.contains("\nmessages: http2 "))
    }

    @Test("a refused upgrade shows the answer's version and body; -v headers sit under their message")
    func evidence() throws {
        let result = try run(["-r", Self.refused, "-v"])
        let expected = """
            conn 1  10.201.0.1:59704 → 10.201.0.2:8080  2026-11-22 00:29:01.536230 UTC
              +0.000196  #6  c→s  GET /echo HTTP/1.1
                                      Host: 10.201.0.2:8080
                                      User-Agent: switchpoint-proxy-sample-curl
                                      Accept: */*
                                      Connection: Upgrade
                                      Upgrade: websocket
                                      Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==
                                      Sec-WebSocket-Version: 8
              +0.002932  #8  s→c  HTTP/1.1 400 Bad Request
                                      Date: Sun, 22 Nov 2026 00:29:01 GMT
                                      Connection: close
                                      Content-Length: 80
                                      Content-Type: text/plain; charset=utf-8
                                      Server: Python/3.11 websockets/17.4
              +0.002932  #8  s→c  !! warn upgrade.refused: upgrade to websocket answered 400 Bad Request instead of 101: the server rejected the handshake; Sec-WebSocket-Version is not 13
              +0.002932  #8  s→c  body 80 bytes  "Failed to open a WebSocket connection: invalid Sec-WebSocket-Version header: 8.\\n"
              +0.004503  #11       closed fin  c2s 213 B  s2c 262 B  after 0.005 s

            """
        #expect(result.text.hasPrefix(expected))
        let brief = try run(["-r", Self.refused])
        #expect(
            brief.text.contains(
                "  +0.006967  s→c  HTTP/1.1 426 Upgrade Required  Connection: close  Content-Length: 160  Upgrade: websocket\n"
            ))
        #expect(
            brief.text.contains(
                "  +0.006967  s→c  body 160 bytes  \"Failed to open a WebSocket connection: invalid Upgrade header: h2c.\\n\\nYou cannot access a WebSocket server directly with a browser. You need a WebSocket client.\\n\"\n"
            ))
        // A body that answers no upgrade keeps its line as it was.
        #expect(try run(["-r", Self.nginx]).text.contains("  +0.000352  s→c  body 157 bytes\n"))
    }

    @Test("HTTP/2 -v: flag names and WINDOW_UPDATE increments")
    func http2Verbose() throws {
        let path = TestEnvironment.samplesDirectory.appendingPathComponent("http2/h2c-upgrade-curl.pcap").path
        let result = try run(["-r", path, "-v"])
        #expect(result.text.contains("frame SETTINGS stream 0 flags ACK len 0\n"))
        #expect(result.text.contains("c→s  frame HEADERS stream 3 flags END_STREAM|END_HEADERS len 34\n"))
        #expect(result.text.contains("c→s  frame WINDOW_UPDATE stream 0 flags 0x0 len 4 increment "))
    }
}
