import Foundation
import NIOConcurrencyHelpers

/// Live capture on its own thread: the capture thread reads from libpcap (and writes the
/// `-w` file) and hands copies to analysis through a bounded queue, so a slow terminal
/// never stalls the reads that keep the kernel buffer from overflowing. What does not fit
/// the queue is counted as a queue drop.
package final class ThreadedCaptureSource: PacketSource {
    /// Named limits of the queue between the capture thread and analysis.
    package static let maxQueuedPackets = 65_536
    package static let maxQueuedBytes = 128 << 20

    /// State shared between the two threads, guarded by `lock` (value: items are waiting
    /// or the capture ended).
    final class Shared: @unchecked Sendable {
        let lock = ConditionLock(value: false)
        var items: [QueuedPacket] = []
        var head = 0
        var queuedBytes = 0
        var ended = false
        var problems: [CaptureError] = []
        /// `stop()` was called (the run needs no more packets: `-c`, the end of the run), as
        /// opposed to SIGINT/SIGTERM, after which what the kernel captured is still read.
        var stopRequested = false
        var queueDrops = 0
        var captured = 0
        var capturedBytes = 0
        /// pcap_stats as last read by the capture thread (libpcap handles are not shared
        /// between threads, so only that thread asks).
        var kernel: (received: UInt32, droppedByKernel: UInt32, droppedByInterface: UInt32)?
    }

    /// The capture side, used by the capture thread only once started.
    final class Producer: @unchecked Sendable {
        let live: LiveCaptureSource
        let dump: PcapDumpWriter?
        let numbering: SharedPacketNumbering?
        init(live: LiveCaptureSource, dump: PcapDumpWriter?, numbering: SharedPacketNumbering?) {
            self.live = live
            self.dump = dump
            self.numbering = numbering
        }
    }

    package var label: String { producer.live.label }
    private let shared = Shared()
    private let producer: Producer
    private let slot = PacketSlot()
    private var thread: Thread?

    /// `writeTo`: also write every captured packet to this pcap file (`-w`).
    package convenience init(live: LiveCaptureSource, writeTo path: String?) throws(CaptureError) {
        let dump: PcapDumpWriter? =
            if let path { try PcapDumpWriter(handle: live.pcapPointer, path: path) } else { nil }
        self.init(live: live, dump: dump)
    }

    /// `dump`: a `-w` writer, possibly shared with other workers' captures; `numbering`:
    /// the packet numbers those captures share.
    init(live: LiveCaptureSource, dump: PcapDumpWriter?, numbering: SharedPacketNumbering? = nil) {
        producer = Producer(live: live, dump: dump, numbering: numbering)
    }

    /// Starts the capture thread (call after dropping privileges, before reading).
    package func start() {
        let shared = shared
        let producer = producer
        let thread = Thread {
            Self.capture(producer: producer, shared: shared)
        }
        thread.name = "switchpoint capture"
        self.thread = thread
        thread.start()
    }

    private static func capture(producer: Producer, shared: Shared) {
        var lastStats = ContinuousClock.now
        func refreshStatistics(force: Bool = false) {
            let now = ContinuousClock.now
            guard force || now - lastStats > .milliseconds(200) else { return }
            lastStats = now
            producer.dump?.flush()  // the -w file is never more than a moment behind
            let kernel = producer.live.statistics()
            shared.lock.lock()
            shared.kernel = kernel
            let hasWork = shared.head < shared.items.count || shared.ended
            shared.lock.unlock(withValue: hasWork)
        }
        while true {
            refreshStatistics()
            switch producer.live.next() {
            case .packet(var packet):
                take(&packet, producer: producer, shared: shared)
                // The next read may wait for the next block: what is written reaches the file first.
                if let dump = producer.dump, !producer.live.hasReadablePackets { dump.flush() }
            case .idle:
                producer.dump?.flush()
            case .problem(let problem):
                // Last statistics and the -w file's end before analysis may see the end.
                refreshStatistics(force: true)
                finish(producer: producer, shared: shared, problem: problem)
                return
            case .end:
                shared.lock.lock()
                let interrupted = !shared.stopRequested
                let hasWork = shared.head < shared.items.count
                shared.lock.unlock(withValue: hasWork)
                if interrupted { drain(producer: producer, shared: shared) }
                refreshStatistics(force: true)
                finish(producer: producer, shared: shared, problem: nil)
                return
            }
        }
    }

    /// Numbers and writes (`-w`) one packet and queues a copy for analysis, or counts it as
    /// a queue drop when the queue is full.
    private static func take(_ packet: inout RawPacket, producer: Producer, shared: Shared) {
        if let numbering = producer.numbering {
            numbering.number(&packet, writingTo: producer.dump)
        } else {
            producer.dump?.write(packet)
        }
        let item = QueuedPacket(packet)
        shared.lock.lock()
        shared.captured += 1
        shared.capturedBytes += packet.bytes.count
        if shared.items.count - shared.head >= maxQueuedPackets
            || shared.queuedBytes + item.bytes.count > maxQueuedBytes
        {
            shared.queueDrops += 1
        } else {
            shared.items.append(item)
            shared.queuedBytes += item.bytes.count
        }
        shared.lock.unlock(withValue: true)
    }

    /// After a stop, reads what the kernel captured before it (CaptureDrainPolicy) so Ctrl-C
    /// loses nothing; a read problem ends the drain.
    private static func drain(producer: Producer, shared: Shared) {
        guard producer.live.stopWaiting() else { return }
        let policy = CaptureDrainPolicy(blockTimeout: producer.live.blockTimeout)
        let stopped = ContinuousClock.now
        var foundPacket = true
        while true {
            switch policy.step(elapsed: ContinuousClock.now - stopped, lastReadFoundPacket: foundPacket) {
            case .finish:
                return
            case .wait:
                usleep(UInt32(CaptureDrainPolicy.pollInterval / .microseconds(1)))
            case .read:
                break
            }
            switch producer.live.next() {
            case .packet(var packet):
                take(&packet, producer: producer, shared: shared)
                foundPacket = true
            case .idle, .end:
                foundPacket = false
            case .problem:
                return
            }
        }
    }

    /// Closes the -w file and tells analysis the capture ended (after `problem`, if any).
    private static func finish(producer: Producer, shared: Shared, problem: CaptureError?) {
        producer.dump?.close()
        shared.lock.lock()
        if let problem { shared.problems.append(problem) }
        if let failed = producer.dump?.writeError { shared.problems.append(failed) }
        shared.ended = true
        shared.lock.unlock(withValue: true)
    }

    package func next() -> PacketReadOutcome {
        guard shared.lock.lock(whenValue: true, timeoutSeconds: 0.1) else { return .idle }
        if shared.head < shared.items.count {
            let item = shared.items[shared.head]
            shared.head += 1
            shared.queuedBytes -= item.bytes.count
            if shared.head > 1024 && shared.head * 2 > shared.items.count {
                shared.items.removeFirst(shared.head)
                shared.head = 0
            }
            let more = shared.head < shared.items.count || shared.ended || !shared.problems.isEmpty
            shared.lock.unlock(withValue: more)
            return .packet(slot.hand(item))
        }
        if !shared.problems.isEmpty {
            let problem = shared.problems.removeFirst()
            shared.lock.unlock(withValue: true)
            return .problem(problem)
        }
        let ended = shared.ended
        shared.lock.unlock(withValue: ended)
        return ended ? .end : .idle
    }

    /// Stops the capture (from any thread); unlike SIGINT, nothing more is read.
    package func stop() {
        shared.lock.lock()
        shared.stopRequested = true
        let hasWork = shared.head < shared.items.count || shared.ended
        shared.lock.unlock(withValue: hasWork)
        producer.live.breakLoop()
    }

    /// Stops the capture and waits (bounded) until the capture thread has closed the `-w`
    /// file and taken its last statistics.
    package func stopAndWait(timeoutSeconds: Double = 2) {
        stop()
        let deadline = ContinuousClock.now + .milliseconds(Int(timeoutSeconds * 1000))
        while ContinuousClock.now < deadline {
            shared.lock.lock()
            let ended = shared.ended
            let hasWork = shared.head < shared.items.count || shared.ended
            shared.lock.unlock(withValue: hasWork)
            if ended { return }
            usleep(10_000)
        }
    }

    package struct Statistics: Sendable {
        package var captured: Int
        package var capturedBytes: Int
        package var queueDrops: Int
        package var kernelReceived: UInt32?
        package var kernelDrops: UInt32?
        package var interfaceDrops: UInt32?
    }

    /// Capture counters: libpcap's `pcap_stats` and the queue's own drops.
    package func statistics() -> Statistics {
        shared.lock.lock()
        let captured = shared.captured
        let bytes = shared.capturedBytes
        let drops = shared.queueDrops
        let kernel = shared.kernel
        let hasWork = shared.head < shared.items.count || shared.ended
        shared.lock.unlock(withValue: hasWork)
        return Statistics(
            captured: captured, capturedBytes: bytes, queueDrops: drops, kernelReceived: kernel?.received,
            kernelDrops: kernel?.droppedByKernel, interfaceDrops: kernel?.droppedByInterface)
    }
}

extension ThreadedCaptureSource.Statistics {
    /// Fanout workers' counters added up (a kernel counter stays unknown if any is).
    package static func total(_ all: [ThreadedCaptureSource.Statistics]) -> ThreadedCaptureSource.Statistics {
        func sum(_ values: [UInt32?]) -> UInt32? {
            values.reduce(UInt32(0) as UInt32?) { total, value in
                guard let total, let value else { return nil }
                return total &+ value
            }
        }
        return ThreadedCaptureSource.Statistics(
            captured: all.reduce(0) { $0 + $1.captured }, capturedBytes: all.reduce(0) { $0 + $1.capturedBytes },
            queueDrops: all.reduce(0) { $0 + $1.queueDrops }, kernelReceived: sum(all.map(\.kernelReceived)),
            kernelDrops: sum(all.map(\.kernelDrops)), interfaceDrops: sum(all.map(\.interfaceDrops)))
    }
}
