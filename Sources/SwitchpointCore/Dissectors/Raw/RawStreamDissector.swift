/// The view of a protocol switchpoint does not dissect: per-direction chunks with byte
/// counts and an escaped preview, so nothing from the wire reaches the terminal raw.
public struct RawStreamDissector: UpgradedStreamDissector {
    public let protocolName: String
    /// Bytes of each chunk shown in the preview.
    public static let previewLength = 48
    private var totals: [UInt64] = [0, 0]

    public init(protocolName: String) {
        self.protocolName = protocolName
    }

    public mutating func receive(_ bytes: UnsafeRawBufferPointer, direction: Direction, offset: UInt64, capture: CaptureInfo, events: inout EventBuffer) {
        guard !bytes.isEmpty else { return }
        totals[direction.rawValue] += UInt64(bytes.count)
        let preview = TerminalText.escape(bytes: bytes.prefix(Self.previewLength))
        events.add(.rawData(RawChunk(protocolName: protocolName, length: bytes.count,
                                     preview: bytes.count > Self.previewLength ? preview + "…" : preview)),
                   capture: capture, direction: direction, offset: offset)
    }

    public mutating func receiveGap(direction: Direction, offset: UInt64, length: UInt64, capture: CaptureInfo, events: inout EventBuffer) {}

    public mutating func finish(capture: CaptureInfo, events: inout EventBuffer) {}

    public func total(_ direction: Direction) -> UInt64 { totals[direction.rawValue] }
}
