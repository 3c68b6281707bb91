import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// One case per Unicode category the terminal escaper must neutralize (issue 16), checked
/// in text output, in strict JSON escaping and on standard error.
struct EscapeCategory: CustomTestStringConvertible, Sendable {
    var name: String
    /// UTF-8 bytes as they could arrive from the wire.
    var bytes: [UInt8]
    /// The text escape expected.
    var textEscape: String
    /// The strict JSON escape expected.
    var jsonEscape: String

    var testDescription: String { name }

    static func scalar(_ name: String, _ value: UInt32, json: String) -> EscapeCategory {
        let scalar = Unicode.Scalar(value)!
        return EscapeCategory(
            name: name, bytes: Array(String(Character(scalar)).utf8),
            textEscape: "\\u{\(String(value, radix: 16))}", jsonEscape: json)
    }

    /// The categories a process argument can carry (arguments are Swift strings, so the
    /// invalid bytes of an encoded surrogate cannot be passed; text and JSON cover them).
    static var passableAsArgument: [EscapeCategory] {
        all.filter { String(validating: $0.bytes, as: UTF8.self) != nil }
    }

    static let all: [EscapeCategory] = [
        scalar("Cc (C1 CSI U+009B)", 0x9b, json: "\\u009b"),
        scalar("Cf (zero width space U+200B)", 0x200b, json: "\\u200b"),
        scalar("Cf (byte order mark U+FEFF)", 0xfeff, json: "\\ufeff"),
        scalar("Cf (word joiner U+2060)", 0x2060, json: "\\u2060"),
        scalar("Cf (soft hyphen U+00AD)", 0xad, json: "\\u00ad"),
        scalar("Cf (tag character U+E0041)", 0xe0041, json: "\\udb40\\udc41"),
        scalar("Cf bidi (Arabic letter mark U+061C)", 0x61c, json: "\\u061c"),
        scalar("bidi override (U+202E)", 0x202e, json: "\\u202e"),
        scalar("Zl (line separator U+2028)", 0x2028, json: "\\u2028"),
        scalar("Zp (paragraph separator U+2029)", 0x2029, json: "\\u2029"),
        scalar("Co (private use U+E000)", 0xe000, json: "\\ue000"),
        scalar("Co (plane 15 private use U+F0000)", 0xf0000, json: "\\udb80\\udc00"),
        scalar("Cn (unassigned U+0378)", 0x378, json: "\\u0378"),
        // A surrogate cannot be a Swift scalar; on the wire it is invalid UTF-8 (ED A0 80).
        EscapeCategory(
            name: "Cs (surrogate U+D800 as bytes)", bytes: [0xed, 0xa0, 0x80],
            textEscape: "\\xed\\xa0\\x80", jsonEscape: "\u{FFFD}\u{FFFD}\u{FFFD}"),
    ]
}

@Suite("Escaping by Unicode category")
struct EscapingCategoryTests {
    static func framed(_ category: EscapeCategory) -> [UInt8] {
        Array("a".utf8) + category.bytes + Array("b".utf8)
    }

    @Test("text output escapes the category", arguments: EscapeCategory.all)
    func text(_ category: EscapeCategory) {
        let escaped = TerminalText.escape(bytes: Self.framed(category))
        #expect(escaped == "a" + category.textEscape + "b")
        #expect(escaped.unicodeScalars.allSatisfy { $0.isASCII })
    }

    @Test(
        "strict JSON escapes the category as \\uXXXX (surrogate pairs above the BMP), still valid JSON",
        arguments: EscapeCategory.all)
    func json(_ category: EscapeCategory) throws {
        let buffer = OutputBuffer(capacity: 64)
        buffer.append(UInt8(ascii: "["))
        buffer.append(UInt8(ascii: "\""))
        Self.framed(category).withUnsafeBytes { buffer.appendJSONEscaped($0, .strict) }
        buffer.append(UInt8(ascii: "\""))
        buffer.append(UInt8(ascii: "]"))
        let line = String(decoding: buffer.bytes, as: UTF8.self)
        #expect(line == "[\"a" + category.jsonEscape + "b\"]")
        let parsed = try JSONSerialization.jsonObject(with: Data(buffer.bytes)) as? [String]
        #expect(parsed?.count == 1)
    }

    @Test(
        "--json-ascii escapes the category as \\uXXXX, pure ASCII, decoding to the same text",
        arguments: EscapeCategory.all)
    func asciiJSON(_ category: EscapeCategory) throws {
        let buffer = OutputBuffer(capacity: 64)
        buffer.jsonEscaping = .ascii
        buffer.append("[")
        buffer.appendJSONString(Self.framed(category))
        buffer.append("]")
        let line = String(decoding: buffer.bytes, as: UTF8.self)
        #expect(line == "[\"a" + category.jsonEscape.replacingOccurrences(of: "\u{FFFD}", with: "\\ufffd") + "b\"]")
        #expect(buffer.bytes.allSatisfy { $0 < 0x80 })
        let parsed = try JSONSerialization.jsonObject(with: Data(buffer.bytes)) as? [String]
        #expect(parsed == [String(decoding: Self.framed(category), as: UTF8.self)])
    }

