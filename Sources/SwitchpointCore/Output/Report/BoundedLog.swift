/// The first `headLimit` and the last `tailLimit` elements of a sequence of any length,
/// with the count of those dropped between them: constant memory for an endless stream.
package struct BoundedLog<Element> {
    package let headLimit: Int
    package let tailLimit: Int
    package private(set) var head: [Element] = []
    /// A ring once full: `tailStart` is the oldest element.
    private var tailRing: [Element] = []
    private var tailStart = 0
    /// Elements seen but kept in neither part.
    package private(set) var elided = 0
    package private(set) var total = 0

    package init(head: Int, tail: Int) {
        headLimit = max(0, head)
        tailLimit = max(0, tail)
    }

    package mutating func append(_ element: Element) {
        total += 1
        if head.count < headLimit {
            head.append(element)
            return
        }
        guard tailLimit > 0 else {
            elided += 1
            return
        }
        if tailRing.count < tailLimit {
            tailRing.append(element)
        } else {
            tailRing[tailStart] = element
            tailStart = (tailStart + 1) % tailLimit
            elided += 1
        }
    }

    /// Changes the element appended last, if it was kept.
    package mutating func updateLast(_ body: (inout Element) -> Void) {
        guard total > 0 else { return }
        if total <= headLimit {
            body(&head[head.count - 1])
        } else if !tailRing.isEmpty {
            let newest = tailRing.count < tailLimit ? tailRing.count - 1 : (tailStart + tailLimit - 1) % tailLimit
            body(&tailRing[newest])
        }
    }

    /// The kept tail, oldest first.
    package var tail: [Element] {
        Array(tailRing[tailStart...] + tailRing[..<tailStart])
    }

    /// Everything kept, in order (head then tail).
    package var kept: [Element] { head + tail }
}

extension BoundedLog: Sendable where Element: Sendable {}
