/// Strict UTF-8 decoding of one scalar at a time (RFC 3629: no overlongs, no surrogates,
/// nothing above U+10FFFF), for the escapers.
enum UTF8Scanner {
    enum Step {
        case scalar(UInt32, length: Int)
        /// Not a valid sequence: `length` is the maximal subpart (Unicode §3.9), the bytes
        /// one replacement character stands for (as `String(decoding:as:)` replaces them).
        case invalid(length: Int)
    }

    /// Decodes the sequence starting at `index` (which must be inside `bytes`) whose lead
    /// byte is not ASCII.
    @inline(__always)
    static func step(_ bytes: UnsafeRawBufferPointer, at index: Int) -> Step {
        let lead = bytes[index]
        let length: Int
        var value: UInt32
        var secondLow: UInt8 = 0x80
        var secondHigh: UInt8 = 0xbf
        switch lead {
        case 0xc2...0xdf:
            length = 2
            value = UInt32(lead & 0x1f)
        case 0xe0:
            length = 3
            value = 0
            secondLow = 0xa0
        case 0xe1...0xec, 0xee...0xef:
            length = 3
            value = UInt32(lead & 0x0f)
        case 0xed:
            length = 3
            value = 0xd
            secondHigh = 0x9f
        case 0xf0:
            length = 4
            value = 0
            secondLow = 0x90
        case 0xf1...0xf3:
            length = 4
            value = UInt32(lead & 0x07)
        case 0xf4:
            length = 4
            value = 4
            secondHigh = 0x8f
        default: return .invalid(length: 1)
        }
        var position = 1
        while position < length {
            guard index + position < bytes.count else { return .invalid(length: position) }
            let continuation = bytes[index + position]
            let low: UInt8 = position == 1 ? secondLow : 0x80
            let high: UInt8 = position == 1 ? secondHigh : 0xbf
            guard continuation >= low && continuation <= high else { return .invalid(length: position) }
            value = value << 6 | UInt32(continuation & 0x3f)
            position += 1
        }
        return .scalar(value, length: length)
    }

    /// Whether `bytes` is entirely valid UTF-8.
    static func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        while index < bytes.count {
            index = ByteScanning.asciiRun(bytes, from: index)
            guard index < bytes.count else { break }
            guard case .scalar(_, let length) = step(bytes, at: index) else { return false }
            index += length
        }
        return true
    }
}
