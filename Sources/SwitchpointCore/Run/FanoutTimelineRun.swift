import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
    import Glibc
#endif

/// `--workers N`: live capture on N sockets in one `PACKET_FANOUT` hash group, each worker
/// with its own capture thread, reassembly and dissection (the kernel keeps every flow on
/// one worker), and one merge on the calling thread that hands the workers' events to the
/// printer in time order, connections renumbered as one run would number them (in the
/// order they open). The printer, its summary and the output stay single: the text or
/// JSON is what one process would print, plus per-worker counts in the summary.
///
/// An event leaves the merge once no other worker can still produce an earlier one: that
/// worker has a later event waiting, has read a later packet, or has been idle (then
/// packets stamped more than `idleSlackNanoseconds` ago have all reached it).
package final class FanoutTimelineRun {
    /// How far behind the wall clock an idle worker's capture time is assumed to be: a
    /// packet stamped by the kernel reaches the worker within this (else it is merged late,
    /// never lost).
    package static let idleSlackNanoseconds: Int64 = 1_000_000_000
    /// Most workers one run starts (a bound, not a tuning value: one per core is the point).
    package static let maxWorkers = 64

    package let captures: [LiveCaptureSource]
    let sources: [ThreadedCaptureSource]
    /// The fanout group the workers joined.
    package let group: UInt16

    /// Opens `workers` captures on `interface`, joins them to fanout group `group` (nil:
    /// a new group with a kernel-chosen identifier) and, with `writeTo`, one shared `-w`
    /// file. Nothing is read until `start`.
    package init(
        interface: String, options: LiveCaptureOptions, filter: String, workers: Int, group: UInt16?,
        writeTo path: String?
    ) throws(CaptureError) {
        var captures: [LiveCaptureSource] = []
        var joined = group
        for _ in 0..<max(1, min(workers, Self.maxWorkers)) {
            let capture = try LiveCaptureSource(interface: interface, options: options, filter: filter)
            joined = try capture.joinFanout(group: joined)
            captures.append(capture)
        }
        self.captures = captures
        self.group = joined ?? 0
        let dump: PcapDumpWriter? =
            if let path, let first = captures.first {
                try PcapDumpWriter(handle: first.pcapPointer, path: path, users: captures.count)
            } else {
                nil
            }
        let numbering = SharedPacketNumbering()
        sources = captures.map { ThreadedCaptureSource(live: $0, dump: dump, numbering: numbering) }
    }

    /// Starts the capture threads (after dropping privileges).
    package func start() {
        for source in sources { source.start() }
    }

    /// SIGINT/SIGTERM stop every worker's capture.
    package func stopOnInterrupt() {
        LiveCaptureSource.stopOnInterrupt(captures)
    }

    /// What the analysis needs to build one analyzer per worker.
    package struct AnalysisSettings: Sendable {
        package var limits: ReassemblyLimits
        package var registry: DissectorRegistry
        package var decodeAs: [UInt16: DecodeAsProtocol]
        package var keyLog: TLSKeyLog?
        /// `--redact`: secrets replaced before any output sees them.
        package var redact = false

        package init(
            limits: ReassemblyLimits, registry: DissectorRegistry, decodeAs: [UInt16: DecodeAsProtocol],
            keyLog: TLSKeyLog?
        ) {
            self.limits = limits
            self.registry = registry
            self.decodeAs = decodeAs
            self.keyLog = keyLog
        }
    }

    package struct Result {
        /// All workers' decode counts added up.
        package var statistics = DecodeStatistics()
        package var problems: [CaptureError] = []
        /// All workers' capture counters added up.
        package var capture: ThreadedCaptureSource.Statistics
        package var scope: SummaryScope
    }

    /// Runs until every worker's capture ended (SIGINT, `stop`), merging into `output`.
    /// `onProblem` hears each worker's input problems on the calling thread.
    package func run(
        into output: any TimelineEventSink, settings: AnalysisSettings,
        onProblem: @escaping (CaptureError) -> Void
    ) -> Result {
        let merge = Shared(workers: sources.count)
        var threads: [Thread] = []
        for (index, source) in sources.enumerated() {
            let job = WorkerJob(
                index: index, source: source, shared: merge, settings: settings,
                wantsFrameEvents: output.wantsFrameEvents)
            let thread = Thread { job.run() }
            thread.name = "switchpoint worker \(index)"
            threads.append(thread)
            thread.start()
        }
        var merger = EventMerge(workers: sources.count, output: output)
        while true {
            let done = merger.take(from: merge, onProblem: onProblem)
            merger.emitReady()
            if done { break }
        }
        for source in sources { source.stopAndWait() }
        var statistics = DecodeStatistics()
        var workers: [SummaryScope.Worker] = []
        var problems: [CaptureError] = []
        merge.lock.lock()
        for (index, lane) in merge.lanes.enumerated() {
            statistics.add(lane.statistics)
            problems += lane.problems
            workers.append(
                SummaryScope.Worker(
                    index: index, packets: lane.statistics.packets, capture: sources[index].statistics()))
        }
        merge.lock.unlock()
        return Result(
            statistics: statistics, problems: problems, capture: .total(workers.map(\.capture)),
            scope: SummaryScope(workers: workers))
    }

    /// Stops every worker's capture (also what SIGINT does).
    package func stop() {
        for source in sources { source.stop() }
    }

    // MARK: Hand-over between the workers and the merge

    /// One worker's side of the hand-over (guarded by `Shared.lock`).
    struct Lane {
        var events: [TimelineEvent] = []
        /// No event this worker produces from now on is earlier than this.
        var watermark = Timestamp(nanoseconds: Int64.min)
        var problems: [CaptureError] = []
        var reportedProblems = 0
        var finished = false
        var statistics = DecodeStatistics()
    }

    /// State shared by the workers and the merge; the lock's value says something new
    /// arrived.
    final class Shared: @unchecked Sendable {
        let lock = ConditionLock(value: false)
        var lanes: [Lane]
        init(workers: Int) {
            lanes = Array(repeating: Lane(), count: workers)
        }
    }

    /// The merge's own state, on the calling thread.
    struct EventMerge {
        let output: any TimelineEventSink
        var waiting: [[TimelineEvent]]
        var heads: [Int]
        var watermarks: [Timestamp]
        var finished: [Bool]
        /// (worker, the worker's connection number) → the merged number.
        var numbers: [Int64: ConnectionID] = [:]
        var nextNumber: ConnectionID = 1

        init(workers: Int, output: any TimelineEventSink) {
            self.output = output
            waiting = Array(repeating: [], count: workers)
            heads = Array(repeating: 0, count: workers)
            watermarks = Array(repeating: Timestamp(nanoseconds: Int64.min), count: workers)
            finished = Array(repeating: false, count: workers)
        }

        /// Takes what the workers published (waiting briefly for something); true when every
        /// worker has finished and everything was taken.
        mutating func take(from shared: Shared, onProblem: (CaptureError) -> Void) -> Bool {
            // Waits for news at most briefly: an idle worker's watermark moves on its own.
            if !shared.lock.lock(whenValue: true, timeoutSeconds: 0.1) { shared.lock.lock() }
            var problems: [CaptureError] = []
            for index in shared.lanes.indices {
                if heads[index] > 0 {
                    waiting[index].removeFirst(heads[index])
                    heads[index] = 0
                }
                waiting[index] += shared.lanes[index].events
                shared.lanes[index].events.removeAll(keepingCapacity: true)
                watermarks[index] = shared.lanes[index].watermark
                finished[index] = shared.lanes[index].finished
                let lane = shared.lanes[index]
                problems += lane.problems[lane.reportedProblems...]
                shared.lanes[index].reportedProblems = lane.problems.count
            }
            shared.lock.unlock(withValue: false)
            for problem in problems { onProblem(problem) }
            return finished.allSatisfy { $0 }
        }

        /// Hands out every event no worker can still precede.
        mutating func emitReady() {
            while let worker = earliest() {
                let event = waiting[worker][heads[worker]]
                for other in waiting.indices
                where other != worker && heads[other] == waiting[other].count && !finished[other] {
                    // Nothing waiting from `other`: it must be past this event's time.
                    if watermarks[other] < event.timestamp || (watermarks[other] == event.timestamp && other < worker) {
                        return
                    }
                }
                heads[worker] += 1
                output.receive(renumbered(event, worker: worker))
            }
        }

        /// The worker whose next waiting event is earliest (ties: the lower worker).
        private func earliest() -> Int? {
            var best: Int?
            for index in waiting.indices where heads[index] < waiting[index].count {
                if let current = best {
                    if waiting[index][heads[index]].timestamp < waiting[current][heads[current]].timestamp {
                        best = index
                    }
                } else {
                    best = index
                }
            }
            return best
        }

        private mutating func renumbered(_ event: TimelineEvent, worker: Int) -> TimelineEvent {
            let key = Int64(worker) << 48 | Int64(event.connection)
            let number: ConnectionID
            if let known = numbers[key] {
                number = known
            } else {
                number = nextNumber
                nextNumber += 1
                numbers[key] = number
            }
            // A closed connection's events are over: its entry goes.
            if event.tag == .connectionClosed { numbers[key] = nil }
            return event.withConnection(number)
        }
    }
}

