import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Issue 14 (terminal, redaction, progress, totals): the pieces, without the binary.
@Suite("terminal output pieces")
struct TerminalOutputUnitTests {
    @Test("counts take the singular for exactly one")
    func plurals() {
        #expect(CountedNoun.text(0, "gap") == "0 gaps")
        #expect(CountedNoun.text(1, "gap") == "1 gap")
        #expect(CountedNoun.text(2, "gap") == "2 gaps")
        #expect(CountedNoun.text(UInt64(1), "byte") == "1 byte")
        #expect(CountedNoun.text(3, "ping/pong", "pings/pongs") == "3 pings/pongs")
        let buffer = OutputBuffer()
        buffer.append(count: 1, "gap", "gaps")
        buffer.append(UInt8(ascii: ","))
        buffer.append(count: UInt64(7), "byte", "bytes")
        #expect(String(decoding: buffer.bytes, as: UTF8.self) == "1 gap,7 bytes")
    }

    func transliterated(_ text: String) -> String {
        let out = OutputBuffer()
        var copy = text
        copy.withUTF8 { ASCIITransliteration.append(UnsafeRawBufferPointer($0), to: out) }
        return String(decoding: out.bytes, as: UTF8.self)
    }

    @Test("--ascii spells switchpoint's glyphs and escapes every other character")
    func asciiSpelling() {
        #expect(transliterated("conn 1  127.0.0.1:1 → 127.0.0.1:2") == "conn 1  127.0.0.1:1 -> 127.0.0.1:2")
        #expect(transliterated("  +0.1  c→s  ══ switch ══ after 155 µs") == "  +0.1  c->s  == switch == after 155 us")
        #expect(transliterated("\"abc…\" ×3") == "\"abc...\" x3")
        #expect(transliterated("‹redacted len=4›") == "<redacted len=4>")
        #expect(transliterated("héllo 日") == "h\\u{e9}llo \\u{65e5}")
        #expect(transliterated("plain ascii\n") == "plain ascii\n")
    }

    @Test("the locale decides UTF-8 as setlocale does: LC_ALL, then LC_CTYPE, then LANG")
    func localeCheck() {
        #expect(ASCIITransliteration.localeIsUTF8(environment: ["LANG": "en_US.UTF-8"]))
        #expect(ASCIITransliteration.localeIsUTF8(environment: ["LC_CTYPE": "C.utf8", "LANG": "C"]))
        #expect(!ASCIITransliteration.localeIsUTF8(environment: ["LC_ALL": "C", "LANG": "en_US.UTF-8"]))
        #expect(!ASCIITransliteration.localeIsUTF8(environment: ["LANG": "POSIX"]))
        #expect(!ASCIITransliteration.localeIsUTF8(environment: [:]))
        #expect(ASCIITransliteration.localeIsUTF8(environment: ["LC_ALL": "", "LANG": "de_DE.UTF-8"]))
    }

