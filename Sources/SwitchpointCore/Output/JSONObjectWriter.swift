/// Writes one JSON object's fields into an output buffer, in the order written: keys are
/// switchpoint's own names, string values are escaped for JSON on their bytes.
struct JSONObjectWriter {
    let out: OutputBuffer
    private var empty = true

    /// Opens the object (`{`); `close()` ends it.
    init(into out: OutputBuffer) {
        self.out = out
        out.append(UInt8(ascii: "{"))
    }

    func close() {
        out.append(UInt8(ascii: "}"))
    }

    @inline(__always)
    mutating func key(_ name: StaticString) {
        out.appendJSONKey(name, first: empty)
        empty = false
    }

    /// A key that comes from the wire (a header name).
    mutating func key(escaping name: String) {
        if !empty { out.append(UInt8(ascii: ",")) }
        empty = false
        out.appendJSONString(name)
        out.append(UInt8(ascii: ":"))
    }

    mutating func add(_ name: StaticString, _ value: String) {
        key(name)
        out.appendJSONString(value)
    }

    mutating func add(_ name: StaticString, _ value: String?) {
        key(name)
        if let value { out.appendJSONString(value) } else { out.append("null") }
    }

    mutating func add(_ name: StaticString, literal value: StaticString) {
        key(name)
        out.append(UInt8(ascii: "\""))
        out.append(value)
        out.append(UInt8(ascii: "\""))
    }

    mutating func add(_ name: StaticString, bytes value: [UInt8]) {
        key(name)
        out.appendJSONString(value)
    }

    mutating func add(_ name: StaticString, _ value: Int) {
        key(name)
        out.append(decimal: value)
    }

    mutating func add(_ name: StaticString, _ value: UInt64) {
        key(name)
        out.append(decimal: value)
    }

    mutating func add(_ name: StaticString, _ value: Bool) {
        key(name)
        out.append(value ? "true" : "false")
    }

    mutating func add(_ name: StaticString, _ value: Double, decimals: Int) {
        key(name)
        out.append(fixed: value, decimals: decimals)
    }

    mutating func add(_ name: StaticString, timestamp: Timestamp) {
        key(name)
        out.append(epochSeconds: timestamp)
    }

    mutating func addNull(_ name: StaticString) {
        key(name)
        out.append("null")
    }

    /// `[["name","value"],…]`
    mutating func add(_ name: StaticString, headers fields: [HTTPField]) {
        key(name)
        out.append(UInt8(ascii: "["))
        for (index, field) in fields.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "["))
            out.appendJSONString(field.name)
            out.append(UInt8(ascii: ","))
            out.appendJSONString(field.value)
            out.append(UInt8(ascii: "]"))
        }
        out.append(UInt8(ascii: "]"))
    }

    /// `["a","b"]`
    mutating func add(_ name: StaticString, strings: [String]) {
        key(name)
        out.append(UInt8(ascii: "["))
        for (index, item) in strings.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.appendJSONString(item)
        }
        out.append(UInt8(ascii: "]"))
    }

    /// `"0a 1b …"`
    mutating func add(_ name: StaticString, spacedHex bytes: UnsafeRawBufferPointer) {
        key(name)
        out.append(UInt8(ascii: "\""))
        out.append(spacedHex: bytes)
        out.append(UInt8(ascii: "\""))
    }
}
