/// `--redact` for URLs: request targets, `:path`, and headers that carry a URL.
extension Redaction {
    /// Bytes that end a parameter's value anywhere in a URL.
    private static let parameterEnds: Set<UInt8> = [
        UInt8(ascii: "&"), UInt8(ascii: ";"), UInt8(ascii: "#"), UInt8(ascii: "?"),
    ]

    /// Bytes that also end a URL quoted in prose.
    private static let proseEnds: Set<UInt8> = [
        0x20, 0x09, 0x0a, 0x0d, UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: ")"), UInt8(ascii: ","),
        UInt8(ascii: "<"), UInt8(ascii: ">"),
    ]

    /// `target` with its userinfo and the values of token-like parameters replaced (query,
    /// `;` parameters in the path or query, fragment); `secrets` gets each value replaced
    /// (to find it again in findings). The same string when there is none.
    static func target(_ target: String, secrets: inout [String]) -> String {
        url(target, prose: false, secrets: &secrets)
    }

    /// Text that may quote URLs (a finding's message): the same replacements, where white
    /// space and quotes also end a URL.
    static func urlsInProse(_ text: String) -> String {
        var ignored: [String] = []
        return url(text, prose: true, secrets: &ignored)
    }

    private static func url(_ target: String, prose: Bool, secrets: inout [String]) -> String {
        let bytes = Array(target.utf8)
        guard
            bytes.contains(where: {
                $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: ";") || $0 == UInt8(ascii: "#") || $0 == UInt8(ascii: "@")
            })
        else { return target }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var (index, changed) = copyAuthority(bytes, prose: prose, into: &output, secrets: &secrets)
        var inQuery = false
        while index < bytes.count {
            let byte = bytes[index]
            output.append(byte)
            index += 1
            guard parameterEnds.contains(byte) else { continue }
            if byte == UInt8(ascii: "?") || byte == UInt8(ascii: "#") { inQuery = true }
            let nameEnd = parameterEnd(bytes, from: index, inQuery: inQuery, prose: prose, stopAtEquals: true)
            guard nameEnd < bytes.count, bytes[nameEnd] == UInt8(ascii: "="),
                isSecretParameterName(percentDecoded(bytes[index..<nameEnd]))
            else { continue }
            let valueEnd = parameterEnd(bytes, from: nameEnd + 1, inQuery: inQuery, prose: prose, stopAtEquals: false)
            let value = String(decoding: bytes[(nameEnd + 1)..<valueEnd], as: UTF8.self)
            if !value.isEmpty { secrets.append(value) }
            output.append(contentsOf: bytes[index...nameEnd])
            output.append(contentsOf: replacement(length: valueEnd - nameEnd - 1).utf8)
            index = valueEnd
            changed = true
        }
        return changed ? String(decoding: output, as: UTF8.self) : target
    }

    /// Copies an absolute URL's scheme and authority with its userinfo replaced; returns
    /// where the path starts (0 for an origin-form target) and whether there was userinfo.
    private static func copyAuthority(
        _ bytes: [UInt8], prose: Bool, into output: inout [UInt8], secrets: inout [String]
    ) -> (Int, Bool) {
        let separator = Array("://".utf8)
        guard let start = firstRange(of: separator, in: bytes) else { return (0, false) }
        let authorityStart = start + separator.count
        var end = authorityStart
        while end < bytes.count, bytes[end] != UInt8(ascii: "/"), bytes[end] != UInt8(ascii: "?"),
            bytes[end] != UInt8(ascii: "#"), !(prose && proseEnds.contains(bytes[end]))
        {
            end += 1
        }
        output.append(contentsOf: bytes[..<authorityStart])
        guard let at = bytes[authorityStart..<end].lastIndex(of: UInt8(ascii: "@")) else {
            output.append(contentsOf: bytes[authorityStart..<end])
            return (end, false)
        }
        let userinfo = String(decoding: bytes[authorityStart..<at], as: UTF8.self)
        if !userinfo.isEmpty { secrets.append(userinfo) }
        output.append(contentsOf: replacement(length: at - authorityStart).utf8)
        output.append(contentsOf: bytes[at..<end])
        return (end, true)
    }

    private static func firstRange(of needle: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        for start in 0...(bytes.count - needle.count) where bytes[start..<(start + needle.count)].elementsEqual(needle)
        {
            return start
        }
        return nil
    }

    /// Where a parameter's name (up to `=`) or value ends. In the path a `/` ends it too.
    private static func parameterEnd(
        _ bytes: [UInt8], from start: Int, inQuery: Bool, prose: Bool, stopAtEquals: Bool
    ) -> Int {
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if parameterEnds.contains(byte) || (!inQuery && byte == UInt8(ascii: "/")) { break }
            if prose && proseEnds.contains(byte) { break }
            if stopAtEquals && byte == UInt8(ascii: "=") { break }
            index += 1
        }
        return index
    }

    /// A parameter name with `%XX` escapes decoded (`%74oken` is `token`).
    static func percentDecoded(_ name: ArraySlice<UInt8>) -> String {
        var decoded: [UInt8] = []
        decoded.reserveCapacity(name.count)
        var index = name.startIndex
        while index < name.endIndex {
            if name[index] == UInt8(ascii: "%"), index + 2 < name.endIndex,
                let high = HexDigit.value(name[index + 1]), let low = HexDigit.value(name[index + 2])
            {
                decoded.append(high << 4 | low)
                index += 3
                continue
            }
            decoded.append(name[index])
            index += 1
        }
        return String(decoding: decoded, as: UTF8.self)
    }

    /// A parameter named like a token: listed, or holding a credential word (`oauth_token`).
    static func isSecretParameterName(_ name: String) -> Bool {
        isSecretParameter(Substring(name)) || isSecretName(name)
    }
}
