/// Writes one JSON object's fields into an output buffer, in the order written: keys are
/// switchpoint's own names, string values are escaped for JSON on their bytes.
struct JSONObjectWriter {
    /// Not retained: a writer lives only inside the call that formats one line, while its
    /// caller holds the buffer. A strong reference cost a retain and release per line, and
    /// an `unowned(unsafe)` one a pair per field; `withOut` borrows it instead.
    private let target: Unmanaged<OutputBuffer>
    private var empty = true

    /// Opens the object (`{`); `close()` ends it.
    init(into out: borrowing OutputBuffer) {
        target = Unmanaged.passUnretained(out)
        out.append(UInt8(ascii: "{"))
    }

    /// Goes on with an object whose opening and first fields are already in `out`.
    init(continuing out: borrowing OutputBuffer) {
        target = Unmanaged.passUnretained(out)
        empty = false
    }

    /// The buffer, borrowed for `body`.
    @inline(__always)
    func withOut(_ body: (OutputBuffer) -> Void) {
        target._withUnsafeGuaranteedRef(body)
    }

    func close() {
        withOut { $0.append(UInt8(ascii: "}")) }
    }

    @inline(__always)
    mutating func key(_ name: StaticString) {
        let first = empty
        withOut { $0.appendJSONKey(name, first: first) }
        empty = false
    }

    /// A key that comes from the wire (a header name).
    mutating func key(escaping name: String) {
        let first = empty
        empty = false
        withOut { out in
            if !first { out.append(UInt8(ascii: ",")) }
            out.appendJSONString(name)
            out.append(UInt8(ascii: ":"))
        }
    }

    mutating func add(_ name: StaticString, _ value: String) {
        key(name)
        withOut { out in
            out.appendJSONString(value)
        }
    }

    mutating func add(_ name: StaticString, _ value: String?) {
        key(name)
        withOut { out in
            if let value { out.appendJSONString(value) } else { out.append("null") }
        }
    }

    mutating func add(_ name: StaticString, literal value: StaticString) {
        let first = empty
        empty = false
        withOut { $0.appendJSONField(name, first: first, word: value, quoted: true) }
    }

    mutating func add(_ name: StaticString, bytes value: [UInt8]) {
        key(name)
        withOut { out in
            out.appendJSONString(value)
        }
    }

    mutating func add(_ name: StaticString, _ value: Int) {
        let first = empty
        empty = false
        withOut { $0.appendJSONField(name, first: first, magnitude: value.magnitude.toUInt64, negative: value < 0) }
    }

    mutating func add(_ name: StaticString, _ value: UInt64) {
        let first = empty
        empty = false
        withOut { $0.appendJSONField(name, first: first, magnitude: value, negative: false) }
    }

    mutating func add(_ name: StaticString, _ value: Bool) {
        let first = empty
        empty = false
        withOut { $0.appendJSONField(name, first: first, word: value ? "true" : "false", quoted: false) }
    }

    mutating func add(_ name: StaticString, _ value: Double, decimals: Int) {
        key(name)
        withOut { out in
            out.append(fixed: value, decimals: decimals)
        }
    }

    mutating func add(_ name: StaticString, timestamp: Timestamp) {
        key(name)
        withOut { out in
            out.append(epochSeconds: timestamp)
        }
    }

    mutating func addNull(_ name: StaticString) {
        let first = empty
        empty = false
        withOut { $0.appendJSONField(name, first: first, word: "null", quoted: false) }
    }

    /// `[["name","value"],…]`
    mutating func add(_ name: StaticString, headers fields: [HTTPField]) {
        key(name)
        withOut { out in
            out.append(UInt8(ascii: "["))
            // Through the buffer: each field is read in place, where binding it copied (and
            // retained) both its strings.
            fields.withUnsafeBufferPointer { fields in
                for index in fields.indices {
                    if index > 0 { out.append(UInt8(ascii: ",")) }
                    out.append(UInt8(ascii: "["))
                    out.appendJSONString(fields[index].name)
                    out.append(UInt8(ascii: ","))
                    out.appendJSONString(fields[index].value)
                    out.append(UInt8(ascii: "]"))
                }
            }
            out.append(UInt8(ascii: "]"))
        }
    }

    /// `[[start,end],…]` (half-open byte ranges)
    mutating func add(_ name: StaticString, ranges: [Range<UInt64>]) {
        key(name)
        withOut { out in
            out.append(UInt8(ascii: "["))
            for (index, range) in ranges.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out.append(UInt8(ascii: "["))
                out.append(decimal: range.lowerBound)
                out.append(UInt8(ascii: ","))
                out.append(decimal: range.upperBound)
                out.append(UInt8(ascii: "]"))
            }
            out.append(UInt8(ascii: "]"))
        }
    }

    /// `["a","b"]`
    mutating func add(_ name: StaticString, strings: [String]) {
        key(name)
        withOut { out in
            out.append(UInt8(ascii: "["))
            for (index, item) in strings.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out.appendJSONString(item)
            }
            out.append(UInt8(ascii: "]"))
        }
    }

    /// `"0a 1b …"`
    mutating func add(_ name: StaticString, spacedHex bytes: UnsafeRawBufferPointer) {
        key(name)
        withOut { out in
            out.append(UInt8(ascii: "\""))
            out.append(spacedHex: bytes)
            out.append(UInt8(ascii: "\""))
        }
    }
}
