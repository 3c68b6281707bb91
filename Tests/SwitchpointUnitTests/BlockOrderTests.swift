import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// The text timeline's blocks print in connection-number order, the budget still bounds
/// what is held, and `--protocol`/`--severity` judge each block as it prints.
@Suite("Block order, budget and block selection")
struct BlockOrderTests {
    /// Runs `body` against an assembler writing into a temporary file; returns the text.
    static func assembled(
        budget: Int = 1 << 20, selection: TimelineSelection = TimelineSelection(),
        _ body: (TextBlockAssembler) -> Void
    ) throws -> String {
        let url = try TestEnvironment.temporaryDirectory().appendingPathComponent("blocks.txt")
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        let writer = LineWriter(descriptor: handle.fileDescriptor, flushEachLine: false)
        let assembler = TextBlockAssembler(writer: writer, colour: false, budget: budget, selection: selection)
        body(assembler)
        assembler.finish()
        writer.flush()
        try handle.close()
        return try String(contentsOf: url, encoding: .utf8)
    }

    static func held(
        _ assembler: TextBlockAssembler, _ connection: ConnectionID, _ line: String, header: Bool = false,
        closes: Bool = false, shown: ConnectionTraits = []
    ) {
        let headerText = Array("conn \(connection)".utf8)
        let lines = Array((line + "\n").utf8)
        headerText.withUnsafeBytes { headerBytes in
            lines.withUnsafeBytes { lineBytes in
                assembler.held(
                    connection, header: header ? headerBytes : nil, lines: lineBytes, closes: closes, shown: shown)
            }
        }
    }

    @Test("a block that closes first waits for the lower-numbered connections")
    func connectionOrder() throws {
        let text = try Self.assembled { assembler in
            for connection in 1...3 { assembler.opened(connection) }
            Self.held(assembler, 2, "two a", header: true)
            Self.held(assembler, 3, "three a", header: true)
            Self.held(assembler, 2, "two closed", closes: true)
            Self.held(assembler, 1, "one a", header: true)
            Self.held(assembler, 3, "three closed", closes: true)
            Self.held(assembler, 1, "one closed", closes: true)
        }
        #expect(text == "conn 1\none a\none closed\n\nconn 2\ntwo a\ntwo closed\n\nconn 3\nthree a\nthree closed\n\n")
    }

    @Test("blocks waiting behind an open connection print as soon as it closes, not at the end")
    func printsWhenReady() throws {
        var afterFirstClose = ""
        let url = try TestEnvironment.temporaryDirectory().appendingPathComponent("ready.txt")
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        let writer = LineWriter(descriptor: handle.fileDescriptor, flushEachLine: true)
        let assembler = TextBlockAssembler(writer: writer, colour: false, budget: 1 << 20)
        assembler.opened(1)
        assembler.opened(2)
        assembler.opened(3)
        Self.held(assembler, 2, "two", header: true, closes: true)
        Self.held(assembler, 1, "one", header: true, closes: true)
        writer.flush()
        afterFirstClose = try String(contentsOf: url, encoding: .utf8)
        assembler.finish()
        writer.flush()
        try handle.close()
        #expect(afterFirstClose == "conn 1\none\n\nconn 2\ntwo\n\n")
    }

    @Test("over the budget, the first block in the order prints early with its continued marker")
    func budgetKeepsOrderBounded() throws {
        let long = String(repeating: "x", count: 150)
        let text = try Self.assembled(budget: 400) { assembler in
            for connection in 1...4 { assembler.opened(connection) }
            Self.held(assembler, 1, "one a", header: true)
            // Connections 2-4 close with long blocks while 1 stays open: past the budget,
            // 1 prints what it has so the closed ones can go.
            for connection in 2...4 { Self.held(assembler, connection, long, header: true, closes: true) }
            Self.held(assembler, 1, "one b")
            Self.held(assembler, 1, "one closed", closes: true)
        }
        let expected =
            "conn 1\none a\n\n" + (2...4).map { "conn \($0)\n\(long)\n\n" }.joined()
            + "conn 1 (continued)\none b\none closed\n\n"
        #expect(text == expected)
    }

    @Test("--severity and --protocol drop the blocks of connections that do not qualify")
    func blockSelection() throws {
        var selection = TimelineSelection()
        selection.severity = .warn
        let text = try Self.assembled(selection: selection) { assembler in
            for connection in 1...3 { assembler.opened(connection) }
            Self.held(assembler, 1, "fine", header: true, closes: true)
            Self.held(assembler, 2, "warned", header: true, shown: .warnFinding)
            Self.held(assembler, 2, "closed", closes: true)
            Self.held(assembler, 3, "failed", header: true, closes: true, shown: .errorFinding)
        }
        #expect(text == "conn 2\nwarned\nclosed\n\nconn 3\nfailed\n\n")
        var byProtocol = TimelineSelection()
        byProtocol.protocolName = .http2
        let http2 = try Self.assembled(selection: byProtocol) { assembler in
            for connection in 1...2 { assembler.opened(connection) }
            Self.held(assembler, 1, "h1", header: true, closes: true, shown: .http1)
            Self.held(assembler, 2, "h2", header: true, closes: true, shown: [.http1, .http2])
        }
        #expect(http2 == "conn 2\nh2\n\n")
    }

    @Test("hexdump lines: offset, 16 bytes in two groups, printable ASCII on the right")
    func hexdumpLayout() {
        let out = OutputBuffer(capacity: 256)
        let bytes = Array("Hello, switchpoint!\u{1b}[0m\u{0}".utf8)
        bytes.withUnsafeBytes { out.append(hexdump: $0, indent: "  ") }
        #expect(
            String(decoding: out.bytes, as: UTF8.self) == """
                  00000000  48 65 6c 6c 6f 2c 20 73  77 69 74 63 68 70 6f 69  |Hello, switchpoi|
                  00000010  6e 74 21 1b 5b 30 6d 00                           |nt!.[0m.|

                """)
        #expect(Hexdump.looksLikeText(Array("a text\r\n".utf8)))
        #expect(!Hexdump.looksLikeText([0x00, 0x01, 0x41]))
    }

    @Test("-A lines: as tcpdump -A, CRLF and LF end lines, every other control or non-ASCII byte a dot")
    func asciiDumpLayout() {
        let out = OutputBuffer(capacity: 256)
        let bytes = Array("GET / HTTP/1.1\r\nHost: a\r\n\r\nbody\tend\u{1b}[0m\u{0}\rx\né".utf8)
        bytes.withUnsafeBytes { out.append(asciiDump: $0, indent: "  ") }
        #expect(
            String(decoding: out.bytes, as: UTF8.self) == """
                  GET / HTTP/1.1
                  Host: a
                \("  ")
                  body\tend.[0m..x
                  ..

                """)
        // Whatever the bytes, only printable ASCII, tab and line feeds reach the terminal.
        let every = (0...255).map { UInt8($0) }
        let all = OutputBuffer(capacity: 1024)
        every.withUnsafeBytes { all.append(asciiDump: $0, indent: "") }
        #expect(all.bytes.allSatisfy { $0 == 0x09 || $0 == 0x0a || (0x20..<0x7f).contains($0) })
    }
}
