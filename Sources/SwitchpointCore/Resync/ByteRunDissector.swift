/// The bytes of a stream that began mid-way and in which content detection recognised no
/// protocol (or one it cannot decode: TLS without its handshake): one line per run of each
/// direction (from its first byte, or a gap, to the next gap or the end), with its packet
/// count, size and first bytes, instead of one per packet. Only the run's first bytes are
/// kept.
struct ByteRunDissector: UpgradedStreamDissector {
    let protocolName: String
    /// The runs are bytes nothing was recognised in (not a protocol shown as runs).
    let notRecognised: Bool

    init(protocolName: String = "unknown", notRecognised: Bool = true) {
        self.protocolName = protocolName
        self.notRecognised = notRecognised
    }

    /// One direction's run so far.
    private struct Run {
        var offset: UInt64
        var capture: CaptureInfo
        var packets = 0
        var length = 0
        var head: [UInt8] = []
    }

    private var runs = PerDirection<Run?>(repeating: nil)

    mutating func receive(
        _ bytes: UnsafeRawBufferPointer, direction: Direction, offset: UInt64, capture: CaptureInfo,
        events: inout EventBuffer
    ) {
        guard !bytes.isEmpty else { return }
        var run = runs[direction] ?? Run(offset: offset, capture: capture)
        run.packets += 1
        run.length += bytes.count
        let wanted = RawStreamDissector.previewLength - run.head.count
        if wanted > 0 { run.head.append(contentsOf: bytes.prefix(wanted)) }
        runs[direction] = run
    }

    mutating func receiveGap(
        direction: Direction, offset: UInt64, length: UInt64, capture: CaptureInfo, events: inout EventBuffer
    ) {
        flush(direction, events: &events)
    }

    mutating func finish(capture: CaptureInfo, events: inout EventBuffer) {
        flushAll(events: &events)
    }

    /// Both directions' runs out, the one that began first first.
    mutating func flushAll(events: inout EventBuffer) {
        let clientFirst =
            (runs[.clientToServer]?.capture.packetNumber ?? .max)
            <= (runs[.serverToClient]?.capture.packetNumber ?? .max)
        let order: [Direction] = clientFirst ? [.clientToServer, .serverToClient] : [.serverToClient, .clientToServer]
        for direction in order { flush(direction, events: &events) }
    }

    /// `direction`'s run as one line (at its first packet), and a new run after it.
    mutating func flush(_ direction: Direction, events: inout EventBuffer) {
        guard let run = runs[direction] else { return }
        runs[direction] = nil
        var kept = events.takePayloadBuffer()
        kept.append(contentsOf: run.head)
        let binary = run.head.withUnsafeBytes { RawStreamDissector.looksBinary($0, cut: run.length > run.head.count) }
        var chunk = RawChunk(protocolName: protocolName, length: run.length, head: kept, previewIsHex: binary)
        chunk.packets = run.packets
        chunk.notRecognised = notRecognised
        events.add(.rawData(chunk), capture: run.capture, direction: direction, offset: run.offset)
    }

    var openState: OpenConnectionState { OpenConnectionState(protocolName: protocolName) }
}
