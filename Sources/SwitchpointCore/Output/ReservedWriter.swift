/// A run of switchpoint's own words and numbers written into room reserved beforehand
/// (`OutputBuffer.withReserved`), without a capacity check per piece: the JSON lines of the
/// most frequent events are a dozen such fields, and checking and growing per field was
/// most of their cost. What goes in is bounded by construction (literals, and numbers of at
/// most `maxDecimalDigits` digits), so the caller's reservation is a constant.
struct ReservedWriter {
    /// Digits of the largest `UInt64`.
    static let maxDecimalDigits = 20

    private let base: UnsafeMutablePointer<UInt8>
    private let end: Int
    private(set) var position: Int

    init(base: UnsafeMutablePointer<UInt8>, position: Int, end: Int) {
        self.base = base
        self.position = position
        self.end = end
    }

    @inline(__always)
    mutating func put(_ text: StaticString) {
        let length = text.utf8CodeUnitCount
        precondition(position + length <= end, "a reserved run outgrew its reservation")
        let target = UnsafeMutableRawPointer(base + position)
        if text.hasPointerRepresentation {
            if length <= OutputBuffer.smallCopyLimit {
                OutputBuffer.copySmall(UnsafeRawPointer(text.utf8Start), length, to: target)
            } else {
                target.copyMemory(from: UnsafeRawPointer(text.utf8Start), byteCount: length)
            }
        } else {
            text.withUTF8Buffer { bytes in
                if let source = bytes.baseAddress { target.copyMemory(from: source, byteCount: length) }
            }
        }
        position += length
    }

    @inline(__always)
    mutating func put(decimal value: UInt64) {
        let digits = OutputBuffer.digitCount(value)
        precondition(position + digits <= end, "a reserved run outgrew its reservation")
        OutputBuffer.writeDigits(value, count: digits, into: base + position)
        position += digits
    }

    @inline(__always)
    mutating func put(_ value: Bool) {
        put(value ? "true" : "false")
    }
}
