/// Builds one JSON object on one line, fields in the order written. Hand-rolled so that
/// streaming output costs no encoder round trip and keeps a stable field order.
package struct JSONLine {
    private(set) var text = "{"
    private var empty = true
    /// `.ascii`: string values escape every character past U+007F (`--json-ascii`).
    package var escaping: JSONEscaping

    package init(escaping: JSONEscaping = .standard) {
        self.escaping = escaping
    }

    private mutating func key(_ name: String) {
        if !empty { text += "," }
        empty = false
        text += "\""
        text += name
        text += "\":"
    }

    package mutating func add(_ name: String, _ value: String) {
        key(name)
        Self.appendQuoted(value, to: &text, escaping: escaping)
    }

    package mutating func add(_ name: String, _ value: String?) {
        guard let value else { return addNull(name) }
        add(name, value)
    }

    package mutating func add(_ name: String, _ value: Int) {
        key(name)
        text += String(value)
    }

    package mutating func add(_ name: String, _ value: UInt64) {
        key(name)
        text += String(value)
    }

    package mutating func add(_ name: String, _ value: Bool) {
        key(name)
        text += value ? "true" : "false"
    }

    /// Fixed-point number with `decimals` digits (timestamps: 6 for µs).
    package mutating func add(_ name: String, _ value: Double, decimals: Int) {
        key(name)
        text += Self.fixed(value, decimals: decimals)
    }

    /// Epoch seconds with microsecond precision, computed from integers so that large
    /// epoch values keep every digit.
    package mutating func add(_ name: String, timestamp: Timestamp) {
        key(name)
        let micros = timestamp.nanoseconds / 1000
        let seconds = micros / 1_000_000
        let fraction = micros % 1_000_000
        if micros < 0 && fraction != 0 {
            text += "-" + String(-(micros / 1_000_000)) + "." + Self.zeroPadded(Int(-fraction), width: 6)
        } else {
            text += String(seconds) + "." + Self.zeroPadded(Int(fraction), width: 6)
        }
    }

    package mutating func addNull(_ name: String) {
        key(name)
        text += "null"
    }

    /// Inserts already-encoded JSON (an array or object built elsewhere).
    package mutating func addRaw(_ name: String, json: String) {
        key(name)
        text += json
    }

    package var line: String { text + "}" }

    static func fixed(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return "null" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9.0e18 else { return String(value) }
        let whole = Int64(scaled)
        let divisor = Int64(scale)
        let sign = value < 0 && whole != 0 ? "-" : ""
        if decimals == 0 { return sign + String(whole) }
        return sign + String(whole / divisor) + "." + zeroPadded(Int(whole % divisor), width: decimals)
    }

    static func zeroPadded(_ value: Int, width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// Appends `value` as a JSON string literal; `.ascii` escapes every character past
    /// U+007F too (a surrogate pair above the BMP).
    package static func appendQuoted(_ value: String, to text: inout String, escaping: JSONEscaping = .standard) {
        text += "\""
        for scalar in value.unicodeScalars {
            switch scalar.value {
            case 0x22: text += "\\\""
            case 0x5c: text += "\\\\"
            case 0x0a: text += "\\n"
            case 0x0d: text += "\\r"
            case 0x09: text += "\\t"
            case 0x00..<0x20, 0x7f...0x9f, 0x2028, 0x2029:
                text += "\\u" + hex4(scalar.value)
            case 0x80...0xffff where escaping == .ascii:
                text += "\\u" + hex4(scalar.value)
            case 0x10000... where escaping == .ascii:
                let offset = scalar.value - 0x10000
                text += "\\u" + hex4(0xd800 + (offset >> 10)) + "\\u" + hex4(0xdc00 + (offset & 0x3ff))
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }

    private static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// `{"code":count,…}`, keys sorted.
    package static func countsObject(_ counts: [(String, Int)], escaping: JSONEscaping = .standard) -> String {
        "{"
            + counts.sorted { $0.0 < $1.0 }.map { quoted($0.0, escaping: escaping) + ":" + String($0.1) }.joined(
                separator: ",") + "}"
    }

    package static func quoted(_ value: String, escaping: JSONEscaping = .standard) -> String {
        var text = ""
        appendQuoted(value, to: &text, escaping: escaping)
        return text
    }
}
