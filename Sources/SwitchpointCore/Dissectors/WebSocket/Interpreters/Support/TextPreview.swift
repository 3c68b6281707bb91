/// Short text previews of wire bytes for events: at most
/// `WebSocketInterpreterLimits.maxPreviewBytes` bytes, cut on a character boundary, raw
/// (invalid UTF-8 repaired, nothing escaped: printers escape).
package enum TextPreview {
    package static func of(
        _ bytes: UnsafeRawBufferPointer, limit: Int = WebSocketInterpreterLimits.maxPreviewBytes
    )
        -> String
    {
        var end = min(bytes.count, limit)
        if end < bytes.count {
            // Back off to the start of a UTF-8 sequence so no character is cut in half.
            while end > 0, bytes[end] & 0xC0 == 0x80 { end -= 1 }
        }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[0..<end]), as: UTF8.self)
    }

    package static func of(
        _ bytes: ArraySlice<UInt8>, limit: Int = WebSocketInterpreterLimits.maxPreviewBytes
    )
        -> String
    {
        bytes.withUnsafeBytes { of($0, limit: limit) }
    }

    /// Whether the bytes read as text (UTF-8 with no control characters but tab and line ends).
    package static func isText(_ bytes: UnsafeRawBufferPointer) -> Bool {
        for byte in bytes where byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D { return false }
        return String(validating: bytes, as: UTF8.self) != nil
    }
}
