import Foundation

@testable import SwitchpointCore

/// JSON timeline lines with connection numbers replaced by what the connection is (its
/// endpoints and opening time), so two runs that number connections differently (fanout
/// workers, merged shards) compare as the same events.
struct CanonicalTimeline: Equatable {
    /// Every event line, canonical, sorted (the multiset of events).
    var sortedLines: [String]
    /// Each connection's event lines in the order printed.
    var connections: [String: [String]]
    /// How many `conn.open` lines each connection had.
    var openings: [String: Int]
    var summary: String?

    init(lines: [String]) {
        var names: [Int: String] = [:]
        var events: [(connection: Int, line: String)] = []
        var summary: String?
        var openings: [String: Int] = [:]
        for line in lines where !line.isEmpty {
            guard
                let event = line.withCString({
                    ShardMerge.parseEvent(UnsafeRawBufferPointer(start: $0, count: line.utf8.count), base: 0)
                })
            else {
                summary = line
                continue
            }
            if line.contains(#""type":"conn.open""#),
                let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            {
                let name = "\(object["client"] ?? "?")>\(object["server"] ?? "?")@\(object["ts"] ?? "?")"
                names[event.connection] = name
                openings[name, default: 0] += 1
            }
            events.append((event.connection, line))
        }
        var connections: [String: [String]] = [:]
        var all: [String] = []
        for (connection, line) in events {
            let name = names[connection] ?? "unopened-\(connection)"
            let bytes = Array(line.utf8)
            let digits =
                line.withCString { pointer in
                    ShardMerge.parseEvent(UnsafeRawBufferPointer(start: pointer, count: bytes.count), base: 0)?
                        .connectionDigits
                } ?? 0..<0
            let canonical =
                String(decoding: bytes[..<digits.lowerBound], as: UTF8.self) + "\"" + name + "\""
                + String(decoding: bytes[digits.upperBound...], as: UTF8.self)
            connections[name, default: []].append(canonical)
            all.append(canonical)
        }
        sortedLines = all.sorted()
        self.connections = connections
        self.openings = openings
        self.summary = summary
    }
}
