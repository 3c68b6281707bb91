import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

@Suite("Terminal escaping")
struct TerminalTextTests {
    @Test("controls, ANSI escapes, C1 and invalid UTF-8 are escaped; text passes")
    func escapes() {
        #expect(TerminalText.escape(bytes: Array("plain text é ✓".utf8)) == "plain text é ✓")
        #expect(TerminalText.escape(bytes: [0x1b, 0x5b, 0x33, 0x31, 0x6d, 0x41]) == "\\x1b[31mA")
        #expect(TerminalText.escape(bytes: [0x0d, 0x0a, 0x09, 0x00, 0x7f, 0x5c]) == "\\r\\n\\t\\x00\\x7f\\\\")
        #expect(TerminalText.escape(bytes: [0xc2, 0x9b]) == "\\u{9b}")  // C1 CSI, valid UTF-8
        #expect(TerminalText.escape(bytes: [0xff, 0xc3, 0x28]) == "\\xff\\xc3(")  // invalid sequences
        #expect(TerminalText.escape(bytes: [0xe2, 0x80, 0xae]) == "\\u{202e}")  // right-to-left override
        #expect(TerminalText.escape(bytes: [0xed, 0xa0, 0x80]) == "\\xed\\xa0\\x80")  // surrogate
        #expect(TerminalText.escape("a\u{1b}]0;title\u{7}") == "a\\x1b]0;title\\x07")
    }

    @Test("no byte value reaches the output raw")
    func everyByte() {
        let all = (0...255).map { UInt8($0) }
        let escaped = TerminalText.escape(bytes: all)
        for scalar in escaped.unicodeScalars {
            #expect(scalar.value >= 0x20 && scalar.value != 0x7f && !(0x80..<0xa0).contains(scalar.value))
        }
    }
}

@Suite("JSON lines")
struct JSONLineTests {
    @Test("fields keep their order and strings are escaped")
    func encoding() throws {
        var line = JSONLine()
        line.add("ts", timestamp: Timestamp(nanoseconds: 1_700_000_000_123_456_789))
        line.add("conn", 3)
        line.add("type", "conn.open")
        line.add("text", "quote\" back\\ nl\n esc\u{1b} ✓")
        line.add("flag", true)
        line.add("ratio", 0.5, decimals: 3)
        line.addNull("code")
        #expect(
            line.line
                == #"{"ts":1700000000.123456,"conn":3,"type":"conn.open","text":"quote\" back\\ nl\n esc\u001b ✓","flag":true,"ratio":0.500,"code":null}"#
        )
        let parsed = try JSONSerialization.jsonObject(with: Data(line.line.utf8)) as? [String: Any]
        #expect(parsed?["text"] as? String == "quote\" back\\ nl\n esc\u{1b} ✓")
    }
}

@Suite("Stream offset map")
struct StreamOffsetMapTests {
    func capture(_ number: UInt64) -> CaptureInfo {
        CaptureInfo(packetNumber: number, timestamp: Timestamp(nanoseconds: Int64(number) * 1000))
    }

    @Test("any offset maps back to the packet that carried it")
    func lookup() {
        var map = StreamOffsetMap()
        map.record(offset: 0, capture: capture(4))
        map.record(offset: 100, capture: capture(7))
        map.record(offset: 100, capture: capture(7))  // same packet continues: no new entry
        map.record(offset: 250, capture: capture(9))
        #expect(map.count == 3)
        #expect(map.capture(at: 0)?.packetNumber == 4)
        #expect(map.capture(at: 99)?.packetNumber == 4)
        #expect(map.capture(at: 100)?.packetNumber == 7)
        #expect(map.capture(at: 249)?.packetNumber == 7)
        #expect(map.capture(at: 10_000)?.packetNumber == 9)
        map.forget(below: 120)
        #expect(map.count == 2)
        #expect(map.capture(at: 120)?.packetNumber == 7)
        #expect(map.capture(at: 50) == nil)
    }

    @Test("memory follows the unconsumed window")
    func bounded() {
        var map = StreamOffsetMap()
        for index in 0..<100_000 {
            map.record(offset: UInt64(index) * 10, capture: capture(UInt64(index)))
            map.forget(below: UInt64(index) * 10)
        }
        #expect(map.count == 1)
    }

    @Test("reassembly chunks map every byte of a real capture to its packet")
    func fromCapture() throws {
        struct MappingSink: StreamSignalSink {
            var maps: [Direction: StreamOffsetMap] = [:]
            var chunks: [(Direction, UInt64, Int, UInt64)] = []
            mutating func receive(_ signal: StreamSignal) {
                if case .data(let chunk) = signal, chunk.connection == 1 {
                    maps[chunk.direction, default: StreamOffsetMap()].record(chunk)
                    chunks.append((chunk.direction, chunk.offset, chunk.bytes.count, chunk.capture.packetNumber))
                }
            }
        }
        let source = try TestEnvironment.fixtureSource(paths: [
            TestEnvironment.samplesDirectory.appendingPathComponent("ws-echo-veth.pcap").path
        ])
        var sink = MappingSink()
        var runner = CaptureRunner()
        runner.drive(source, into: &sink)
        #expect(sink.chunks.count > 50)
        for (direction, offset, count, packet) in sink.chunks {
            #expect(sink.maps[direction]?.capture(at: offset)?.packetNumber == packet)
            #expect(sink.maps[direction]?.capture(at: offset + UInt64(count) - 1)?.packetNumber == packet)
        }
    }
}
