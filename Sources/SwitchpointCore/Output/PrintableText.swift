/// Whether bytes marked binary read as text (an SSH banner, JSON inside a binary frame): then
/// the printers show them as escaped text rather than hex.
enum PrintableText {
    /// At least this share of the bytes is printable (ASCII, tab, CR, LF, valid UTF-8).
    static let printableShareNeeded = 0.9
    /// Fewer bytes than this are shown as hex: too few to tell text from chance.
    static let minimumBytes = 4

    /// Bytes looked at: a preview's start decides (the per-message path stays short).
    static let scanLimit = 64

    /// Stops at the first non-printable byte past the allowed share, so binary (where most
    /// bytes are not printable) is told after a few bytes.
    static func isMostlyPrintable(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= minimumBytes else { return false }
        let limit = min(bytes.count, scanLimit)
        let allowed = limit - Int((Double(limit) * printableShareNeeded).rounded(.up))
        var unprintable = 0
        var index = 0
        while index < limit {
            let byte = bytes[index]
            if byte < 0x80 {
                if !((0x20..<0x7f).contains(byte) || byte == 0x09 || byte == 0x0a || byte == 0x0d) {
                    unprintable += 1
                    if unprintable > allowed { return false }
                }
                index += 1
                continue
            }
            switch UTF8Scanner.step(bytes, at: index) {
            case .scalar(_, let length):
                index += length
            case .invalid:
                unprintable += 1
                if unprintable > allowed { return false }
                index += 1
            }
        }
        return true
    }

    /// A preview cut inside a character loses that character, not the whole text.
    static func trimmedToCharacter(_ shown: UnsafeRawBufferPointer, cut: Bool) -> UnsafeRawBufferPointer {
        guard cut, !UTF8Scanner.isValid(shown) else { return shown }
        let shorter = UnsafeRawBufferPointer(rebasing: shown[..<max(0, shown.count - 3)])
        return UTF8Scanner.isValid(shorter) ? shorter : shown
    }
}
