extension OutputBuffer {
    /// `1 gap` / `2 gaps` written as bytes (the per-event path: no String).
    @inline(__always)
    func append(count: Int, _ singular: StaticString, _ plural: StaticString) {
        append(decimal: count)
        append(UInt8(ascii: " "))
        append(count == 1 ? singular : plural)
    }

    @inline(__always)
    func append(count: UInt64, _ singular: StaticString, _ plural: StaticString) {
        append(decimal: count)
        append(UInt8(ascii: " "))
        append(count == 1 ? singular : plural)
    }
}
