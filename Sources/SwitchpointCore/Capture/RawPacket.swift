/// One captured packet as libpcap handed it over. `bytes` points into libpcap's buffer and
/// is valid only until the next packet is read: decode it in place, copy only what must
/// outlive the call.
package struct RawPacket {
    package var bytes: UnsafeRawBufferPointer
    /// Length on the wire; larger than `bytes.count` when the snaplen cut the packet.
    package var originalLength: Int
    package var linkType: LinkType
    package var capture: CaptureInfo

    package init(bytes: UnsafeRawBufferPointer, originalLength: Int, linkType: LinkType, capture: CaptureInfo) {
        self.bytes = bytes
        self.originalLength = originalLength
        self.linkType = linkType
        self.capture = capture
    }

    package var isTruncatedBySnaplen: Bool { bytes.count < originalLength }
}
