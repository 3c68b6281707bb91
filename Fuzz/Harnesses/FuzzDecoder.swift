@testable import SwitchpointCore

/// The packet decoder: first byte picks the link type, the rest is the packet.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDecoder(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let links: [LinkType] = [.ethernet, .linuxCooked, .linuxCooked2, .bsdNull, .bsdLoop, .rawIP, .rawIPv4, .rawIPv6]
    let link = links[Int(bytes[0]) % links.count]
    let packetBytes = UnsafeRawBufferPointer(rebasing: bytes[1...])
    // Bit 7 of the selector: the snaplen cut the packet (original length larger).
    let original = packetBytes.count + (bytes[0] & 0x80 != 0 ? 100 : 0)
    let packet = RawPacket(bytes: packetBytes, originalLength: original, linkType: link, capture: FuzzInput.capture)
    var statistics = DecodeStatistics()
    let result = PacketDecoder.decode(packet)
    statistics.count(result)
    if case .tcp(let segment) = result {
        precondition(segment.payload.count <= segment.payloadLength, "payload beyond its length")
        precondition(segment.payload.count <= packetBytes.count, "payload outside the packet")
    }
    return 0
}
