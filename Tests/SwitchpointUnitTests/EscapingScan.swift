import Foundation

/// The scan's parsing: just enough Swift (string literals with interpolation, multi-line
/// and raw strings, nesting) to find each call's argument and the parts it is made of.
enum EscapingScan {
    struct Call {
        var file: String
        var line: Int
        var sink: String
        var argument: String
    }

    static func sites(in text: String, file: String, sinks: [String]) -> [Call] {
        let bytes = Array(text.utf8)
        var calls: [Call] = []
        for sink in sinks {
            guard let expression = try? NSRegularExpression(pattern: sink) else { continue }
            let range = NSRange(text.startIndex..., in: text)
            for match in expression.matches(in: text, range: range) {
                guard let found = Range(match.range, in: text) else { continue }
                let start = text.utf8.distance(from: text.startIndex, to: found.lowerBound)
                let end = text.utf8.distance(from: text.startIndex, to: found.upperBound)
                let lineStart = bytes[..<start].lastIndex(of: 0x0a).map { $0 + 1 } ?? 0
                // A declaration (`func write(line: String)`) is no call, a comment's mention neither.
                let before = String(decoding: bytes[lineStart..<start], as: UTF8.self)
                if before.contains("func ") || before.contains("//") { continue }
                guard let open = bytes[..<end].lastIndex(of: UInt8(ascii: "(")) else { continue }
                let close = closingParenthesis(bytes, open)
                let argumentBytes = bytes[end..<max(end, close - 1)]
                let line = bytes[..<start].filter { $0 == 0x0a }.count + 1
                calls.append(
                    Call(file: file, line: line, sink: sink, argument: String(decoding: argumentBytes, as: UTF8.self)))
            }
        }
        return calls
    }