extension TimelineEvent {
    /// The same event on connection `number` (its opening or summary renumbered too).
    func withConnection(_ number: ConnectionID) -> TimelineEvent {
        let kind: Kind
        switch self.kind {
        case .connectionOpened(var opening):
            opening.connection = number
            kind = .connectionOpened(opening)
        case .connectionClosed(var summary):
            summary.connection = number
            kind = .connectionClosed(summary)
        case .gap, .httpRequest, .httpResponse, .httpBody, .upgrade, .finding, .rawData, .tlsClientHello,
            .tlsServerHello, .tlsHelloRetry, .tlsSession, .tlsEncrypted, .wsFrame, .wsMessage, .wsControl, .wsClose,
            .wsClosing, .h2Frame, .h2Settings, .h2Headers, .h2Reset, .h2GoAway, .h2Ping, .h2Stream, .app:
            kind = self.kind
        }
        var event = TimelineEvent(
            timestamp: timestamp, connection: number, packet: packet, direction: direction, offset: offset, kind: kind)
        event.firstPacket = firstPacket
        event.stream = stream
        event.decrypted = decrypted
        return event
    }
}

/// One worker's analysis thread: its capture's packets through reassembly and the
/// dissectors, events collected and published with the worker's capture time.
private final class WorkerJob: @unchecked Sendable {
    let index: Int
    let source: ThreadedCaptureSource
    let shared: FanoutTimelineRun.Shared
    let settings: FanoutTimelineRun.AnalysisSettings
    let wantsFrameEvents: Bool

