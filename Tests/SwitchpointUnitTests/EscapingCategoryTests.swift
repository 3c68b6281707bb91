import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Each Unicode category the escaper neutralizes, in text and JSON output (the cases: EscapeCategory;
/// standard error: EscapingStandardErrorTests).
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

    @Test("printable non-ASCII text passes through unescaped")
    func printablePasses() {
        #expect(TerminalText.escape("café ñ 日本 👍") == "café ñ 日本 👍")
    }
}
