/// The receiving leg's messages of one direction, matched first come first served by
/// digest or length in O(1) each (queues per value, skipping what was taken).
struct MessageQueue {
    let messages: [ExchangeRecord.Message]
    private var taken: [Bool]
    private var byDigest: [UInt64: (indices: [Int], cursor: Int)] = [:]
    private var byLength: [UInt64: (indices: [Int], cursor: Int)] = [:]
    /// The first message not taken.
    private(set) var head = 0
    private(set) var remaining: Int

    init(_ messages: [ExchangeRecord.Message]) {
        self.messages = messages
        taken = Array(repeating: false, count: messages.count)
        remaining = messages.count
        for (index, message) in messages.enumerated() {
            byDigest[message.digest, default: ([], 0)].indices.append(index)
            byLength[message.length, default: ([], 0)].indices.append(index)
        }
    }

    mutating func first(digest: UInt64) -> Int? {
        guard var entry = byDigest[digest] else { return nil }
        while entry.cursor < entry.indices.count, taken[entry.indices[entry.cursor]] { entry.cursor += 1 }
        byDigest[digest] = entry
        return entry.cursor < entry.indices.count ? entry.indices[entry.cursor] : nil
    }

    mutating func first(length: UInt64) -> Int? {
        guard var entry = byLength[length] else { return nil }
        while entry.cursor < entry.indices.count, taken[entry.indices[entry.cursor]] { entry.cursor += 1 }
        byLength[length] = entry
        return entry.cursor < entry.indices.count ? entry.indices[entry.cursor] : nil
    }

    mutating func remove(_ index: Int) {
        guard !taken[index] else { return }
        taken[index] = true
        remaining -= 1
        while head < messages.count, taken[head] { head += 1 }
    }
}
