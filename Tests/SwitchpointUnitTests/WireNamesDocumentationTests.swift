import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// docs/architecture.md's "Wire names" tables list exactly what the constant types name.
@Suite struct WireNamesDocumentationTests {
    static let document = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/architecture.md")

    static func row(_ value: String, _ name: String) -> String { "| `\(value)` | `\(name)` |" }

    @Test func everyNamedConstantHasItsRow() throws {
        let text = try String(contentsOf: Self.document, encoding: .utf8)
        var rows: [String] = []
        rows += HTTP2FrameType.known.map { Self.row("0x" + String($0.rawValue, radix: 16), $0.name) }
        rows += HTTP2SettingID.known.map { Self.row("0x" + String($0.rawValue, radix: 16), $0.name) }
        rows += HTTP2ErrorCode.known.map { Self.row("0x" + String($0.rawValue, radix: 16), $0.name) }
        rows += WebSocketOpcode.known.map {
            Self.row("0x" + String($0.rawValue, radix: 16), $0.name.map { "\($0)" } ?? "")
        }
        rows += WebSocketCloseCode.known.map { Self.row(String($0.rawValue), $0.name) }
        #expect(rows.count == 12 + 8 + 14 + 6 + 15)
        let missing = rows.filter { !text.contains($0) }
        #expect(missing.isEmpty, "docs/architecture.md lacks: \(missing)")
        // And no row the types do not define (a renamed constant leaves none behind).
        let section = try #require(text.range(of: "## Wire names")).upperBound
        let documented = text[section...].split(separator: "\n").filter {
            $0.hasPrefix("| `") && $0.hasSuffix("` |") && $0.contains("` | `")
        }
        #expect(Set(documented.map(String.init)) == Set(rows))
    }

    @Test func unknownValuesStayRepresentable() {
        #expect(HTTP2FrameType(rawValue: 0xfa).name == "UNKNOWN_0xfa")
        #expect(HTTP2SettingID(rawValue: 0x7).name == "UNKNOWN_0x7")
        #expect(HTTP2ErrorCode(rawValue: 0xff).name == "UNKNOWN_0xff")
        #expect(WebSocketOpcode(rawValue: 0x3).name == nil)
        #expect(WebSocketOpcode(rawValue: 0xb).isControl)
        #expect(WebSocketCloseCode(rawValue: 4000).name == "")
        #expect(HTTP2Flags.defined(for: .headers).map(\.name) == ["END_STREAM", "END_HEADERS", "PADDED", "PRIORITY"])
    }
}