    @Test("token-like query parameters are redacted by name, others kept")
    func redactTarget() {
        var secrets: [String] = []
        #expect(
            Redaction.target("/ws?token=abc123&room=7&SIG=zz", secrets: &secrets)
                == "/ws?token=‹redacted len=6›&room=7&SIG=‹redacted len=2›")
        #expect(secrets == ["abc123", "zz"])
        secrets = []
        #expect(Redaction.target("/ws?room=7&keyboard=1", secrets: &secrets) == "/ws?room=7&keyboard=1")
        #expect(Redaction.target("/plain", secrets: &secrets) == "/plain")
        #expect(Redaction.target("/a?access_token=", secrets: &secrets) == "/a?access_token=‹redacted len=0›")
        #expect(secrets.isEmpty)
    }

    @Test("secret headers are redacted whatever their case, :path too; findings lose the values")
    func redactFields() throws {
        var secrets: [String] = []
        let fields = [
            HTTPField(name: "Host", value: "example"), HTTPField(name: "AUTHORIZATION", value: "Bearer xyz"),
            HTTPField(name: "cookie", value: "a=1; b=2"), HTTPField(name: ":path", value: "/x?key=k1"),
        ]
        let redacted = try #require(Redaction.fields(fields, secrets: &secrets))
        #expect(
            redacted.map(\.value) == ["example", "‹redacted len=10›", "‹redacted len=8›", "/x?key=‹redacted len=2›"])
        #expect(Redaction.fields([HTTPField(name: "Host", value: "h")], secrets: &secrets) == nil)
        #expect(
            Redaction.text("Sec-WebSocket-Accept is \"Bearer xyz\"", secrets: secrets)
                == "Sec-WebSocket-Accept is \"‹redacted len=10›\"")
    }

    @Test("the progress line: bytes of total, packets, rate, time left")
    func progressLine() {
        let line = ReadProgress.line(bytesRead: 25_000_000, totalBytes: 100_000_000, packets: 1, elapsed: .seconds(2))
        #expect(line == "reading 25.0 MB of 100.0 MB (25%)  1 packet  12.5 MB/s  ETA 6 s")
        #expect(
            ReadProgress.line(bytesRead: 0, totalBytes: 60_000_000, packets: 0, elapsed: .zero)
                == "reading 0.0 MB of 60.0 MB (0%)  0 packets")
    }

    @Test("no progress line for standard input, small files or a stderr that is no terminal")
    func progressConditions() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let big = directory.appendingPathComponent("big.pcap")
        #expect(FileManager.default.createFile(atPath: big.path, contents: nil))
        let handle = try FileHandle(forWritingTo: big)
        try handle.truncate(atOffset: ReadProgress.minimumTotalBytes + 1)
        try handle.close()
        #expect(
            ReadProgress.totalToShow(paths: [big.path], stderrIsTerminal: true) == ReadProgress.minimumTotalBytes + 1)
        #expect(ReadProgress.totalToShow(paths: [big.path], stderrIsTerminal: false) == nil)
        #expect(ReadProgress.totalToShow(paths: [big.path, "-"], stderrIsTerminal: true) == nil)
        let small = TestEnvironment.samplesDirectory.appendingPathComponent("http-nginx-lo.pcap").path
        #expect(ReadProgress.totalToShow(paths: [small], stderrIsTerminal: true) == nil)
    }

    @Test("binary that reads as text is told from binary")
    func printableShare() {
        func check(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBytes { PrintableText.isMostlyPrintable($0) } }
        #expect(check(Array("SSH-2.0-OpenSSH_9.6\r\n".utf8)))
        #expect(check(Array("{\"message\":\"hello\"}".utf8) + [0]))
        #expect(!check([0, 1, 2, 3, 4, 5, 0x41]))
        #expect(!check(Array("ab".utf8)))
    }

    @Test("shard merge adds the summary's nested message totals")
    func mergeNestedTotals() {
        let first = Array(#"{"messages":{"http1":{"requests":2,"responses":1},"raw":{"chunks":0}}}"#.utf8)
        let second = Array(#"{"messages":{"http1":{"requests":3,"responses":4},"raw":{"chunks":5}}}"#.utf8)
        let merged = first.withUnsafeBytes { a in
            second.withUnsafeBytes { b in
                try? ShardMerge.mergedSummary([JSONTopLevelFields(a)!, JSONTopLevelFields(b)!])
            }
        }
        #expect(merged == #"{"messages":{"http1":{"requests":5,"responses":5},"raw":{"chunks":5}}}"#)
    }
}

/// Issue 14's HTTP/2 `-v` evidence: what each frame's payload says, on its frame event.
@Suite("HTTP/2 frame details")
struct HTTP2FrameDetailTests {
    @Test("padding lengths, WINDOW_UPDATE increments and PING data, however the bytes are split")
    func details() throws {
        let request = H2.hex("8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d")
        let client =
            H2.preface + H2.settings([(2, 0)])
            + H2.frame(1, flags: 0x4 | 0x8, stream: 1, [3] + request + [0, 0, 0])
            + H2.frame(0, flags: 0x1 | 0x8, stream: 1, [2] + Array("body".utf8) + [0, 0])
            + H2.frame(8, stream: 0, [0x80, 0, 0x10, 0])  // reserved bit set: not part of the increment
            + H2.frame(6, [1, 2, 3, 4, 5, 6, 7, 8])
        let server =
            H2.settings() + H2.frame(6, flags: 0x1, [1, 2, 3, 4, 5, 6, 7, 8])
            + H2.frame(1, flags: 0x4 | 0x1, stream: 1, H2.status200)
        let sink = H2.conversation([(.clientToServer, client), (.serverToClient, server)]).runAllSplittings()
        let frames = sink.h2Frames.map { direction, frame in
            "\(direction.shortName) \(HTTP2FrameType(rawValue: frame.type).name) pad=\(frame.padLength.map(String.init) ?? "-") "
                + "inc=\(frame.windowIncrement.map(String.init) ?? "-") ping=\(frame.pingData.map { String($0, radix: 16) } ?? "-")"
        }
        #expect(
            frames == [
                "c2s SETTINGS pad=- inc=- ping=-",
                "c2s HEADERS pad=3 inc=- ping=-",
                "c2s DATA pad=2 inc=- ping=-",
                "c2s WINDOW_UPDATE pad=- inc=4096 ping=-",
                "c2s PING pad=- inc=- ping=102030405060708",
                "s2c SETTINGS pad=- inc=- ping=-",
                "s2c PING pad=- inc=- ping=102030405060708",
                "s2c HEADERS pad=- inc=- ping=-",
            ])
    }

    @Test("ORIGIN (RFC 8336): the origins on stream 0, a malformed rest not read, ignored on other streams")
    func origin() throws {
        func entry(_ origin: String) -> [UInt8] {
            [UInt8(origin.utf8.count >> 8), UInt8(origin.utf8.count & 0xff)] + Array(origin.utf8)
        }
        let origins = entry("https://example.com") + entry("https://cdn.example.com:8443")
        let server =
            H2.settings() + H2.frame(0xc, stream: 0, origins)
            + H2.frame(0xc, stream: 0, entry("https://a.test") + [0, 9])
            + H2.frame(0xc, stream: 3, entry("https://ignored.test"))
        let sink = H2.conversation([(.clientToServer, H2.preface + H2.settings()), (.serverToClient, server)])
            .runAllSplittings()
        let listed = sink.h2Frames.filter { $0.1.type == HTTP2FrameType.origin.rawValue }.map { $0.1.origins }
        #expect(
            listed == [
                ["https://example.com", "https://cdn.example.com:8443"], ["https://a.test"], nil,
            ])
    }
}
