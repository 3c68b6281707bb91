/// What is known of a compressed message that refers back to a compression history the
/// capture never saw (it began mid-stream, or a gap lost bytes): the bytes copied from
/// that history are unknown, the rest (literals, copies of seen bytes) exact.
package struct WebSocketRecovery: Sendable, Equatable {
    /// Known byte ranges listed at most (a message alternating known and unknown bytes
    /// would otherwise grow the list with its length).
    package static let maxKnownRanges = 256

    /// Byte ranges of the inflated message known exactly, in order, half-open.
    package var known: [Range<UInt64>] = []
    /// More known ranges than `maxKnownRanges`: bytes after the last listed range are
    /// counted in `recovered` but shown as unknown.
    package var knownTruncated = false
    /// Bytes known exactly (all of them, listed or not).
    package var recovered: UInt64 = 0

    package init() {}

    /// Records that `range` of the message is known, merging it with the last range.
    package mutating func addKnown(_ range: Range<UInt64>) {
        guard !range.isEmpty else { return }
        recovered += UInt64(range.count)
        if let last = known.last, last.upperBound == range.lowerBound {
            known[known.count - 1] = last.lowerBound..<range.upperBound
        } else if known.count < Self.maxKnownRanges {
            known.append(range)
        } else {
            knownTruncated = true
        }
    }

    /// The placeholder shown for an unknown byte: U+00B7 MIDDLE DOT.
    package static let unknownMark: [UInt8] = [0xc2, 0xb7]

    /// `kept` (the message's first bytes) with every unknown byte replaced by `·`.
    package func display(_ kept: [UInt8]) -> [UInt8] {
        var shown: [UInt8] = []
        shown.reserveCapacity(kept.count)
        var position = 0
        for range in known {
            guard position < kept.count else { break }
            let start = min(Int(clamping: range.lowerBound), kept.count)
            let end = min(Int(clamping: range.upperBound), kept.count)
            while position < start {
                shown.append(contentsOf: Self.unknownMark)
                position += 1
            }
            shown.append(contentsOf: kept[start..<end])
            position = end
        }
        while position < kept.count {
            shown.append(contentsOf: Self.unknownMark)
            position += 1
        }
        return shown
    }
}