    init(
        index: Int, source: ThreadedCaptureSource, shared: FanoutTimelineRun.Shared,
        settings: FanoutTimelineRun.AnalysisSettings, wantsFrameEvents: Bool
    ) {
        self.index = index
        self.source = source
        self.shared = shared
        self.settings = settings
        self.wantsFrameEvents = wantsFrameEvents
    }

    func run() {
        let collector = WorkerEventCollector(index: index, shared: shared, wantsFrameEvents: wantsFrameEvents)
        var analyzer = TimelineAnalyzer(
            output: collector, registry: settings.registry, decodeAs: settings.decodeAs, keyLog: settings.keyLog,
            redact: settings.redact)
        var runner = CaptureRunner(limits: settings.limits)
        let clocked = WatermarkingSource(source, collector: collector)
        runner.run(clocked, into: &analyzer, onProblem: { collector.problem($0) })
        collector.finish(statistics: runner.statistics)
    }
}

/// Collects one worker's events on its thread and publishes them in bulk.
private final class WorkerEventCollector: TimelineEventSink {
    let index: Int
    let shared: FanoutTimelineRun.Shared
    let wantsFrameEvents: Bool
    private var pending: [TimelineEvent] = []
    private var problems: [CaptureError] = []
    private var packetsSincePublished = 0
    /// Packets without events between two hand-overs at most: the lock is not taken per
    /// packet, and the other workers' events still wait only briefly for this one's time.
    static let maxQuietPackets = 64

    init(index: Int, shared: FanoutTimelineRun.Shared, wantsFrameEvents: Bool) {
        self.index = index
        self.shared = shared
        self.wantsFrameEvents = wantsFrameEvents
    }

    func receive(_ event: TimelineEvent) {
        pending.append(event)
    }

    func problem(_ problem: CaptureError) {
        problems.append(problem)
    }

    /// Hands the events so far over, with the capture time reached (`idle`: always;
    /// otherwise when there is something to hand over or enough quiet packets went by).
    func publish(watermark: Timestamp, idle: Bool = false) {
        packetsSincePublished += 1
        guard idle || !pending.isEmpty || !problems.isEmpty || packetsSincePublished >= Self.maxQuietPackets else {
            return
        }
        packetsSincePublished = 0
        shared.lock.lock()
        shared.lanes[index].events += pending
        if watermark > shared.lanes[index].watermark { shared.lanes[index].watermark = watermark }
        shared.lanes[index].problems += problems
        shared.lock.unlock(withValue: true)
        pending.removeAll(keepingCapacity: true)
        problems.removeAll()
    }

    func finish(statistics: DecodeStatistics) {
        shared.lock.lock()
        shared.lanes[index].events += pending
        shared.lanes[index].problems += problems
        shared.lanes[index].statistics = statistics
        shared.lanes[index].finished = true
        shared.lock.unlock(withValue: true)
        pending.removeAll()
    }
}

/// The worker's packet source, publishing the collector's events each time the capture
/// time moves on: at a packet, its timestamp; when idle, the wall clock less the slack.
private final class WatermarkingSource: PacketSource {
    let inner: ThreadedCaptureSource
    let collector: WorkerEventCollector
    var label: String { inner.label }

    init(_ inner: ThreadedCaptureSource, collector: WorkerEventCollector) {
        self.inner = inner
        self.collector = collector
    }

    func next() -> PacketReadOutcome {
        let outcome = inner.next()
        switch outcome {
        case .packet(let packet):
            collector.publish(watermark: packet.capture.timestamp)
        case .idle:
            var now = timespec()
            clock_gettime(CLOCK_REALTIME, &now)
            let wall = Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
            collector.publish(
                watermark: Timestamp(nanoseconds: wall - FanoutTimelineRun.idleSlackNanoseconds), idle: true)
        case .problem, .end:
            break
        }
        return outcome
    }
}
