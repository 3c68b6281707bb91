/// Base64 (RFC 4648 §4) and base64url (§5) without Foundation, for handshake values
/// (Sec-WebSocket-Key/Accept, HTTP2-Settings). Decoding is strict about the alphabet.
package enum Base64 {
    private static let standardAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let urlAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    package static func encode(_ bytes: some Sequence<UInt8>, url: Bool = false, padding: Bool = true) -> String {
        let alphabet = url ? urlAlphabet : standardAlphabet
        let input = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity((input.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= input.count {
            let value = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
            for shift in [18, 12, 6, 0] { output.append(alphabet[Int(value >> UInt32(shift) & 0x3f)]) }
            index += 3
        }
        let rest = input.count - index
        if rest > 0 {
            var value = UInt32(input[index]) << 16
            if rest == 2 { value |= UInt32(input[index + 1]) << 8 }
            output.append(alphabet[Int(value >> 18 & 0x3f)])
            output.append(alphabet[Int(value >> 12 & 0x3f)])
            if rest == 2 { output.append(alphabet[Int(value >> 6 & 0x3f)]) }
            if padding { output.append(contentsOf: Array(repeating: UInt8(ascii: "="), count: 3 - rest)) }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes base64 or base64url (either alphabet), padding optional. Nil on any other
    /// character, data after padding, or an impossible length.
    package static func decode(_ text: some StringProtocol) -> [UInt8]? {
        String(text).withUTF8Bytes { decode(bytes: $0) }
    }

    /// The same for bytes as they came (a message body): one pass, no copy of the input.
    package static func decode(bytes text: UnsafeRawBufferPointer) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(text.count / 4 * 3 + 2)
        var accumulator: UInt32 = 0
        var bits = 0
        var sextets = 0
        var sawPadding = false
        for character in text {
            if character == UInt8(ascii: "=") {
                sawPadding = true
                continue
            }
            guard !sawPadding, let value = sextet(character) else { return nil }  // data after padding
            sextets += 1
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        return sextets % 4 == 1 ? nil : output
    }

    private static func sextet(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): character - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): character - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"), UInt8(ascii: "-"): 62
        case UInt8(ascii: "/"), UInt8(ascii: "_"): 63
        default: nil
        }
    }
}
