/// Cuts a key log read in chunks into lines (LF or CRLF), numbered from 1, a line cut by a
/// chunk's end carried to the next. A line longer than `TLSKeyLog.maxLineBytes` is handed
/// on cut at that length (it is malformed anyway), so nothing grows without bound.
struct TLSKeyLogLineReader {
    private var pending: [UInt8] = []
    private var number = 0
    /// The pending line was cut at the limit: its rest is skipped up to its line end.
    private var skippingRest = false

    var pendingCount: Int { pending.count }

    mutating func feed(_ bytes: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer, Int) -> Void) {
        var start = 0
        while start < bytes.count {
            guard let end = bytes[start...].firstIndex(of: 0x0a) else {
                keep(UnsafeRawBufferPointer(rebasing: bytes[start...]), body)
                return
            }
            let piece = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
            start = end + 1
            if skippingRest {
                skippingRest = false
                pending.removeAll(keepingCapacity: true)
                continue
            }
            number += 1
            if pending.isEmpty {
                // Cut here too, as when the line spans chunks: where a file's chunks end
                // must not change what a line says.
                body(UnsafeRawBufferPointer(rebasing: piece.prefix(TLSKeyLog.maxLineBytes)), number)
            } else {
                pending.append(contentsOf: piece.prefix(TLSKeyLog.maxLineBytes - pending.count))
                pending.withUnsafeBytes { body($0, number) }
                pending.removeAll(keepingCapacity: true)
            }
        }
    }

    /// The last line when the input ends without a line end.
    mutating func finish(_ body: (UnsafeRawBufferPointer, Int) -> Void) {
        guard !pending.isEmpty, !skippingRest else { return }
        number += 1
        pending.withUnsafeBytes { body($0, number) }
        pending.removeAll()
    }

    private mutating func keep(_ piece: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer, Int) -> Void) {
        guard !skippingRest else { return }
        pending.append(contentsOf: piece.prefix(TLSKeyLog.maxLineBytes - pending.count))
        if pending.count >= TLSKeyLog.maxLineBytes {
            number += 1
            pending.withUnsafeBytes { body($0, number) }
            pending.removeAll(keepingCapacity: true)
            skippingRest = true
        }
    }
}
