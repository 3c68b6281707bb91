/// The first `headLimit` and the last `tailLimit` elements of a sequence of any length,
/// with the count of those dropped between them: constant memory for an endless stream.
public struct BoundedLog<Element> {
    public let headLimit: Int
    public let tailLimit: Int
    public private(set) var head: [Element] = []
    /// A ring once full: `tailStart` is the oldest element.
    private var tailRing: [Element] = []
    private var tailStart = 0
    /// Elements seen but kept in neither part.
    public private(set) var elided = 0
    public private(set) var total = 0

    public init(head: Int, tail: Int) {
        headLimit = max(0, head)
        tailLimit = max(0, tail)
    }

    public mutating func append(_ element: Element) {
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

    /// The kept tail, oldest first.
    public var tail: [Element] {
        Array(tailRing[tailStart...] + tailRing[..<tailStart])
    }

    /// Everything kept, in order (head then tail).
    public var kept: [Element] { head + tail }
}

extension BoundedLog: Sendable where Element: Sendable {}
