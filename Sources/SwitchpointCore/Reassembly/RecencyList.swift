/// A doubly linked list threaded through arrays (no per-node allocation, no reference
/// cycles): O(1) append, removal and move-to-back by handle. Reassembly keeps connections
/// in it by last activity, so eviction and idle expiry take from the front instead of
/// sorting or scanning the whole table.
struct RecencyList<Element> {
    /// A node's position; stable while the node is listed.
    typealias Handle = Int
    private static var none: Handle { -1 }

    private var elements: [Element?] = []
    private var previous: [Handle] = []
    private var next: [Handle] = []
    /// Slots of removed nodes, reused before the arrays grow.
    private var freeSlots: [Handle] = []
    private var head: Handle = RecencyList.none
    private var tail: Handle = RecencyList.none
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    /// The least recently appended or moved element.
    var first: Element? { head == Self.none ? nil : elements[head] }

    mutating func append(_ element: Element) -> Handle {
        let slot: Handle
        if let reused = freeSlots.popLast() {
            slot = reused
            elements[slot] = element
        } else {
            slot = elements.count
            elements.append(element)
            previous.append(Self.none)
            next.append(Self.none)
        }
        link(slot)
        count += 1
        return slot
    }

    mutating func remove(_ slot: Handle) {
        guard slot >= 0, slot < elements.count, elements[slot] != nil else { return }
        unlink(slot)
        elements[slot] = nil
        freeSlots.append(slot)
        count -= 1
    }

    mutating func moveToBack(_ slot: Handle) {
        guard slot != tail, slot >= 0, slot < elements.count, elements[slot] != nil else { return }
        unlink(slot)
        link(slot)
    }

    mutating func removeAll() {
        self = RecencyList()
    }

    private mutating func link(_ slot: Handle) {
        previous[slot] = tail
        next[slot] = Self.none
        if tail != Self.none { next[tail] = slot } else { head = slot }
        tail = slot
    }

    private mutating func unlink(_ slot: Handle) {
        let before = previous[slot]
        let after = next[slot]
        if before != Self.none { next[before] = after } else { head = after }
        if after != Self.none { previous[after] = before } else { tail = before }
        previous[slot] = Self.none
        next[slot] = Self.none
    }
}
