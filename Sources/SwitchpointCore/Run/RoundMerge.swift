/// The merge of one round of the sharded run: the workers' outputs replayed through the
/// printer in signal order. A worker's round may come in several outputs, each handed over
/// once it held `ShardOutput.handOverBytes`; the next is taken as soon as one is used up,
/// so the merge holds one output per worker and the queues hold a bounded number of bytes.
struct RoundMerge {
    let outputs: [BatchQueue<ShardOutput>]

    /// Merges the next round; true when it was the last.
    func mergeRound<Printer: ShardablePrinter>(printer: Printer, onProblem: (CaptureError) -> Void) -> Bool {
        var shards = outputs.map { $0.receive() }
        // Everything of a shard is read once here: the workers are already filling the next
        // objects, which may share cache lines with these, and a reference count touched
        // per record would bounce those lines between the cores.
        var records = shards.map(\.records)
        var bytes = shards.map(\.bytes.bytes)
        var problems = shards.map(\.problems)
        var cursors = [Int](repeating: 0, count: shards.count)
        while true {
            // A worker's output used up while its round goes on: its next one.
            for index in shards.indices {
                while cursors[index] == records[index].count && shards[index].continues {
                    // The copies go first, or emptying the shard would copy its arrays.
                    records[index] = []
                    problems[index] = []
                    outputs[index].recycle(shards[index])
                    shards[index] = outputs[index].receive()
                    records[index] = shards[index].records
                    bytes[index] = shards[index].bytes.bytes
                    problems[index] = shards[index].problems
                    cursors[index] = 0
                }
            }
            // The shard whose next record comes first, and where the next other one starts.
            var chosen = -1
            var lowest = Int.max
            var runEnd = Int.max
            for index in records.indices where cursors[index] < records[index].count {
                let sequence = records[index][cursors[index]].sequence
                if sequence < lowest {
                    runEnd = lowest
                    lowest = sequence
                    chosen = index
                } else if sequence < runEnd {
                    runEnd = sequence
                }
            }
            guard chosen >= 0 else { break }
            cursors[chosen] = replayRun(
                records[chosen], from: cursors[chosen], before: runEnd, bytes: bytes[chosen],
                problems: problems[chosen], printer: printer, onProblem: onProblem)
        }
        let last = shards.allSatisfy(\.isLast)
        records = []
        problems = []
        for (index, shard) in shards.enumerated() { outputs[index].recycle(shard) }
        return last
    }

    /// Replays a shard's records from `start` up to the other shards' next one (`runEnd`);
    /// lines printed as they come (one per JSON event) are replayed as one range. Returns
    /// where the shard's cursor stops.
    private func replayRun<Printer: ShardablePrinter>(
        _ records: [ShardOutput.Record], from start: Int, before runEnd: Int, bytes: UnsafeRawBufferPointer,
        problems: [CaptureError], printer: Printer, onProblem: (CaptureError) -> Void
    ) -> Int {
        var cursor = start
        var pending: ShardOutput.Record?
        while cursor < records.count, records[cursor].sequence < runEnd {
            let record = records[cursor]
            cursor += 1
            if case .direct = record.kind {
                if var run = pending, run.linesEnd == record.linesStart {
                    run.linesEnd = record.linesEnd
                    pending = run
                    continue
                }
                if let run = pending { printer.replay(run, bytes: bytes) }
                pending = record
                continue
            }
            if let run = pending { printer.replay(run, bytes: bytes) }
            pending = nil
            if case .problem(let item) = record.kind {
                onProblem(problems[item])
            } else {
                printer.replay(record, bytes: bytes)
            }
        }
        if let run = pending { printer.replay(run, bytes: bytes) }
        return cursor
    }
}