    static func normalized(_ text: String) -> String {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).joined(separator: " ")
    }

    /// The braces-enclosed body of the declaration starting with `declaration` in `text`.
    static func body(of declaration: String, in text: String) -> String? {
        guard let found = text.range(of: declaration) else { return nil }
        let bytes = Array(text.utf8)
        var index = text.utf8.distance(from: text.startIndex, to: found.upperBound)
        while index < bytes.count, bytes[index] != UInt8(ascii: "{") {
            if bytes[index] == UInt8(ascii: "(") {
                index = closingParenthesis(bytes, index)
                continue
            }
            index += 1
        }
        let start = index
        var depth = 0
        while index < bytes.count {
            let byte = bytes[index]
            if (byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "#")) && isLiteralStart(bytes, index) {
                index = literalEnd(bytes, index)
                continue
            }
            if byte == UInt8(ascii: "{") { depth += 1 }
            if byte == UInt8(ascii: "}") {
                depth -= 1
                if depth == 0 { return String(decoding: bytes[start...index], as: UTF8.self) }
            }
            index += 1
        }
        return nil
    }

    /// The parts of `expression` that are neither literal text nor accepted.
    static func unreviewedParts(_ expression: String) -> [String] {
        let trimmed = normalized(expression)
        let bytes = Array(trimmed.utf8)
        guard !bytes.isEmpty else { return [] }
        let operands = splitTopLevel(bytes, on: " + ")
        if operands.count > 1 { return operands.flatMap { unreviewedParts(String(decoding: $0, as: UTF8.self)) } }
        if let branches = ternaryBranches(bytes) {
            return branches.flatMap { unreviewedParts(String(decoding: $0, as: UTF8.self)) }
        }
        if bytes.first == UInt8(ascii: "("), closingParenthesis(bytes, 0) == bytes.count {
            return unreviewedParts(String(decoding: bytes[1..<(bytes.count - 1)], as: UTF8.self))
        }
        if isStringLiteral(bytes) {
            return interpolations(bytes).flatMap { unreviewedParts(String(decoding: $0, as: UTF8.self)) }
        }
        // The text printer's colouring wraps its first argument in SGR codes of its own.
        if trimmed.hasPrefix("paint("), closingParenthesis(bytes, 5) == bytes.count,
            let text = splitTopLevel(Array(bytes[6..<(bytes.count - 1)]), on: ", ").first
        {
            return unreviewedParts(String(decoding: text, as: UTF8.self))
        }
        for call in OutputEscapingGrepTests.acceptedCalls where trimmed.hasPrefix(call) {
            if closingParenthesis(bytes, call.utf8.count - 1) == bytes.count { return [] }
        }
        for pattern in OutputEscapingGrepTests.acceptedPatterns
        where trimmed.range(of: pattern, options: .regularExpression) != nil {
            return []
        }
        return [normalized(trimmed)]
    }

    /// Index after the `)` that closes the `(` at `open`, skipping string literals.
    static func closingParenthesis(_ bytes: [UInt8], _ open: Int) -> Int {
        var depth = 0
        var index = open
        while index < bytes.count {
            let byte = bytes[index]
            if (byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "#")) && isLiteralStart(bytes, index) {
                index = literalEnd(bytes, index)
                continue
            }
            switch byte {
            case UInt8(ascii: "("):
                depth += 1
            case UInt8(ascii: ")"):
                depth -= 1
                if depth == 0 { return index + 1 }
            default:
                break
            }
            index += 1
        }
        return bytes.count
    }

    static func isLiteralStart(_ bytes: [UInt8], _ index: Int) -> Bool {
        var at = index
        while at < bytes.count, bytes[at] == UInt8(ascii: "#") { at += 1 }
        return at < bytes.count && bytes[at] == UInt8(ascii: "\"")
    }

    /// Index after the string literal starting at `start` (`"…"`, `"""…"""`, `#"…"#`).
    static func literalEnd(_ bytes: [UInt8], _ start: Int) -> Int {
        var hashes = 0
        var index = start
        while index < bytes.count, bytes[index] == UInt8(ascii: "#") {
            hashes += 1
            index += 1
        }
        let quotes = bytes[index...].starts(with: Array(#"""""#.utf8)) ? 3 : 1
        index += quotes
        let terminator = [UInt8](repeating: UInt8(ascii: "\""), count: quotes) + [UInt8](repeating: 0x23, count: hashes)
        let escape = [UInt8(ascii: "\\")] + [UInt8](repeating: 0x23, count: hashes)
        while index < bytes.count {
            if bytes[index...].starts(with: escape) {
                let after = index + escape.count
                if after < bytes.count, bytes[after] == UInt8(ascii: "(") {
                    index = closingParenthesis(bytes, after)
                } else {
                    index = after + 1
                }
                continue
            }
            if bytes[index...].starts(with: terminator) { return index + terminator.count }
            index += 1
        }
        return bytes.count
    }

    static func isStringLiteral(_ bytes: [UInt8]) -> Bool {
        isLiteralStart(bytes, 0) && literalEnd(bytes, 0) == bytes.count
    }

    /// The expressions interpolated into a literal (`\(…)`, `\#(…)` in a raw string).
    static func interpolations(_ literal: [UInt8]) -> [ArraySlice<UInt8>] {
        let hashes = literal.prefix { $0 == UInt8(ascii: "#") }.count
        let escape = [UInt8(ascii: "\\")] + [UInt8](repeating: 0x23, count: hashes)
        var found: [ArraySlice<UInt8>] = []
        var index = hashes + 1
        while index < literal.count {
            if literal[index...].starts(with: escape) {
                let after = index + escape.count
                if after < literal.count, literal[after] == UInt8(ascii: "(") {
                    let end = closingParenthesis(literal, after)
                    found.append(literal[(after + 1)..<max(after + 1, end - 1)])
                    index = end
                } else {
                    index = after + 1
                }
                continue
            }
            index += 1
        }
        return found
    }

    /// `expression` cut at `separator` outside brackets and literals.
    static func splitTopLevel(_ bytes: [UInt8], on separator: String) -> [ArraySlice<UInt8>] {
        let separatorBytes = Array(separator.utf8)
        var parts: [ArraySlice<UInt8>] = []
        var depth = 0
        var start = 0
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if (byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "#")) && isLiteralStart(bytes, index) {
                index = literalEnd(bytes, index)
                continue
            }
            if byte == UInt8(ascii: "(") || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") { depth += 1 }
            if byte == UInt8(ascii: ")") || byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") { depth -= 1 }
            if depth == 0, bytes[index...].starts(with: separatorBytes) {
                parts.append(bytes[start..<index])
                index += separatorBytes.count
                start = index
                continue
            }
            index += 1
        }
        parts.append(bytes[start..<bytes.count])
        return parts
    }

    /// `condition ? a : b` at the top level: `a` and `b` (what can be printed).
    static func ternaryBranches(_ bytes: [UInt8]) -> [ArraySlice<UInt8>]? {
        let question = splitTopLevel(bytes, on: " ? ")
        guard question.count == 2 else { return nil }
        let branches = splitTopLevel(Array(question[1]), on: " : ")
        return branches.count == 2 ? branches : nil
    }
}
