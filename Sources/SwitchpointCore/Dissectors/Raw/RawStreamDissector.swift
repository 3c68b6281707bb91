/// The view of a protocol switchpoint does not dissect: per-direction chunks with byte
/// counts and the first bytes, which printers show as text or hex.
package struct RawStreamDissector: UpgradedStreamDissector {
    package let protocolName: String
    /// Bytes of each chunk shown in the preview.
    package static let previewLength = 48
    private var totals = PerDirection<UInt64>(repeating: 0)

    package init(protocolName: String) {
        self.protocolName = protocolName
    }

    package mutating func receive(
        _ bytes: UnsafeRawBufferPointer, direction: Direction, offset: UInt64, capture: CaptureInfo,
        events: inout EventBuffer
    ) {
        guard !bytes.isEmpty else { return }
        totals[direction] += UInt64(bytes.count)
        let head = bytes.prefix(Self.previewLength)
        var kept = events.takePayloadBuffer()
        kept.append(contentsOf: head)
        events.add(
            .rawData(
                RawChunk(
                    protocolName: protocolName, length: bytes.count, head: kept,
                    previewIsHex: Self.looksBinary(head, cut: bytes.count > head.count))),
            capture: capture, direction: direction, offset: offset)
    }

    /// Text when the bytes read as text (a few control bytes allowed: terminal sessions
    /// carry escapes), else binary: binary shown as text is noise.
    static func looksBinary(_ head: UnsafeRawBufferPointer, cut: Bool) -> Bool {
        var controls = 0
        for byte in head
        where (byte < 0x20 && byte != 0x09 && byte != 0x0a && byte != 0x0d && byte != 0x1b) || byte == 0x7f {
            controls += 1
        }
        return isNotUTF8(head, cut: cut) || controls * 10 > head.count
    }

    /// Bytes that are not UTF-8 text: an invalid sequence anywhere but at the cut end.
    private static func isNotUTF8(_ head: UnsafeRawBufferPointer, cut: Bool) -> Bool {
        var index = 0
        while index < head.count {
            let byte = head[index]
            let length: Int
            switch byte {
            case 0x00...0x7f: length = 1
            case 0xc2...0xdf: length = 2
            case 0xe0...0xef: length = 3
            case 0xf0...0xf4: length = 4
            default: return true
            }
            if index + length > head.count { return !cut }  // a character split by the preview's cut is fine
            for continuation in 1..<length where head[index + continuation] & 0xc0 != 0x80 { return true }
            index += length
        }
        return false
    }

    package mutating func receiveGap(
        direction: Direction, offset: UInt64, length: UInt64, capture: CaptureInfo, events: inout EventBuffer
    ) {}

    package mutating func finish(capture: CaptureInfo, events: inout EventBuffer) {}

    package var openState: OpenConnectionState { OpenConnectionState(protocolName: protocolName) }

    package func total(_ direction: Direction) -> UInt64 { totals[direction] }
}
