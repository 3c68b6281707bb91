extension StringProtocol {
    /// The text's UTF-8 bytes for `body`, read in place when the string stores them
    /// contiguously (every native string): the usual `var copy = text; copy.withUTF8`
    /// retained and released the string's storage for every header name and value printed.
    @inline(__always)
    func withUTF8Bytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        if let result = utf8.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) {
            return result
        }
        var copy = String(self)
        return copy.withUTF8 { body(UnsafeRawBufferPointer($0)) }
    }
}
