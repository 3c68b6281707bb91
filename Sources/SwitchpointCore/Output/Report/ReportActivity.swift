/// When bytes moved on one connection: merged spans of frame and message times with the
/// bytes they carried, so the sequence diagram collapses as idle only the stretches in
/// which nothing moved (its own items are too sparse to tell: an HTTP/2 connection draws
/// its SETTINGS and its close, with 300 KB of DATA between them).
package struct ReportActivity: Sendable {
    package struct Span: Sendable, Equatable {
        package var start: Int64
        package var end: Int64
        package var bytes: UInt64
    }

    /// What moved strictly inside an interval.
    package struct Moved: Sendable, Equatable {
        package var bytes: UInt64
        /// False when a span reaching outside the interval was counted whole.
        package var exact: Bool
    }

    /// Spans kept per connection: past it, the closest neighbours merge (the long idle
    /// gaps, the ones that matter, survive).
    package static let maxSpans = 1024

    package private(set) var spans: [Span] = []
    /// Times this close to the last span extend it (grows as spans are merged).
    private var mergeNanoseconds: Int64 = 0

    package init() {}

    /// Bytes seen at `time` (a frame, a message, a body's end).
    package mutating func note(_ time: Int64, bytes: UInt64) {
        note(from: time, to: time, bytes: bytes)
    }

    /// Bytes that moved between two times (an HTTP/1.x body from its head to its end).
    package mutating func note(from start: Int64, to end: Int64, bytes: UInt64) {
        let end = max(start, end)
        if let last = spans.last, start >= last.start, start &- last.end <= mergeNanoseconds {
            spans[spans.count - 1].end = max(last.end, end)
            spans[spans.count - 1].bytes &+= bytes
            return
        }
        if let last = spans.last, start < last.start {
            // Events come in time order; a body noted from its head may reach back: fold it
            // into the last span rather than keep spans out of order.
            spans[spans.count - 1].start = start
            spans[spans.count - 1].end = max(last.end, end)
            spans[spans.count - 1].bytes &+= bytes
            while spans.count >= 2, spans[spans.count - 2].end >= spans[spans.count - 1].start {
                let folded = spans.removeLast()
                spans[spans.count - 1].start = min(spans[spans.count - 1].start, folded.start)
                spans[spans.count - 1].end = max(spans[spans.count - 1].end, folded.end)
                spans[spans.count - 1].bytes &+= folded.bytes
            }
            return
        }
        spans.append(Span(start: start, end: end, bytes: bytes))
        if spans.count > Self.maxSpans { coarsen() }
    }

    /// What moved strictly between `start` and `end`, nil when nothing did.
    package func moved(after start: Int64, before end: Int64) -> Moved? {
        guard start < end else { return nil }
        // The first span that ends after `start` (spans are in order and disjoint).
        var low = 0
        var high = spans.count
        while low < high {
            let middle = (low + high) / 2
            if spans[middle].end <= start { low = middle + 1 } else { high = middle }
        }
        var moved = Moved(bytes: 0, exact: true)
        var found = false
        var index = low
        while index < spans.count, spans[index].start < end {
            let span = spans[index]
            found = true
            moved.bytes &+= span.bytes
            if span.start <= start || span.end >= end { moved.exact = false }
            index += 1
        }
        return found ? moved : nil
    }

    /// Halves the spans: merges each one into its predecessor when the gap between them is
    /// at most the median gap.
    private mutating func coarsen() {
        var gaps: [Int64] = []
        gaps.reserveCapacity(spans.count)
        for index in spans.indices.dropFirst() { gaps.append(spans[index].start &- spans[index - 1].end) }
        let median = gaps.sorted()[gaps.count / 2]
        var merged: [Span] = []
        merged.reserveCapacity(spans.count / 2 + 1)
        for span in spans {
            if let last = merged.last, span.start &- last.end <= median {
                merged[merged.count - 1].end = max(last.end, span.end)
                merged[merged.count - 1].bytes &+= span.bytes
            } else {
                merged.append(span)
            }
        }
        spans = merged
        mergeNanoseconds = max(mergeNanoseconds, median)
    }
}
