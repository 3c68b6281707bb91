import Foundation
import Testing

@testable import SwitchpointCore

/// The key log's line cutting (the `keylog` fuzz harness's properties, as regressions).
@Suite struct KeyLogLineReaderTests {
    /// The lines the reader cuts from `bytes` fed `chunk` bytes at a time.
    static func lines(_ bytes: [UInt8], chunk: Int) -> [(number: Int, bytes: [UInt8])] {
        var reader = TLSKeyLogLineReader()
        var lines: [(number: Int, bytes: [UInt8])] = []
        var start = 0
        while start < bytes.count {
            let end = min(start + chunk, bytes.count)
            bytes[start..<end].withUnsafeBytes { piece in
                reader.feed(piece) { line, number in lines.append((number, Array(line))) }
            }
            start = end
        }
        reader.finish { line, number in lines.append((number, Array(line))) }
        return lines
    }

    @Test("a line past the limit is cut at the limit whether or not a chunk ends inside it")
    func longLineCutAlike() {
        // A valid secret pushed past the 1024-byte limit by spaces: it must not count when the
        // line arrives whole and be cut when a read chunk ends inside it (the fuzzer's find).
        let random = String(repeating: "11", count: 32)
        let long = "CLIENT_RANDOM " + random + String(repeating: " ", count: 1100) + String(repeating: "22", count: 48)
        let text = Array(
            ("# start\n" + long + "\nCLIENT_RANDOM " + random + " " + String(repeating: "33", count: 48) + "\n").utf8)
        let whole = Self.lines(text, chunk: text.count)
        for chunk in [1, 7, 64, 1000, 1024, 1100] {
            let chunked = Self.lines(text, chunk: chunk)
            #expect(chunked.map(\.number) == whole.map(\.number), "chunk \(chunk)")
            #expect(chunked.map(\.bytes) == whole.map(\.bytes), "chunk \(chunk)")
        }
        #expect(whole.count == 3)
        #expect(whole.allSatisfy { $0.bytes.count <= TLSKeyLog.maxLineBytes })
        let keyLog = TLSKeyLog(text: String(decoding: text, as: UTF8.self))
        #expect(keyLog.malformedLines == 1)
        #expect(
            keyLog.secrets(clientRandom: Array(repeating: 0x11, count: 32))?.masterSecret
                == Array(repeating: 0x33, count: 48))
    }

    @Test("bytes that are not UTF-8 are read as they are, and the first bad line is quoted escaped on stderr")
    func rawBytes() {
        var keyLog = TLSKeyLog()
        let bytes: [UInt8] = Array("CLIENT_RANDOM \u{1b}]0;owned\u{07} x\n".utf8) + [0xff, 0xfe, 0x0a]
        bytes.withUnsafeBytes { keyLog.add(bytes: $0, source: "fuzz", from: .file) }
        #expect(keyLog.lineCount == 2 && keyLog.malformedLines == 2)
        let summary = keyLog.malformedSummary ?? ""
        #expect(summary.contains("\u{1b}"), "the summary keeps the line as read; its printer escapes it")
        #expect(!TerminalText.escape(summary).contains("\u{1b}"))
    }
}
