/// A packet copied out of its reader's buffer, to wait in a queue for another thread.
struct QueuedPacket {
    var bytes: [UInt8]
    var originalLength: Int
    var linkType: LinkType
    var capture: CaptureInfo

    init(_ packet: RawPacket) {
        bytes = Array(packet.bytes)
        originalLength = packet.originalLength
        linkType = packet.linkType
        capture = packet.capture
    }
}

/// The consuming thread's buffer for the packet it is handed: a `RawPacket`'s bytes stay
/// valid until the next `hand`, as a reader's do until its next read.
final class PacketSlot {
    private var buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 8)

    deinit {
        buffer.deallocate()
    }

    func hand(_ item: QueuedPacket) -> RawPacket {
        if item.bytes.count > buffer.count {
            buffer.deallocate()
            buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: item.bytes.count, alignment: 8)
        }
        item.bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
        return RawPacket(
            bytes: UnsafeRawBufferPointer(rebasing: buffer[..<item.bytes.count]), originalLength: item.originalLength,
            linkType: item.linkType, capture: item.capture)
    }
}
