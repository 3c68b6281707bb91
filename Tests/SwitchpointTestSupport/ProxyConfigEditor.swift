import Foundation

@testable import SwitchpointCore

/// Applies an audit fix to a proxy's configuration text as an operator would: each
/// snippet goes into its section, replacing a directive it sets again (nginx refuses a
/// duplicate `proxy_http_version`), a `map` already there is kept.
enum ProxyConfigEditor {
    /// The key a directive is replaced by: its name, or name and header for the
    /// repeatable header directives.
    static func key(_ line: String) -> String {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { $0.lowercased() }
        guard let first = words.first else { return "" }
        if first == "map" { return words.prefix(3).joined(separator: " ") }
        let repeatable =
            first.hasSuffix("_set_header") || first == "add_header" || first == "timeout"
            || first == "http-request" || first == "option"
        return repeatable && words.count > 1 ? first + " " + words[1] : first
    }

    static func applyNginx(_ fix: ProxyConfigFix, to text: String) -> String {
        var lines = text.components(separatedBy: "\n")
        for snippet in fix.snippets {
            switch snippet.context {
            case .nginxHTTP:
                guard
                    let http = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix("http {") })
                else { continue }
                if let first = snippet.lines.first, lines.contains(where: { key($0.trimmed) == key(first) }) {
                    continue
                }
                lines.insert(contentsOf: snippet.lines.map { "    " + $0 }, at: http + 1)
            case .nginxLocation:
                lines = replacingInBlocks(lines, header: { $0.trimmed.hasPrefix("location ") }, with: snippet.lines)
            default:
                continue
            }
        }
        return lines.joined(separator: "\n")
    }

    static func applyHAProxy(_ fix: ProxyConfigFix, to text: String) -> String {
        var lines = text.components(separatedBy: "\n")
        for snippet in fix.snippets {
            let section: String
            switch snippet.context {
            case .haproxyBackend: section = "backend "
            case .haproxyFrontend: section = "frontend "
            case .haproxyDefaults: section = "defaults"
            default: continue
            }
            lines = replacingInSections(lines, section: section, with: snippet.lines)
        }
        return lines.joined(separator: "\n")
    }

    /// Apache directives: the snippet replaces the lines it sets again (`ProxyPass` for the
    /// same path, `ProxyTimeout`), appended at the end of the server configuration.
    static func applyApache(_ fix: ProxyConfigFix, to text: String) -> String {
        func apacheKey(_ line: String) -> String {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map {
                $0.lowercased().replacingOccurrences(of: "\"", with: "")
            }
            guard let first = words.first else { return "" }
            switch first {
            case "proxypass", "proxypassreverse", "setenv": return words.prefix(2).joined(separator: " ")
            case "requestheader": return words.prefix(3).joined(separator: " ")
            default: return first
            }
        }
        var lines = text.components(separatedBy: "\n")
        for snippet in fix.snippets where snippet.context == .apacheVirtualHost {
            let keys = Set(snippet.lines.map(apacheKey))
            lines.removeAll { keys.contains(apacheKey($0.trimmed)) }
            lines += snippet.lines
        }
        return lines.joined(separator: "\n")
    }

    /// nginx blocks: from a header line ending in `{` to its closing brace.
    private static func replacingInBlocks(
        _ lines: [String], header: (String) -> Bool, with snippet: [String]
    )
        -> [String]
    {
        let keys = Set(snippet.map(key))
        var out: [String] = []
        var depth = 0
        var inside = false
        for line in lines {
            if inside {
                depth += line.filter { $0 == "{" }.count - line.filter { $0 == "}" }.count
                if depth <= 0 { inside = false }
                if inside && depth == 1 && keys.contains(key(line.trimmed)) { continue }
            }
            out.append(line)
            if !inside && header(line) && line.trimmed.hasSuffix("{") {
                inside = true
                depth = 1
                out += snippet.map { "            " + $0 }
            }
        }
        return out
    }

    /// HAProxy sections: a header at column 0 up to the next one.
    private static func replacingInSections(_ lines: [String], section: String, with snippet: [String]) -> [String] {
        let keys = Set(snippet.map(key))
        var out: [String] = []
        var inside = false
        for line in lines {
            let isHeader = !line.isEmpty && !line.hasPrefix(" ") && !line.hasPrefix("\t") && !line.hasPrefix("#")
            if isHeader { inside = line.hasPrefix(section) }
            if inside && !isHeader && keys.contains(key(line.trimmed)) { continue }
            out.append(line)
            if isHeader && inside { out += snippet.map { "    " + $0 } }
        }
        return out
    }
}

extension String {
    fileprivate var trimmed: String { trimmingCharacters(in: .whitespaces) }
}
