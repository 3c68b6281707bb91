import NIOConcurrencyHelpers

#if canImport(Glibc)
    import Glibc
#endif

/// One worker's share of a file read by `FlowSplitReader`: a bounded queue of packets and
/// the time the reader had reached when it last handed some over.
final class FlowSplitLane: FanoutLane, @unchecked Sendable {
    let label: String
    /// Value: packets, a problem or the end are waiting.
    private let lock = ConditionLock(value: false)
    private var items: [QueuedPacket] = []
    private var head = 0
    private var queuedBytes = 0
    /// The last packet the reader had read at its last hand-over (to any lane).
    private var readUpTo = FanoutMergeKey.start
    private var problems: [CaptureError] = []
    private var ended = false
    private var taken = 0
    private var takenBytes = 0
    /// The reader moved on since `next` last said idle: an idle lane publishes the new time.
    private var timeMoved = false
    private let slot = PacketSlot()

    init(label: String) {
        self.label = label
    }

    /// Something for `next`: packets, a problem, the end or a later read time.
    private var hasNews: Bool { head < items.count || !problems.isEmpty || ended || timeMoved }

    /// From the reader: waits while the queue is full, then appends.
    func append(_ batch: [QueuedPacket], readUpTo: FanoutMergeKey, problem: CaptureError?, ended: Bool) {
        while true {
            lock.lock()
            if queuedBytes < FlowSplitReader.maxQueuedBytesPerLane || head == items.count { break }
            lock.unlock(withValue: hasNews)
            usleep(FlowSplitReader.waitForRoomMicroseconds)
        }
        items += batch
        queuedBytes += batch.reduce(0) { $0 + $1.bytes.count }
        if readUpTo > self.readUpTo {
            self.readUpTo = readUpTo
            timeMoved = true
        }
        if let problem { problems.append(problem) }
        if ended { self.ended = true }
        lock.unlock(withValue: hasNews)
    }

    func next() -> PacketReadOutcome {
        guard lock.lock(whenValue: true, timeoutSeconds: 0.1) else { return .idle }
        if head < items.count {
            let item = items[head]
            head += 1
            queuedBytes -= item.bytes.count
            taken += 1
            takenBytes += item.bytes.count
            if head > 1024 && head * 2 > items.count {
                items.removeFirst(head)
                head = 0
            }
            lock.unlock(withValue: hasNews)
            return .packet(slot.hand(item))
        }
        if !problems.isEmpty {
            let problem = problems.removeFirst()
            lock.unlock(withValue: hasNews)
            return .problem(problem)
        }
        let done = ended
        timeMoved = false
        lock.unlock(withValue: hasNews)
        return done ? .end : .idle
    }

    func idleWatermark() -> FanoutMergeKey {
        lock.lock()
        // Only an empty queue vouches for the reader's place: everything read is taken.
        let watermark = head == items.count ? readUpTo : FanoutMergeKey.start
        lock.unlock(withValue: hasNews)
        return watermark
    }

    func statistics() -> ThreadedCaptureSource.Statistics {
        lock.lock()
        let statistics = ThreadedCaptureSource.Statistics(
            captured: taken, capturedBytes: takenBytes, queueDrops: 0, kernelReceived: nil, kernelDrops: nil,
            interfaceDrops: nil)
        lock.unlock(withValue: hasNews)
        return statistics
    }
}
