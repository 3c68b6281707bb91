/// Docker's attach (and exec) stream after `Upgrade: tcp`: the example protocol of
/// docs/architecture.md. Without a TTY the daemon multiplexes the container's stdout and
/// stderr into frames, an 8-byte header (stream type, three zero bytes, a 32-bit
/// big-endian length) and the payload; each frame becomes one chunk named by its stream.
/// With a TTY the stream is plain bytes, shown raw like any other switched stream, as is
/// the client's stdin, never framed.
package struct DockerAttachDissector: UpgradedStreamDissector {
    /// The 8 header bytes of a multiplexed frame.
    static let headerLength = 8

    enum ServerFraming {
        /// No server byte yet: the first one tells (a stream type, or text from a TTY).
        case undecided
        case multiplexed
        /// A TTY, a header that was not one, or a gap that lost the frame boundaries.
        case raw
    }

    /// The frame being read.
    struct Frame {
        var stream: DockerStreamType
        var length: UInt32
        var received: UInt32 = 0
        var offset: UInt64
        /// The payload's first bytes (a pooled buffer, handed out with the chunk).
        var head: [UInt8]
    }

    /// Stdin, the TTY case and whatever cannot be framed: chunks named by the token.
    private var raw: RawStreamDissector
    private var framing = ServerFraming.undecided
    /// Header bytes gathered so far (big-endian into an integer: no buffer).
    private var header: UInt64 = 0
    private var headerCount = 0
    private var headerOffset: UInt64 = 0
    private var frame: Frame?

    package init(context: UpgradeContext) {
        raw = RawStreamDissector(protocolName: context.protocolName)
    }

    package mutating func receive(
        _ bytes: UnsafeRawBufferPointer, direction: Direction, offset: UInt64, capture: CaptureInfo,
        events: inout EventBuffer
    ) {
        guard direction == .serverToClient, !bytes.isEmpty else {
            raw.receive(bytes, direction: direction, offset: offset, capture: capture, events: &events)
            return
        }
        if case .undecided = framing {
            framing = DockerStreamType(rawValue: bytes[0]).name != nil ? .multiplexed : .raw
        }
        guard case .multiplexed = framing else {
            raw.receive(bytes, direction: direction, offset: offset, capture: capture, events: &events)
            return
        }
        var index = 0
        while index < bytes.count {
            if frame == nil {
                if headerCount == 0 { headerOffset = offset + UInt64(index) }
                while headerCount < Self.headerLength && index < bytes.count {
                    header = header << 8 | UInt64(bytes[index])
                    headerCount += 1
                    index += 1
                }
                guard headerCount == Self.headerLength else { return }
                guard startFrame(events: &events) else {
                    // Not a header: the stream is not framed after all; it and the rest are raw.
                    framing = .raw
                    let notHeader = header.bigEndian
                    withUnsafeBytes(of: notHeader) {
                        raw.receive($0, direction: direction, offset: headerOffset, capture: capture, events: &events)
                    }
                    raw.receive(
                        bytes.droppingPrefix(index), direction: direction, offset: offset + UInt64(index),
                        capture: capture, events: &events)
                    return
                }
                if frame?.length == 0 {
                    // An empty frame ends with its header (not with whatever bytes come next).
                    endFrame(capture: capture, events: &events)
                    continue
                }
            }
            guard var current = frame else { continue }
            let take = min(Int(current.length - current.received), bytes.count - index)
            let room = RawStreamDissector.previewLength - current.head.count
            if room > 0 {
                current.head.append(
                    contentsOf: UnsafeRawBufferPointer(rebasing: bytes[index..<(index + min(room, take))]))
            }
            current.received += UInt32(take)
            index += take
            frame = current
            if current.received == current.length { endFrame(capture: capture, events: &events) }
        }
    }

    /// Reads the gathered header; false when it is not one (an unknown stream type, or a
    /// non-zero padding byte).
    private mutating func startFrame(events: inout EventBuffer) -> Bool {
        let stream = DockerStreamType(rawValue: UInt8(truncatingIfNeeded: header >> 56))
        let padding = (header >> 32) & 0x00ff_ffff
        let length = UInt32(truncatingIfNeeded: header)
        guard stream.name != nil, padding == 0 else { return false }
        header = 0
        headerCount = 0
        frame = Frame(stream: stream, length: length, offset: headerOffset, head: events.takePayloadBuffer())
        return true
    }

    private mutating func endFrame(capture: CaptureInfo, events: inout EventBuffer) {
        guard let done = frame else { return }
        frame = nil
        let cut = done.received > UInt32(done.head.count)
        let isHex = done.head.withUnsafeBytes { RawStreamDissector.looksBinary($0, cut: cut) }
        events.add(
            .rawData(
                RawChunk(
                    protocolName: done.stream.name ?? "", length: Int(done.received), head: done.head,
                    previewIsHex: isHex)),
            capture: capture, direction: .serverToClient, offset: done.offset)
    }

    package mutating func receiveGap(
        direction: Direction, offset: UInt64, length: UInt64, capture: CaptureInfo,
        events: inout EventBuffer
    ) {
        guard direction == .serverToClient, case .multiplexed = framing else { return }
        // Inside a payload the frame goes on (its chunk counts the bytes it saw); anywhere
        // else the frame boundaries are lost and the rest is shown raw.
        if var current = frame, headerCount == 0, length <= UInt64(current.length - current.received) {
            current.length -= UInt32(length)
            frame = current
            if current.received == current.length { endFrame(capture: capture, events: &events) }
            return
        }
        endFrame(capture: capture, events: &events)
        framing = .raw
    }

    package mutating func finish(capture: CaptureInfo, events: inout EventBuffer) {
        // A frame the connection cut short: what arrived of it.
        endFrame(capture: capture, events: &events)
    }

    package var openState: OpenConnectionState { raw.openState }
}
