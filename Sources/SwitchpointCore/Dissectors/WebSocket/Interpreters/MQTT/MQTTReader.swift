/// Reads one MQTT packet's fields in order; every read checks the length first and
/// returns nil past the end (a malformed packet, or one held only in part).
package struct MQTTReader {
    package let bytes: UnsafeRawBufferPointer
    package private(set) var index = 0

    package init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    package var remaining: Int { bytes.count - index }
    package var atEnd: Bool { index >= bytes.count }

    package mutating func byte() -> UInt8? {
        guard index < bytes.count else { return nil }
        defer { index += 1 }
        return bytes[index]
    }

    package mutating func uint16() -> UInt16? {
        guard remaining >= 2 else { return nil }
        defer { index += 2 }
        return UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1])
    }

    /// A length-prefixed field's bytes.
    package mutating func field() -> UnsafeRawBufferPointer? {
        guard let length = uint16(), remaining >= Int(length) else { return nil }
        defer { index += Int(length) }
        return UnsafeRawBufferPointer(rebasing: bytes[index..<(index + Int(length))])
    }

    package mutating func string() -> String? {
        field().map { String(decoding: $0, as: UTF8.self) }
    }

    /// A variable byte integer (§1.5.5 / §2.2.3): at most four bytes.
    package mutating func variableInteger() -> Int? {
        var value = 0
        for shift in stride(from: 0, to: 28, by: 7) {
            guard let byte = byte() else { return nil }
            value |= Int(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
        }
        return nil
    }

    /// Skips MQTT 5.0 properties (their length, then that many bytes).
    package mutating func skipProperties() -> Bool {
        guard let length = variableInteger(), remaining >= length else { return false }
        index += length
        return true
    }

    /// The rest of the packet.
    package mutating func rest() -> UnsafeRawBufferPointer {
        defer { index = bytes.count }
        return UnsafeRawBufferPointer(rebasing: bytes[min(index, bytes.count)...])
    }
}
