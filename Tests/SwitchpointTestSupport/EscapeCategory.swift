import Testing

/// One case per Unicode category the terminal escaper must neutralize (issue 16), checked
/// in text output, in strict JSON escaping and on standard error.
struct EscapeCategory: CustomTestStringConvertible, Sendable {
    var name: String
    /// UTF-8 bytes as they could arrive from the wire.
    var bytes: [UInt8]
    /// The text escape expected.
    var textEscape: String
    /// The strict JSON escape expected.
    var jsonEscape: String

    var testDescription: String { name }

    static func scalar(_ name: String, _ value: UInt32, json: String) -> EscapeCategory {
        let scalar = Unicode.Scalar(value)!
        return EscapeCategory(
            name: name, bytes: Array(String(Character(scalar)).utf8),
            textEscape: "\\u{\(String(value, radix: 16))}", jsonEscape: json)
    }

    /// The categories a process argument can carry (arguments are Swift strings, so the
    /// invalid bytes of an encoded surrogate cannot be passed; text and JSON cover them).
    static var passableAsArgument: [EscapeCategory] {
        all.filter { String(validating: $0.bytes, as: UTF8.self) != nil }
    }

    static let all: [EscapeCategory] = [
        scalar("Cc (C1 CSI U+009B)", 0x9b, json: "\\u009b"),
        scalar("Cf (zero width space U+200B)", 0x200b, json: "\\u200b"),
        scalar("Cf (byte order mark U+FEFF)", 0xfeff, json: "\\ufeff"),
        scalar("Cf (word joiner U+2060)", 0x2060, json: "\\u2060"),
        scalar("Cf (soft hyphen U+00AD)", 0xad, json: "\\u00ad"),
        scalar("Cf (tag character U+E0041)", 0xe0041, json: "\\udb40\\udc41"),
        scalar("Cf bidi (Arabic letter mark U+061C)", 0x61c, json: "\\u061c"),
        scalar("bidi override (U+202E)", 0x202e, json: "\\u202e"),
        scalar("Zl (line separator U+2028)", 0x2028, json: "\\u2028"),
        scalar("Zp (paragraph separator U+2029)", 0x2029, json: "\\u2029"),
        scalar("Co (private use U+E000)", 0xe000, json: "\\ue000"),
        scalar("Co (plane 15 private use U+F0000)", 0xf0000, json: "\\udb80\\udc00"),
        scalar("Cn (unassigned U+0378)", 0x378, json: "\\u0378"),
        // A surrogate cannot be a Swift scalar; on the wire it is invalid UTF-8 (ED A0 80).
        EscapeCategory(
            name: "Cs (surrogate U+D800 as bytes)", bytes: [0xed, 0xa0, 0x80],
            textEscape: "\\xed\\xa0\\x80", jsonEscape: "\u{FFFD}\u{FFFD}\u{FFFD}"),
    ]
}
