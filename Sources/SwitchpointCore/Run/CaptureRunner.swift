/// Drives the pipeline: packet source → decoder → reassembler → a signal sink.
package struct CaptureRunner {
    package var reassembler: TCPReassembler
    package private(set) var statistics = DecodeStatistics()
    /// Problems that ended an input early (truncated file, unreadable file).
    package private(set) var problems: [CaptureError] = []
    /// Stop after this many packets (tcpdump's `-c`).
    package var packetLimit: Int?
    /// `--shard I/N`: analyse and count only this shard's connections.
    package var shard: ShardSelector?

    package init(limits: ReassemblyLimits = ReassemblyLimits(), packetLimit: Int? = nil, shard: ShardSelector? = nil) {
        reassembler = TCPReassembler(limits: limits)
        self.packetLimit = packetLimit
        self.shard = shard
    }

    /// Reads `source` to its end (or the packet limit, or until `shouldStop` says so),
    /// then flushes every connection. `onProblem` hears each input problem as it happens.
    package mutating func drive<Sink: StreamSignalSink>(
        _ source: PacketSource, into sink: inout Sink,
        shouldStop: () -> Bool = { false },
        onProblem: (CaptureError) -> Void = { _ in },
        heartbeat: ((DecodeStatistics) -> Void)? = nil
    ) {
        loop: while !shouldStop() {
            heartbeat?(statistics)
            if let packetLimit, statistics.packets >= packetLimit { break }
            switch source.next() {
            case .packet(let packet):
                process(packet, into: &sink)
            case .idle:
                continue
            case .problem(let problem):
                problems.append(problem)
                onProblem(problem)
            case .end:
                break loop
            }
        }
        reassembler.finish(into: &sink)
    }

    /// Decodes one packet and feeds its TCP segment to reassembly.
    @inline(__always)
    package mutating func process<Sink: StreamSignalSink>(_ packet: RawPacket, into sink: inout Sink) {
        if let shard {
            return processShard(packet, shard: shard, into: &sink)
        }
        statistics.packets += 1
        statistics.capturedBytes += UInt64(packet.bytes.count)
        let result = PacketDecoder.decode(packet)
        if case .tcp(let segment) = result {
            statistics.tcpPackets += 1
            reassembler.ingest(segment, capture: packet.capture, into: &sink)
        } else {
            statistics.count(result)
        }
    }

    /// `process` for one shard: other shards' TCP packets only advance capture time, and
    /// packets of no connection are counted by shard 0 alone.
    private mutating func processShard<Sink: StreamSignalSink>(
        _ packet: RawPacket, shard: ShardSelector, into sink: inout Sink
    ) {
        let result = PacketDecoder.decode(packet)
        if case .tcp(let segment) = result {
            guard shard.owns(segment.source, segment.destination) else {
                reassembler.advanceClock(to: packet.capture.timestamp, into: &sink)
                return
            }
            statistics.packets += 1
            statistics.capturedBytes += UInt64(packet.bytes.count)
            statistics.tcpPackets += 1
            reassembler.ingest(segment, capture: packet.capture, into: &sink)
        } else if shard.countsUnattachedPackets {
            statistics.packets += 1
            statistics.capturedBytes += UInt64(packet.bytes.count)
            statistics.count(result)
        }
    }
}

extension CaptureRunner {
    /// The connection listing's run. A concrete entry point inside the module, so the
    /// optimizer specializes the whole per-packet path for this sink; a generic call from
    /// another module would run unspecialized (several times slower per packet).
    package mutating func run(
        _ source: PacketSource, into listing: inout ConnectionListing,
        shouldStop: () -> Bool = { false },
        onProblem: (CaptureError) -> Void = { _ in },
        heartbeat: ((DecodeStatistics) -> Void)? = nil
    ) {
        drive(source, into: &listing, shouldStop: shouldStop, onProblem: onProblem, heartbeat: heartbeat)
    }
}

extension CaptureRunner {
    /// The timeline's run (a concrete entry point, as for the listing).
    package mutating func run(
        _ source: PacketSource, into analyzer: inout TimelineAnalyzer,
        shouldStop: () -> Bool = { false },
        onProblem: (CaptureError) -> Void = { _ in },
        heartbeat: ((DecodeStatistics) -> Void)? = nil
    ) {
        drive(source, into: &analyzer, shouldStop: shouldStop, onProblem: onProblem, heartbeat: heartbeat)
    }
}
