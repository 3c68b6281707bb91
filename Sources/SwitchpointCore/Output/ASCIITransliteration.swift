/// `--ascii` (and a locale that is not UTF-8): the text output in plain ASCII. The glyphs
/// switchpoint itself prints become their ASCII spelling (`→` `->`, `══` `==`, `…` `...`,
/// `×` `x`, `µs` `us`, `‹›` `<>`); any other character past ASCII (wire text the terminal
/// escaping let through) becomes `\u{XXXX}`, unambiguous because a `\` from the wire is
/// already `\\`. Applied once, to whole lines as they leave the process, so no printer
/// needs a second set of literals and the default path pays nothing.
package enum ASCIITransliteration {
    /// The ASCII spelling of a scalar switchpoint prints, or nil for a scalar to escape.
    static func spelling(_ scalar: UInt32) -> StaticString? {
        switch scalar {
        case 0x2192: "->"  // →
        case 0x2190: "<-"  // ←
        case 0x2550: "="  // ═ (box drawing, double)
        case 0x2500: "-"  // ─
        case 0x2502, 0x2551: "|"  // │ ║
        case 0x2026: "..."  // …
        case 0x00d7: "x"  // ×
        case 0x00b5, 0x03bc: "u"  // µ μ
        case 0x2039: "<"  // ‹
        case 0x203a: ">"  // ›
        case 0x2014, 0x2013: "-"  // — –
        default: nil
        }
    }

    /// Appends `bytes` to `out` with everything past ASCII spelled or escaped.
    package static func append(_ bytes: UnsafeRawBufferPointer, to out: OutputBuffer) {
        var index = 0
        var runStart = 0
        while index < bytes.count {
            if bytes[index] < 0x80 {
                index += 1
                continue
            }
            if runStart < index { out.append(UnsafeRawBufferPointer(rebasing: bytes[runStart..<index])) }
            switch UTF8Scanner.step(bytes, at: index) {
            case .scalar(let value, let length):
                if let spelled = spelling(value) {
                    out.append(spelled)
                } else {
                    out.append("\\u{")
                    out.append(hex: value)
                    out.append(UInt8(ascii: "}"))
                }
                index += length
            case .invalid:
                out.append("\\x")
                out.append(hexByte: bytes[index])
                index += 1
            }
            runStart = index
        }
        if runStart < index { out.append(UnsafeRawBufferPointer(rebasing: bytes[runStart..<index])) }
    }

    /// Whether the locale asks for UTF-8: the first of LC_ALL, LC_CTYPE, LANG that is set
    /// and not empty decides, as setlocale would; none set is the C locale (ASCII).
    package static func localeIsUTF8(environment: [String: String]) -> Bool {
        for name in ["LC_ALL", "LC_CTYPE", "LANG"] {
            guard let value = environment[name], !value.isEmpty else { continue }
            let lowered = value.lowercased()
            return lowered.contains("utf-8") || lowered.contains("utf8")
        }
        return false
    }
}
