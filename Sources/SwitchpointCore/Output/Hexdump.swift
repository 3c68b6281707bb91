/// The classic hexdump layout (`hexdump -C`, `xxd`, `tcpdump -X`): 16 bytes a line, the
/// offset, the bytes in hex in two groups of eight, and the printable ones on the right
/// (`.` for the rest, so nothing from the wire reaches the terminal raw).
enum Hexdump {
    static let bytesPerLine = 16
    static let groupBytes = 8
    /// Lines shown before the rest is summarized (a payload kept whole can be megabytes).
    static let maxLines = 4096

    /// Valid UTF-8 without control characters other than tab, CR and LF: shown as text.
    static func looksLikeText(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            for byte in raw where byte < 0x20 && byte != 0x09 && byte != 0x0a && byte != 0x0d || byte == 0x7f {
                return false
            }
            return UTF8Scanner.isValid(raw)
        }
    }
}

extension OutputBuffer {
    /// `bytes` as hexdump lines, each after `indent` and ended by a newline.
    func append(hexdump bytes: UnsafeRawBufferPointer, indent: StaticString) {
        let shownBytes = min(bytes.count, Hexdump.maxLines * Hexdump.bytesPerLine)
        var lineStart = 0
        while lineStart < shownBytes {
            let lineEnd = min(lineStart + Hexdump.bytesPerLine, shownBytes)
            append(indent)
            append(hexOffset: lineStart)
            append("  ")
            for column in 0..<Hexdump.bytesPerLine {
                if column == Hexdump.groupBytes { append(UInt8(ascii: " ")) }
                let index = lineStart + column
                if index < lineEnd {
                    append(hexByte: bytes[index])
                    append(UInt8(ascii: " "))
                } else {
                    append("   ")
                }
            }
            append(" |")
            for index in lineStart..<lineEnd {
                let byte = bytes[index]
                append(byte >= 0x20 && byte < 0x7f ? byte : UInt8(ascii: "."))
            }
            append(UInt8(ascii: "|"))
            append(0x0a)
            lineStart = lineEnd
        }
        if bytes.count > shownBytes {
            append(indent)
            append("… ")
            append(decimal: bytes.count - shownBytes)
            append(" more bytes")
            append(0x0a)
        }
    }

    /// `bytes` as tcpdump -A prints a payload: printable ASCII, tab and space as they are,
    /// a line break at each LF (a CR before it dropped), `.` for every other byte; each line
    /// after `indent`. As many bytes as a hexdump shows at most.
    func append(asciiDump bytes: UnsafeRawBufferPointer, indent: StaticString) {
        let shownBytes = min(bytes.count, Hexdump.maxLines * Hexdump.bytesPerLine)
        var lineOpen = false
        for index in 0..<shownBytes {
            let byte = bytes[index]
            if !lineOpen {
                append(indent)
                lineOpen = true
            }
            if byte == 0x0a {
                append(0x0a)
                lineOpen = false
            } else if byte == 0x0d && index + 1 < shownBytes && bytes[index + 1] == 0x0a {
                continue
            } else {
                append(byte == 0x09 || (byte >= 0x20 && byte < 0x7f) ? byte : UInt8(ascii: "."))
            }
        }
        if lineOpen { append(0x0a) }
        if bytes.count > shownBytes {
            append(indent)
            append("… ")
            append(decimal: bytes.count - shownBytes)
            append(" more bytes")
            append(0x0a)
        }
    }

    /// Eight hex digits.
    private func append(hexOffset value: Int) {
        var shift = 28
        while shift >= 0 {
            append(Self.hexDigit(UInt8((value >> shift) & 0xf)))
            shift -= 4
        }
    }
}
