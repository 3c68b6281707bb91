#if canImport(Glibc)
    import Glibc
#endif

/// `switchpoint merge`: the JSON lines of the `--shard I/N` runs over one capture as one
/// time-ordered stream and one summary.
///
/// Input is cut into segments, each a run's event lines ended by its summary line (so the
/// outputs of several runs may arrive concatenated on one pipe, as GNU parallel writes
/// them). Events go out by timestamp, ties by shard index, each segment's own order kept;
/// connections are renumbered 1, 2, … in the order they first appear (stable: the same
/// inputs always give the same numbers, and one run's numbers when connection openings
/// have distinct timestamps). The summary's counts are added up. The shards must belong
/// together, or nothing is written: every summary names its shard and its capture
/// (`CaptureIdentity`), all of one capture and one count N, each of 0..<N exactly once.
package struct ShardMerge {
    package struct Input {
        package var name: String
        package var bytes: UnsafeRawBufferPointer

        package init(name: String, bytes: UnsafeRawBufferPointer) {
            self.name = name
            self.bytes = bytes
        }
    }

    package struct MergeError: Error, CustomStringConvertible {
        package var description: String
    }

    /// One run's output: its event lines (byte ranges into the input) and its summary.
    struct Segment {
        var input: Int
        var lines: [Range<Int>]
        var summary: JSONTopLevelFields
        /// The summary's line number in its input.
        var summaryLine: Int
        /// `I/N` from the summary's `shard` field.
        var shard: ShardSelector?
        /// The summary's `capture` field (`CaptureIdentity.text`, quoted).
        var capture: [UInt8]?
        /// The summary's `fanout_group` field: a live run sharing a kernel fanout group.
        var fanoutGroup: [UInt8]?
    }

    /// An event line, the parts merge needs: its time and where its connection number is.
    struct EventLine {
        var microseconds: Int64
        var connection: Int
        var connectionDigits: Range<Int>
    }

    /// Key names of the summary: the field added by `--shard` and the ones merged specially.
    enum SummaryKey {
        static let shard = "shard"
        static let capture = "capture"
        static let fanoutGroup = "fanout_group"
        static let type = "type"
    }

    package private(set) var eventsWritten = 0
    package private(set) var segments = 0

    package init() {}

    /// Merges `inputs` into `writer`: events, then the summary line.
    package mutating func merge(_ inputs: [Input], into writer: LineWriter) throws(MergeError) {
        var found: [Segment] = []
        for (number, input) in inputs.enumerated() {
            found += try Self.segments(of: input, number: number)
        }
        segments = found.count
        guard !found.isEmpty else { throw MergeError(description: "no summary line in the input: nothing to merge") }
        // Before any line goes out: a summary that cannot be added up stops the merge.
        let summary = try Self.mergedSummary(found.map(\.summary))
        let order = try Self.shardOrder(found, inputs: inputs)
        var cursors = [Int](repeating: 0, count: found.count)
        var heads: [EventLine?] = try found.indices.map { index throws(MergeError) in
            try Self.head(found[index], at: 0, inputs: inputs)
        }
        var numbers: [Int64: Int] = [:]
        var nextNumber = 1
        let out = writer.out
        while true {
            var best: Int?
            for index in heads.indices {
                guard let head = heads[index] else { continue }
                if let current = best, let chosen = heads[current] {
                    if (head.microseconds, order[index]) < (chosen.microseconds, order[current]) { best = index }
                } else {
                    best = index
                }
            }
            guard let index = best, let head = heads[index] else { break }
            let segment = found[index]
            let range = segment.lines[cursors[index]]
            let key = Int64(order[index]) << 40 | Int64(head.connection)
            let number: Int
            if let known = numbers[key] {
                number = known
            } else {
                number = nextNumber
                numbers[key] = number
                nextNumber += 1
            }
            let bytes = inputs[segment.input].bytes
            // A connection's close is its last line: its entry goes (memory stays with the
            // connections open at once, not all connections ever merged).
            let rest = UnsafeRawBufferPointer(rebasing: bytes[head.connectionDigits.upperBound..<range.upperBound])
            if rest.starts(with: Self.closeTypeKey) { numbers[key] = nil }
            out.append(UnsafeRawBufferPointer(rebasing: bytes[range.lowerBound..<head.connectionDigits.lowerBound]))
            out.append(decimal: number)
            out.append(UnsafeRawBufferPointer(rebasing: bytes[head.connectionDigits.upperBound..<range.upperBound]))
            writer.endLine()
            eventsWritten += 1
            cursors[index] += 1
            heads[index] = try Self.head(segment, at: cursors[index], inputs: inputs)
        }
        writer.write(line: summary)
        writer.flush()
    }

    /// Cuts one input into segments at its summary lines.
    static func segments(of input: Input, number: Int) throws(MergeError) -> [Segment] {
        var result: [Segment] = []
        var lines: [Range<Int>] = []
        let bytes = input.bytes
        var start = 0
        var lineNumber = 0
        while start < bytes.count {
            var end = bytes.count
            if let base = bytes.baseAddress, let newline = memchr(base + start, 0x0a, bytes.count - start) {
                end = base.distance(to: UnsafeRawPointer(newline))
            }
            lineNumber += 1
            let line = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
            if !line.isEmpty {
                // Lines are copied to the output as they are: one with a character
                // switchpoint's JSON always escapes did not come from it, and could drive
                // the terminal of whoever reads the merged stream.
                if let offset = firstUnescapedControl(line) {
                    throw MergeError(
                        description:
                            "\(input.name) line \(lineNumber): an unescaped control character at byte \(offset + 1) (switchpoint's JSON escapes them)"
                    )
                }
                if line.starts(with: summaryPrefix) {
                    result.append(try summarySegment(line, of: input, number: number, line: lineNumber, events: lines))
                    lines = []
                } else {
                    guard parseEvent(line, base: start) != nil, JSONSyntax.isWholeObject(line) else {
                        throw MergeError(
                            description:
                                "\(input.name) line \(lineNumber): not a switchpoint --json timeline line (a whole JSON object)"
                        )
                    }
                    lines.append(start..<end)
                }
            }
            start = end + 1
        }
        if !lines.isEmpty {
            throw MergeError(
                description:
                    "\(input.name): \(lines.count) event lines after the last summary line (a run that did not finish?)"
            )
        }
        return result
    }

    /// A run's segment ended by the summary `line`: its shard and capture read and checked
    /// for form (whether the runs belong together is `shardOrder`'s question).
    static func summarySegment(
        _ line: UnsafeRawBufferPointer, of input: Input, number: Int, line lineNumber: Int, events: [Range<Int>]
    ) throws(MergeError) -> Segment {
        // Whole, as an event line must be: what merge does not add up it copies out.
        guard JSONSyntax.isWholeObject(line), let summary = JSONTopLevelFields(line) else {
            throw MergeError(description: "\(input.name) line \(lineNumber): the summary line is not a JSON object")
        }
        var shard: ShardSelector?
        if let value = summary.value(SummaryKey.shard) {
            guard value.count > 2, value.first == UInt8(ascii: "\""), value.last == UInt8(ascii: "\""),
                let parsed = ShardSelector(String(decoding: value.dropFirst().dropLast(), as: UTF8.self))
            else {
                throw MergeError(description: "\(input.name) line \(lineNumber): shard is not \"I/N\"")
            }
            shard = parsed
        }
        let capture = summary.value(SummaryKey.capture)
        if let capture, !CaptureIdentity.isWellFormed(json: capture) {
            throw MergeError(
                description: "\(input.name) line \(lineNumber): capture is not \(CaptureIdentity.textLength) hex digits"
            )
        }
        return Segment(
            input: number, lines: events, summary: summary, summaryLine: lineNumber, shard: shard, capture: capture,
            fanoutGroup: summary.value(SummaryKey.fanoutGroup))
    }

    /// The offset of the first character `JSONEscaping.standard` always escapes (C0 and
    /// C1 controls, DEL, U+2028, U+2029) written raw in `line`, or nil.
    static func firstUnescapedControl(_ line: UnsafeRawBufferPointer) -> Int? {
        var index = 0
        let count = line.count
        while index < count {
            let byte = line[index]
            if byte < 0x20 || byte == 0x7f { return index }
            if byte == 0xc2, index + 1 < count, (0x80...0x9f).contains(line[index + 1]) { return index }
            if byte == 0xe2, index + 2 < count, line[index + 1] == 0x80,
                line[index + 2] == 0xa8 || line[index + 2] == 0xa9
            {
                return index
            }
            index += 1
        }
        return nil
    }

    static let summaryPrefix: [UInt8] = Array(#"{"type":"summary""#.utf8)
    static let timestampPrefix: [UInt8] = Array(#"{"ts":"#.utf8)
    static let connectionKey: [UInt8] = Array(#","conn":"#.utf8)
    static let closeTypeKey: [UInt8] = Array(#","type":"conn.close""#.utf8)

    /// The segment's event at `position`, parsed; nil past its end.
    static func head(_ segment: Segment, at position: Int, inputs: [Input]) throws(MergeError) -> EventLine? {
        guard position < segment.lines.count else { return nil }
        let range = segment.lines[position]
        let bytes = inputs[segment.input].bytes
        guard let event = parseEvent(UnsafeRawBufferPointer(rebasing: bytes[range]), base: range.lowerBound) else {
            throw MergeError(description: "\(inputs[segment.input].name): a line changed while merging")
        }
        return event
    }

    /// `{"ts":SECONDS.MICROS,"conn":N,…`: the shape every timeline line starts with
    /// (docs/json.md). `base` is the line's offset in its input.
    static func parseEvent(_ line: UnsafeRawBufferPointer, base: Int) -> EventLine? {
        guard line.starts(with: timestampPrefix) else { return nil }
        var index = timestampPrefix.count
        var negative = false
        if index < line.count, line[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        var seconds: Int64 = 0
        var digits = 0
        while index < line.count, let digit = decimalDigit(line[index]) {
            guard digits < maxTimestampDigits else { return nil }
            seconds = seconds * 10 + digit
            digits += 1
            index += 1
        }
        guard digits > 0 else { return nil }
        var micros: Int64 = 0
        var fractionDigits = 0
        if index < line.count, line[index] == UInt8(ascii: ".") {
            index += 1
            while index < line.count, let digit = decimalDigit(line[index]) {
                if fractionDigits < 6 { micros = micros * 10 + digit }
                fractionDigits += 1
                index += 1
            }
        }
        for _ in min(fractionDigits, 6)..<6 { micros *= 10 }
        let total = (seconds * 1_000_000 + micros) * (negative ? -1 : 1)
        guard line.count - index > connectionKey.count,
            UnsafeRawBufferPointer(rebasing: line[index..<(index + connectionKey.count)]).elementsEqual(connectionKey)
        else { return nil }
        index += connectionKey.count
        let digitsStart = index
        var connection = 0
        while index < line.count, let digit = decimalDigit(line[index]) {
            guard index - digitsStart < maxConnectionDigits else { return nil }
            connection = connection * 10 + Int(digit)
            index += 1
        }
        guard index > digitsStart else { return nil }
        return EventLine(
            microseconds: total, connection: connection, connectionDigits: (base + digitsStart)..<(base + index))
    }

    /// Bounds on the numbers read, so no line can overflow them.
    static let maxTimestampDigits = 12
    static let maxConnectionDigits = 12

    @inline(__always)
    static func decimalDigit(_ byte: UInt8) -> Int64? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int64(byte - UInt8(ascii: "0")) : nil
    }

    /// Order of each segment among equal timestamps: its shard index. The shards must
    /// belong together: each names its shard and capture, all one capture and one count N,
    /// each index once, none missing. Live runs of one `--fanout-group` (no shard, no
    /// capture to compare, no count to complete) merge in input order.
    static func shardOrder(_ segments: [Segment], inputs: [Input]) throws(MergeError) -> [Int] {
        func place(_ segment: Segment) -> String { "\(inputs[segment.input].name) line \(segment.summaryLine)" }
        if let first = segments.first, first.shard == nil, first.fanoutGroup != nil {
            return try fanoutOrder(segments, place: place)
        }
        var shards: [ShardSelector] = []
        for segment in segments {
            guard let shard = segment.shard else {
                throw MergeError(
                    description:
                        "\(place(segment)): the summary has no \"shard\": not a --shard run (merge joins the --shard I/N runs of one capture, or the live runs of one --fanout-group)"
                )
            }
            guard segment.capture != nil else {
                throw MergeError(
                    description:
                        "\(place(segment)): shard \(shard.index)/\(shard.count) names no capture (its summary has no \"capture\"), so it cannot be matched with the others"
                )
            }
            shards.append(shard)
        }
        guard let first = segments.first, let firstShard = shards.first else { return [] }
        var seen: [Int: Segment] = [:]
        for (segment, shard) in zip(segments, shards) {
            guard segment.capture == first.capture else {
                throw MergeError(
                    description:
                        "\(place(segment)): shard \(shard.index)/\(shard.count) is of capture \(text(segment.capture)), \(place(first)) of capture \(text(first.capture)): shards of different captures"
                )
            }
            guard shard.count == firstShard.count else {
                throw MergeError(
                    description:
                        "\(place(segment)): shard \(shard.index)/\(shard.count) is one of \(shard.count), \(place(first)) one of \(firstShard.count): different shard counts"
                )
            }
            if let earlier = seen[shard.index] {
                throw MergeError(
                    description:
                        "\(place(segment)): shard \(shard.index)/\(shard.count) given more than once (also \(place(earlier)))"
                )
            }
            seen[shard.index] = segment
        }
        let missing = (0..<firstShard.count).filter { seen[$0] == nil }
        guard missing.isEmpty else {
            let named = missing.prefix(Self.maxNamedShards).map { "\($0)/\(firstShard.count)" }
            throw MergeError(
                description:
                    "shard \(named.joined(separator: ", "))\(missing.count > named.count ? ", …" : "") missing: the merge would be incomplete (\(place(first)) is shard \(firstShard.index)/\(firstShard.count))"
            )
        }
        return shards.map(\.index)
    }

    /// Live runs that shared a kernel fanout group: all of the same group, none a shard.
    static func fanoutOrder(_ segments: [Segment], place: (Segment) -> String) throws(MergeError) -> [Int] {
        guard let first = segments.first else { return [] }
        for segment in segments where segment.shard != nil || segment.fanoutGroup != first.fanoutGroup {
            throw MergeError(
                description:
                    "\(place(segment)): not a run of the --fanout-group of \(place(first)): fanout runs merge only with runs of their own group"
            )
        }
        return Array(segments.indices)
    }

    /// Missing shards named in the message at most (N may be 4096).
    static let maxNamedShards = 16

    /// A summary's `capture` value without its quotes (checked to be hex digits).
    static func text(_ capture: [UInt8]?) -> String {
        capture.map { String(decoding: $0.dropFirst().dropLast(), as: UTF8.self) } ?? "none"
    }

    /// One summary line from all: numbers added up, count objects added per key, lists
    /// joined without repeats (every shard reports the same input problem), other values
    /// from the first; fields in the first summary's order, the shard, capture and fanout
    /// group fields dropped (the merged summary is one run's).
    static func mergedSummary(_ summaries: [JSONTopLevelFields]) throws(MergeError) -> String {
        var keys: [String] = []
        for summary in summaries {
            for field in summary.fields
            where ![SummaryKey.shard, SummaryKey.capture, SummaryKey.fanoutGroup].contains(field.key)
                && !keys.contains(field.key)
            {
                keys.append(field.key)
            }
        }
        var text = "{"
        for (position, key) in keys.enumerated() {
            let values = summaries.compactMap { $0.value(key) }
            if position > 0 { text += "," }
            text += "\"" + key + "\":"
            guard let merged = mergedValue(values) else {
                throw MergeError(
                    description:
                        "the summaries' \"\(key)\" values are not whole non-negative counts, or add up past \(Int.max)")
            }
            text += String(decoding: merged, as: UTF8.self)
        }
        return text + "}"
    }

    /// Nil when counts are negative or their sum overflows.
    static func mergedValue(_ values: [[UInt8]]) -> [UInt8]? {
        guard let first = values.first else { return Array("null".utf8) }
        if let numbers = integers(values) {
            var sum = 0
            for number in numbers {
                guard number >= 0 else { return nil }
                let (added, overflow) = sum.addingReportingOverflow(number)
                guard !overflow else { return nil }
                sum = added
            }
            return Array(String(sum).utf8)
        }
        // Every number in a summary is a count: one that is not a whole number is not ours.
        if values.contains(where: { $0.first.map { $0 == UInt8(ascii: "-") || (0x30...0x39).contains($0) } ?? false }) {
            return nil
        }
        if first.first == .openBrace {
            // Per key, merged the same way: counts add up, nested objects (the summary's
            // `messages` per protocol) too.
            var keyed: [String: [[UInt8]]] = [:]
            for value in values {
                guard let object = value.withUnsafeBytes({ JSONTopLevelFields($0) }) else { return first }
                for field in object.fields { keyed[field.key, default: []].append(field.value) }
            }
            var body: [String] = []
            for (key, values) in keyed.sorted(by: { $0.key < $1.key }) {
                guard let merged = mergedValue(values) else { return nil }
                body.append("\"\(key)\":" + String(decoding: merged, as: UTF8.self))
            }
            return Array(("{" + body.joined(separator: ",") + "}").utf8)
        }
        if first.first == .openBracket {
            var elements: [[UInt8]] = []
            for value in values {
                guard let items = JSONTopLevelFields.elements(ofArray: value) else { return first }
                for item in items where !elements.contains(item) { elements.append(item) }
            }
            return [.openBracket] + elements.joined(separator: [UInt8.comma]) + [.closeBracket]
        }
        return first
    }

    /// The values as integers, when every one is one.
    static func integers(_ values: [[UInt8]]) -> [Int]? {
        var result: [Int] = []
        for value in values {
            guard let number = Int(String(decoding: value, as: UTF8.self)) else { return nil }
            result.append(number)
        }
        return result
    }
}
