import Foundation

/// docs/architecture.md's layer table read as data: the rows between the
/// `<!-- layers -->` markers (`` | `Folder/` | `Other/`, `More/` | ``) and the exceptions
/// between the `<!-- layer-exceptions -->` markers (`` | `Folder/File.swift` | `Type` | why | ``).
struct LayerTable {
    struct Exception: Hashable {
        var file: String
        var type: String
    }

    var allowed: [String: Set<String>] = [:]
    var exceptions: Set<Exception> = []

    static func parse(_ markdown: String) throws -> LayerTable {
        var table = LayerTable()
        for row in rows(markdown, between: "<!-- layers -->") {
            guard let folders = row.first.flatMap(folderNames).flatMap(\.first) else { continue }
            table.allowed[folders] = Set(row.dropFirst().first.map(folderNames) ?? [])
        }
        for row in rows(markdown, between: "<!-- layer-exceptions -->") where row.count >= 2 {
            let file = ticked(row[0]).first ?? ""
            for type in ticked(row[1]) { table.exceptions.insert(Exception(file: file, type: type)) }
        }
        return table
    }

    /// The cells of each table row between two occurrences of `marker`.
    static func rows(_ markdown: String, between marker: String) -> [[String]] {
        let parts = markdown.components(separatedBy: marker)
        guard parts.count >= 3 else { return [] }
        return parts[1].split(separator: "\n").compactMap { line in
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard let first = cells.first, first.hasPrefix("`") else { return nil }
            return cells
        }
    }

    static func ticked(_ cell: String) -> [String] {
        cell.matches(of: /`([^`]+)`/).map { String($0.output.1) }
    }

    /// `` `Capture/`, `Support/` `` → ["Capture", "Support"].
    static func folderNames(_ cell: String) -> [String] {
        ticked(cell).filter { $0.hasSuffix("/") }.map { String($0.dropLast()) }
    }

    /// The names of types declared at the top level (brace depth 0) of `code`.
    static func topLevelTypes(_ code: String) -> [String] {
        var depth = 0
        var names: [String] = []
        for line in code.split(separator: "\n") {
            if depth == 0,
                let match = line.firstMatch(of: /\b(?:struct|class|enum|protocol|typealias|actor)\s+([A-Z]\w*)/)
            {
                names.append(String(match.output.1))
            }
            depth += line.count(where: { $0 == "{" }) - line.count(where: { $0 == "}" })
        }
        return names
    }

    private enum Mode {
        case code(parens: Int)
        case string(multiline: Bool)
        case lineComment
        case blockComment
    }

    /// `source` with comments and the text of string literals removed; the code inside
    /// string interpolations is kept (a type named there is used).
    static func code(of source: String) -> String {
        let bytes = Array(source.utf8)
        var out: [UInt8] = []
        var stack: [Mode] = [.code(parens: 0)]
        var index = 0
        func at(_ offset: Int, _ text: String) -> Bool {
            let want = Array(text.utf8)
            return index + offset + want.count <= bytes.count
                && Array(bytes[(index + offset)..<(index + offset + want.count)]) == want
        }
        while index < bytes.count, let mode = stack.last {
            let byte = bytes[index]
            switch mode {
            case .code(let parens):
                if at(0, "//") {
                    stack.append(.lineComment)
                } else if at(0, "/*") {
                    stack.append(.blockComment)
                } else if at(0, "\"\"\"") {
                    stack.append(.string(multiline: true))
                    index += 2
                } else if byte == UInt8(ascii: "\"") {
                    stack.append(.string(multiline: false))
                } else if byte == UInt8(ascii: "(") {
                    stack[stack.count - 1] = .code(parens: parens + 1)
                } else if byte == UInt8(ascii: ")") {
                    if parens == 0 && stack.count > 1 {
                        stack.removeLast()  // the interpolation's end
                    } else {
                        stack[stack.count - 1] = .code(parens: max(0, parens - 1))
                    }
                }
                out.append(byte)
            case .string(let multiline):
                if at(0, "\\(") {
                    stack.append(.code(parens: 0))
                    out.append(UInt8(ascii: " "))
                    index += 1
                } else if byte == UInt8(ascii: "\\") {
                    index += 1
                } else if multiline ? at(0, "\"\"\"") : byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\n") {
                    stack.removeLast()
                    if multiline { index += 2 }
                    out.append(UInt8(ascii: "\""))
                }
            case .lineComment:
                if byte == UInt8(ascii: "\n") {
                    stack.removeLast()
                    out.append(byte)
                }
            case .blockComment:
                if at(0, "*/") {
                    stack.removeLast()
                    index += 1
                }
            }
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}
