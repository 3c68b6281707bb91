import Foundation
import Testing

@testable import SwitchpointTestSupport

/// docs/architecture.md's layer table is the rule: a file of one folder of
/// Sources/SwitchpointCore may name a type declared in another folder only when the table
/// lets its folder use that one, or when the exceptions table names that file and type.
/// SwitchpointCore is one module, so the compiler cannot enforce this; the test does.
@Suite("Layer table")
struct LayerTableTests {
    static let sources = TestEnvironment.projectRoot.appendingPathComponent("Sources/SwitchpointCore")
    static let document = TestEnvironment.projectRoot.appendingPathComponent("docs/architecture.md")

    struct Edge: Hashable, CustomStringConvertible {
        var file: String
        var type: String
        var from: String
        var to: String
        var description: String { "\(file) (\(from)/) uses \(type) (\(to)/)" }
    }

    @Test("every cross-folder use is one the table allows or lists as an exception")
    func layersHold() throws {
        let table = try LayerTable.parse(String(contentsOf: Self.document, encoding: .utf8))
        let edges = try Self.edges()
        #expect(edges.count > 300, "too few edges found: the scan is broken")
        let folders = Set(try Self.swiftFiles().map(Self.folder))
        #expect(folders == Set(table.allowed.keys), "folders on disk and rows of the table differ")
        let offending = edges.filter { edge in
            !(table.allowed[edge.from]?.contains(edge.to) ?? false)
                && !table.exceptions.contains(LayerTable.Exception(file: edge.file, type: edge.type))
        }
        #expect(offending.isEmpty, "\(offending.sorted { $0.description < $1.description }.map(\.description))")
        let used = Set(edges.map { LayerTable.Exception(file: $0.file, type: $0.type) })
        let stale = table.exceptions.subtracting(used)
        #expect(stale.isEmpty, "exceptions listed that no longer occur: \(stale)")
    }

    @Test("the scan sees names inside string interpolations and not inside strings or comments")
    func scanner() {
        let code = LayerTable.code(of: #"let a = "Direction \(TerminalText.escape(x))" // PerDirection"#)
        #expect(code.contains("TerminalText"))
        #expect(!code.contains("PerDirection"))
        #expect(!code.contains("Direction "))
        let multi = LayerTable.code(of: "let b = \"\"\"\n  Endpoint \\(JSONLine.fixed(1))\n  \"\"\"\n/* Timestamp */ c")
        #expect(multi.contains("JSONLine") && !multi.contains("Endpoint") && !multi.contains("Timestamp"))
    }

    static func swiftFiles() throws -> [String] {
        try #require(FileManager.default.enumerator(atPath: sources.path)?.compactMap { $0 as? String })
            .filter { $0.hasSuffix(".swift") }
    }

    static func folder(_ file: String) -> String {
        String(file.split(separator: "/").first ?? "")
    }

    /// Each (file, type of another folder) it names.
    static func edges() throws -> Set<Edge> {
        var code: [String: String] = [:]
        var declaredIn: [String: Set<String>] = [:]
        for file in try swiftFiles() {
            let text = LayerTable.code(
                of: try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8))
            code[file] = text
            for type in LayerTable.topLevelTypes(text) { declaredIn[type, default: []].insert(folder(file)) }
        }
        // A name declared at the top level of two folders is ambiguous: left out.
        let home = declaredIn.compactMapValues { $0.count == 1 ? $0.first : nil }
        var edges: Set<Edge> = []
        for (file, text) in code {
            let from = folder(file)
            // Every identifier whole (Regex's `\b` follows Unicode word rules, under which
            // `TerminalText.escape` is one word).
            for match in text.matches(of: /[A-Za-z_][A-Za-z0-9_]*/) {
                let name = String(match.output)
                guard let to = home[name], to != from else { continue }
                edges.insert(Edge(file: file, type: name, from: from, to: to))
            }
        }
        return edges
    }
}
