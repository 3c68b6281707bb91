import Foundation
import NIOConcurrencyHelpers

/// `--workers N -r FILE`: the file read on one thread and its packets split between N
/// lanes by flow, as the kernel's `PACKET_FANOUT_HASH` splits live traffic, so that the
/// fanout run (and its merge by time) works on files exactly as it does live. Nothing is
/// dropped: a full lane makes the reader wait.
package final class FlowSplitReader: FanoutSources {
    /// Packets handed to the lanes at once (one lock per lane per batch, not per packet).
    static let batchPackets = 256
    /// A lane's queue at most; the reader waits for room beyond it.
    static let maxQueuedBytesPerLane = 16 << 20
    /// How long the reader sleeps while a lane is full.
    static let waitForRoomMicroseconds: UInt32 = 200

    private let source: PacketSource
    private let splitLanes: [FlowSplitLane]
    private let stopping = NIOLockedValueBox(false)
    private let finished = ConditionLock(value: false)
    package var lanes: [any FanoutLane] { splitLanes }

    package init(_ source: PacketSource, workers: Int) {
        self.source = source
        splitLanes = (0..<max(1, workers)).map { _ in FlowSplitLane(label: source.label) }
    }

    package func start() {
        let job = FlowSplitJob(source: source, lanes: splitLanes, stopping: stopping, finished: finished)
        let thread = Thread { job.run() }
        thread.name = "switchpoint splitter"
        thread.start()
    }

    package func stop() {
        stopping.withLockedValue { $0 = true }
    }

    package func stopAndWait() {
        stop()
        if finished.lock(whenValue: true, timeoutSeconds: 2) { finished.unlock() }
    }

    /// The lane of a flow: both directions alike, and the same lane in every run.
    static func lane(of packet: RawPacket, lanes: Int) -> Int {
        guard case .tcp(let segment) = PacketDecoder.decode(packet) else { return 0 }
        let key = FlowKey(segment.source, segment.destination)
        // FNV-1a over the key's words, unrolled: no array per packet.
        let prime: UInt64 = 0x0000_0100_0000_01b3
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        hash = (hash ^ key.lower.address.high) &* prime
        hash = (hash ^ key.lower.address.low) &* prime
        hash = (hash ^ key.upper.address.high) &* prime
        hash = (hash ^ key.upper.address.low) &* prime
        hash = (hash ^ (UInt64(key.lower.port) << 16 | UInt64(key.upper.port))) &* prime
        return Int(hash % UInt64(lanes))
    }
}

/// The reading thread: packets copied into per-lane batches, handed over with the time read.
private final class FlowSplitJob: @unchecked Sendable {
    let source: PacketSource
    let lanes: [FlowSplitLane]
    let stopping: NIOLockedValueBox<Bool>
    let finished: ConditionLock<Bool>
    var batches: [[QueuedPacket]]
    /// The last packet read.
    var readUpTo = FanoutMergeKey.start

    init(source: PacketSource, lanes: [FlowSplitLane], stopping: NIOLockedValueBox<Bool>, finished: ConditionLock<Bool>)
    {
        self.source = source
        self.lanes = lanes
        self.stopping = stopping
        self.finished = finished
        batches = Array(repeating: [], count: lanes.count)
    }

    func run() {
        var count = 0
        reading: while true {
            switch source.next() {
            case .packet(let packet):
                batches[FlowSplitReader.lane(of: packet, lanes: lanes.count)].append(QueuedPacket(packet))
                readUpTo = max(readUpTo, FanoutMergeKey(packet.capture))
                count += 1
                // `stop` is looked at once a batch, not per packet.
                if count % FlowSplitReader.batchPackets == 0 {
                    handOver()
                    if stopping.withLockedValue({ $0 }) { break reading }
                }
            case .idle:
                continue
            case .problem(let reported):
                // A truncated file: its packets so far count; the next file follows.
                handOver(problem: reported)
            case .end:
                break reading
            }
        }
        handOver(ended: true)
        finished.lock()
        finished.unlock(withValue: true)
    }

    private func handOver(problem: CaptureError? = nil, ended: Bool = false) {
        for index in lanes.indices {
            lanes[index].append(
                batches[index], readUpTo: readUpTo, problem: index == 0 ? problem : nil, ended: ended)
            batches[index].removeAll(keepingCapacity: true)
        }
    }
}
