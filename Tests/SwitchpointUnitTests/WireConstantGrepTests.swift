import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Issue 15, acceptance 2: wire constants are named and finding codes are typed. A grep
/// over Sources/: no numeric literal compared with (or switched against) a WebSocket
/// opcode, an HTTP/2 frame type, flags byte or setting identifier outside the files that
/// define the constants, and no finding code written as a string outside `FindingCode`.
@Suite struct WireConstantGrepTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources")

    /// Where the constants are defined (and may be numbers).
    static let constantFiles: Set<String> = [
        "HTTP2FrameType.swift", "HTTP2Flags.swift", "HTTP2SettingID.swift", "HTTP2ErrorCode.swift",
        "WebSocketOpcode.swift", "WebSocketCloseCode.swift",
    ]

    /// Every Swift file under Sources/ with its lines; fails when there are none (a moved
    /// folder must not turn this test into one that checks nothing).
    static func sourceFiles() throws -> [(name: String, path: String, lines: [Substring])] {
        let enumerator = try #require(FileManager.default.enumerator(atPath: sources.path))
        var files: [(String, String, [Substring])] = []
        while let relative = enumerator.nextObject() as? String {
            guard relative.hasSuffix(".swift") else { continue }
            let text = try String(contentsOfFile: sources.appendingPathComponent(relative).path, encoding: .utf8)
            files.append(
                (
                    (relative as NSString).lastPathComponent, relative,
                    text.split(separator: "\n", omittingEmptySubsequences: false)
                ))
        }
        try #require(files.count > 100, "Sources/ not found at \(sources.path)")
        return files
    }

    static func matches(_ pattern: String, _ line: Substring) -> Bool {
        line.range(of: pattern, options: .regularExpression) != nil
    }

    /// Comments say "opcode 9" freely; only code counts.
    static func code(_ line: Substring) -> Substring {
        guard let comment = line.range(of: "//") else { return line }
        return line[..<comment.lowerBound]
    }

    static let literal = "(0x[0-9a-fA-F]+|[0-9]+)\\b"
    /// A wire field compared with, masked by or built from a number.
    static let comparisons = [
        "\\b(opcode|\\.type|flags|identifier)\\s*(==|!=|<=|>=|<|>)\\s*" + literal,
        literal + "\\s*(==|!=)\\s*[A-Za-z_.]*\\b(opcode|type|flags|identifier)\\b",
        "\\b(flags|opcode)\\s*&\\s*~?" + literal,
        "\\bsettings\\[\\s*" + literal,
        "\\b(opcode|type|flags):\\s*" + literal,
    ]

    @Test func noNumericLiteralsComparedWithWireFields() throws {
        var offences: [String] = []
        for file in try Self.sourceFiles() where !Self.constantFiles.contains(file.name) {
            // Inside `switch <…>opcode/type/flags/identifier {`: no `case 8:`.
            var switchIndent: Int?
            for (number, raw) in file.lines.enumerated() {
                let line = Self.code(raw)
                for pattern in Self.comparisons where Self.matches(pattern, line) {
                    offences.append("\(file.path):\(number + 1): \(raw.trimmingCharacters(in: .whitespaces))")
                }
                let indent = line.prefix { $0 == " " }.count
                if Self.matches("\\bswitch\\b.*\\b(opcode|type|flags|identifier)(Value)?\\s*\\{\\s*$", line) {
                    switchIndent = indent
                } else if let open = switchIndent {
                    if indent == open && line.trimmingCharacters(in: .whitespaces) == "}" {
                        switchIndent = nil
                    } else if Self.matches("^\\s*case\\s+" + Self.literal, line) {
                        offences.append("\(file.path):\(number + 1): \(raw.trimmingCharacters(in: .whitespaces))")
                    }
                }
            }
        }
        #expect(
            offences.isEmpty,
            "bare wire numbers (use HTTP2FrameType, HTTP2Flags, HTTP2SettingID, WebSocketOpcode):\n\(offences.joined(separator: "\n"))"
        )
    }

    @Test func findingCodesAreNotStrings() throws {
        let codes = Set(FindingCode.allCases.map(\.rawValue))
        let families = Set(codes.compactMap { $0.split(separator: ".").first.map { String($0) + "." } })
        // `ReassemblyAnomalyCode` is the reassembly layer's own list (it knows no findings);
        // `FindingCode(anomaly)` maps it and the test below keeps the strings equal.
        let allowed: Set<String> = ["FindingCode.swift", "StreamSignal.swift"]
        var offences: [String] = []
        for file in try Self.sourceFiles() where !allowed.contains(file.name) {
            for (number, raw) in file.lines.enumerated() {
                let line = Self.code(raw)
                var literals: [Substring] = []
                var rest = line[...]
                while let open = rest.firstIndex(of: "\"") {
                    let after = rest.index(after: open)
                    guard let close = rest[after...].firstIndex(of: "\"") else { break }
                    literals.append(rest[after..<close])
                    rest = rest[rest.index(after: close)...]
                }
                for text in literals where codes.contains(String(text)) || families.contains(String(text)) {
                    offences.append("\(file.path):\(number + 1): \"\(text)\"")
                }
                if Self.matches("\\bcode\\s*:\\s*String\\b", line) {
                    offences.append("\(file.path):\(number + 1): \(raw.trimmingCharacters(in: .whitespaces))")
                }
            }
        }
        #expect(offences.isEmpty, "finding codes as strings (use FindingCode):\n\(offences.joined(separator: "\n"))")
    }

    @Test func reassemblyAnomaliesAreFindingCodesWithTheSameStrings() {
        for anomaly in ReassemblyAnomalyCode.allCases {
            #expect(FindingCode(anomaly).rawValue == anomaly.rawValue)
            #expect(FindingCode(anomaly).family == (anomaly.rawValue.hasPrefix("tcp.") ? .tcp : .reassembly))
        }
        for code in FindingCode.allCases {
            #expect(code.rawValue.hasPrefix(code.family.rawValue + "."), "\(code.rawValue)")
        }
    }
}