    @Test(
        "--json-ascii escapes printable non-ASCII too, a surrogate pair above the BMP, in events and summary strings alike"
    )
    func asciiJSONPrintable() throws {
        let text = "café ñ 日本 👍 \u{202e}"
        let expected = "\"caf\\u00e9 \\u00f1 \\u65e5\\u672c \\ud83d\\udc4d \\u202e\""
        let buffer = OutputBuffer(capacity: 64)
        buffer.jsonEscaping = .ascii
        buffer.appendJSONString(text)
        #expect(String(decoding: buffer.bytes, as: UTF8.self) == expected)
        #expect(JSONLine.quoted(text, escaping: .ascii) == expected)
        // The standard form keeps printable text as UTF-8.
        #expect(JSONLine.quoted("café") == "\"café\"")
        let decoded = try JSONSerialization.jsonObject(with: Data(expected.utf8), options: .fragmentsAllowed) as? String
        #expect(decoded == text)
    }

    @Test("a --json-ascii timeline is pure ASCII and decodes to the same objects as --json")
    func asciiJSONTimeline() throws {
        var capture = CaptureFileBuilder()
        capture.send(
            .clientToServer,
            CaptureFileBuilder.upgradeRequest.replacingOccurrences(of: "GET /chat", with: "GET /ch\u{e9}t\u{200b}"))
        capture.send(.serverToClient, CaptureFileBuilder.upgradeResponse)
        capture.send(
            .serverToClient,
            CaptureFileBuilder.webSocketFrame(opcode: 1, Array("h\u{e9}llo \u{1f44d} \u{202e}evil".utf8)))
        capture.send(.serverToClient, CaptureFileBuilder.webSocketFrame(opcode: 1, [0x61, 0xff, 0x62]))
        capture.close()
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("unicode.pcap")
        try capture.write(to: url)
        let ascii = try OutputPathTests.timeline([url.path], .asciiJSON, threads: 1)
        let standard = try OutputPathTests.timeline([url.path], .json, threads: 1)
        #expect(ascii.allSatisfy { $0 < 0x80 })
        #expect(ascii != standard)
        let lines = { (bytes: [UInt8]) in bytes.split(separator: 0x0a).map { Data($0) } }
        let asciiLines = lines(ascii)
        let standardLines = lines(standard)
        #expect(asciiLines.count == standardLines.count && asciiLines.count > 4)
        for (mine, theirs) in zip(asciiLines, standardLines) {
            let left = try JSONSerialization.jsonObject(with: mine) as? NSDictionary
            let right = try JSONSerialization.jsonObject(with: theirs) as? NSDictionary
            #expect(left != nil && left == right)
        }
    }

    @Test("standard error escapes the category in a file name", arguments: EscapeCategory.passableAsArgument)
    func standardError(_ category: EscapeCategory) throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // A path that does not exist: the error message names it.
        let name = String(decoding: Array("missing-".utf8) + category.bytes + Array(".pcap".utf8), as: UTF8.self)
        let path = directory.path + "/" + name
        let result = try TestEnvironment.run(CommandLineTests.binary, ["-r", path])
        #expect(result.status == 1)  // an input that cannot be read, as any missing file
        let errorBytes = [UInt8](result.errorOutput)
        #expect(errorBytes.allSatisfy { $0 < 0x80 }, "raw non-ASCII reached stderr: \(result.errorText)")
        #expect(!result.errorText.isEmpty)
    }

    @Test("printable non-ASCII text passes through unescaped")
    func printablePasses() {
        #expect(TerminalText.escape("café ñ 日本 👍") == "café ñ 日本 👍")
    }

    @Test("an OSC sequence in a BPF filter and in an audit file name never reaches stderr raw")
    func controlSequencesOnStandardError() throws {
        let osc = "\u{1b}]0;pwned\u{07}"
        let filter = try TestEnvironment.run(CommandLineTests.binary, ["-r", CommandLineTests.sample, "port", osc])
        #expect(filter.status == 2)
        #expect(!filter.errorText.contains("\u{1b}"))
        #expect(filter.errorText.contains("\\x1b]0;pwned\\x07"))
        let audit = try TestEnvironment.run(CommandLineTests.binary, ["audit", "/nonexistent/\(osc).pcap"])
        #expect(audit.status == 2)
        #expect(!audit.errorText.contains("\u{1b}"))
        let usage = try TestEnvironment.run(CommandLineTests.binary, ["--bogus\(osc)"])
        #expect(usage.status == 2)
        #expect(!usage.errorText.contains("\u{1b}"))
    }
}
