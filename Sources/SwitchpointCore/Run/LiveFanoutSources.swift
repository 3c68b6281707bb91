import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `--workers N -i IFACE`: N capture sockets in one `PACKET_FANOUT` hash group, each read
/// on its own thread; the kernel keeps every flow on one socket.
package final class LiveFanoutSources: FanoutSources {
    /// How far behind the wall clock an idle worker's capture time is assumed to be: a
    /// packet stamped by the kernel reaches the worker within this (else it is merged late,
    /// never lost).
    package static let idleSlackNanoseconds: Int64 = 1_000_000_000

    package let captures: [LiveCaptureSource]
    let sources: [ThreadedCaptureSource]
    /// The fanout group the workers joined.
    package let group: UInt16
    package var lanes: [any FanoutLane] { sources }

    /// Opens `workers` captures on `interface`, joins them to fanout group `group` (nil:
    /// a new group with a kernel-chosen identifier) and, with `writeTo`, one shared `-w`
    /// file. Nothing is read until `start`.
    package init(
        interface: String, options: LiveCaptureOptions, filter: String, workers: Int, group: UInt16?,
        writeTo path: String?
    ) throws(CaptureError) {
        var captures: [LiveCaptureSource] = []
        var joined = group
        for _ in 0..<max(1, min(workers, FanoutTimelineRun.maxWorkers)) {
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

    package func start() {
        for source in sources { source.start() }
    }

    package func stop() {
        for source in sources { source.stop() }
    }

    package func stopAndWait() {
        for source in sources { source.stopAndWait() }
    }

    /// SIGINT/SIGTERM stop every worker's capture.
    package func stopOnInterrupt() {
        LiveCaptureSource.stopOnInterrupt(captures)
    }
}

extension ThreadedCaptureSource: FanoutLane {
    /// The wall clock less the slack a kernel-stamped packet may take to arrive.
    package func idleWatermark() -> FanoutMergeKey {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let wall = Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
        return FanoutMergeKey(time: Timestamp(nanoseconds: wall - LiveFanoutSources.idleSlackNanoseconds), packet: 0)
    }
}
