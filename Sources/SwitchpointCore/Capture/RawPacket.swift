/// One captured packet as libpcap handed it over. `bytes` points into libpcap's buffer and
/// is valid only until the next packet is read: decode it in place, copy only what must
/// outlive the call.
public struct RawPacket {
    public var bytes: UnsafeRawBufferPointer
    /// Length on the wire; larger than `bytes.count` when the snaplen cut the packet.
    public var originalLength: Int
    public var linkType: LinkType
    public var capture: CaptureInfo

    public init(bytes: UnsafeRawBufferPointer, originalLength: Int, linkType: LinkType, capture: CaptureInfo) {
        self.bytes = bytes
        self.originalLength = originalLength
        self.linkType = linkType
        self.capture = capture
    }

    public var isTruncatedBySnaplen: Bool { bytes.count < originalLength }
}
