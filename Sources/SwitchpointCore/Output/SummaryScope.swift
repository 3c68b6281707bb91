/// Which part of the traffic a run's summary covers: one shard of N (`--shard`), and with
/// `--workers` each capture worker's own counts.
package struct SummaryScope: Sendable {
    package var shard: ShardSelector?
    /// With `shard`: the capture every shard read (`CaptureIdentity.text`), so merge can
    /// refuse shards of different captures.
    package var capture: String?
    /// Live `--fanout-group ID`: this invocation's summary is one of the group's (merge
    /// joins only runs of one group).
    package var fanoutGroup: Int?
    package var workers: [Worker] = []

    package init(shard: ShardSelector? = nil, workers: [Worker] = []) {
        self.shard = shard
        self.workers = workers
    }

    /// One fanout worker: the packets it analysed and its socket's capture counters.
    package struct Worker: Sendable {
        package var index: Int
        package var packets: Int
        package var capture: ThreadedCaptureSource.Statistics

        package init(index: Int, packets: Int, capture: ThreadedCaptureSource.Statistics) {
            self.index = index
            self.packets = packets
            self.capture = capture
        }
    }

    func textLines() -> [String] {
        var lines: [String] = []
        if let shard {
            let of = capture.map { " of capture \($0)" } ?? ""
            lines.append(
                "shard \(shard.index)/\(shard.count)\(of): only this shard's connections (switchpoint merge joins the shards' --json output)"
            )
        }
        for worker in workers {
            let capture = worker.capture
            lines.append(
                "worker \(worker.index): \(worker.packets) packets, \(capture.captured) captured"
                    + ", \(capture.kernelDrops.map(String.init) ?? "?") dropped by the kernel"
                    + ", \(capture.interfaceDrops.map(String.init) ?? "?") by the interface"
                    + ", \(capture.queueDrops) by switchpoint's queue")
        }
        return lines
    }

    func addFields(to line: inout JSONLine) {
        if !workers.isEmpty {
            let objects = workers.map { worker -> String in
                var object = JSONLine(escaping: line.escaping)
                object.add("worker", worker.index)
                object.add("packets", worker.packets)
                object.add("captured", worker.capture.captured)
                if let received = worker.capture.kernelReceived { object.add("received", Int(received)) }
                if let drops = worker.capture.kernelDrops { object.add("kernel_drops", Int(drops)) }
                if let drops = worker.capture.interfaceDrops { object.add("interface_drops", Int(drops)) }
                object.add("queue_drops", worker.capture.queueDrops)
                return object.line
            }
            line.addRaw("workers", json: "[" + objects.joined(separator: ",") + "]")
        }
        if let fanoutGroup { line.add("fanout_group", fanoutGroup) }
        if let shard {
            if let capture { line.add("capture", capture) }
            line.add("shard", "\(shard.index)/\(shard.count)")
        }
    }
}
