#if canImport(Glibc)
    import Glibc
#endif

/// `switchpoint merge`: the JSON lines of several `--shard I/N` runs (or any switchpoint
/// `--json` timelines) as one time-ordered stream and one summary.
///
/// Input is cut into segments, each a run's event lines ended by its summary line (so the
/// outputs of several runs may arrive concatenated on one pipe, as GNU parallel writes
/// them). Events go out by timestamp, ties by shard index, each segment's own order kept;
/// connections are renumbered 1, 2, … in the order they first appear (stable: the same
/// inputs always give the same numbers, and one run's numbers when connection openings
/// have distinct timestamps). The summary's counts are added up; a missing or repeated
/// shard is an error, not a silently smaller total.
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
        /// `I/N` from the summary's `shard` field.
        var shard: ShardSelector?
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
        let order = try Self.shardOrder(found)
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
                if line.starts(with: summaryPrefix) {
                    guard let summary = JSONTopLevelFields(line) else {
                        throw MergeError(
                            description: "\(input.name) line \(lineNumber): the summary line is not a JSON object")
                    }
                    var shard: ShardSelector?
                    if let value = summary.value(SummaryKey.shard) {
                        guard value.count > 2,
                            let parsed = ShardSelector(String(decoding: value.dropFirst().dropLast(), as: UTF8.self))
                        else {
                            throw MergeError(description: "\(input.name) line \(lineNumber): shard is not \"I/N\"")
                        }
                        shard = parsed
                    }
                    result.append(Segment(input: number, lines: lines, summary: summary, shard: shard))
                    lines = []
                } else {
                    guard parseEvent(line, base: start) != nil, JSONFieldReader(line).valueEnd(0) == line.count else {
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

    /// Order of each segment among equal timestamps: its shard index, then (runs without
    /// `--shard`) after every shard in input order. Shards must be complete and distinct.
    static func shardOrder(_ segments: [Segment]) throws(MergeError) -> [Int] {
        let sharded = segments.compactMap(\.shard)
        guard let first = sharded.first else { return Array(segments.indices) }
        guard sharded.allSatisfy({ $0.count == first.count }) else {
            throw MergeError(
                description: "the inputs come from different shard counts: \(Set(sharded.map(\.count)).sorted())")
        }
        let indices = sharded.map(\.index)
        let repeated = Dictionary(grouping: indices, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
        guard repeated.isEmpty else {
            throw MergeError(
                description:
                    "shard \(repeated.map { "\($0)/\(first.count)" }.joined(separator: ", ")) given more than once")
        }
        let missing = Set(0..<first.count).subtracting(indices).sorted()
        guard missing.isEmpty else {
            throw MergeError(
                description:
                    "shard \(missing.map { "\($0)/\(first.count)" }.joined(separator: ", ")) missing: the merge would be incomplete"
            )
        }
        return segments.enumerated().map { $0.element.shard?.index ?? first.count + $0.offset }
    }

    /// One summary line from all: numbers added up, count objects added per key, lists
    /// joined without repeats (every shard reports the same input problem), other values
    /// from the first; fields in the first summary's order, the shard field dropped.
    static func mergedSummary(_ summaries: [JSONTopLevelFields]) throws(MergeError) -> String {
        var keys: [String] = []
        for summary in summaries {
            for field in summary.fields where field.key != SummaryKey.shard && !keys.contains(field.key) {
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
