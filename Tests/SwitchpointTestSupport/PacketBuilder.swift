@testable import SwitchpointCore

/// Builds link/IP/TCP packets byte by byte for decoder tests.
enum PacketBuilder {
    static func be16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xff)] }
    static func be32(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }

    static func tcp(
        sourcePort: UInt16 = 40000, destinationPort: UInt16 = 80, seq: UInt32 = 1, ack: UInt32 = 0,
        flags: UInt16 = 0x018, options: [UInt8] = [], payload: [UInt8] = []
    ) -> [UInt8] {
        let headerLength = 20 + options.count
        var bytes = be16(sourcePort) + be16(destinationPort) + be32(seq) + be32(ack)
        bytes += be16(UInt16(headerLength / 4) << 12 | flags) + be16(65535) + [0, 0, 0, 0]
        return bytes + options + payload
    }

    static func ipv4(
        source: UInt32 = 0x0a00_0001, destination: UInt32 = 0x0a00_0002, protocolNumber: UInt8 = 6,
        options: [UInt8] = [], flagsAndFragment: UInt16 = 0x4000, totalLength: UInt16? = nil, payload: [UInt8]
    ) -> [UInt8] {
        let headerLength = 20 + options.count
        let total = totalLength ?? UInt16(headerLength + payload.count)
        var bytes: [UInt8] = [0x40 | UInt8(headerLength / 4), 0] + be16(total) + [0, 1] + be16(flagsAndFragment)
        bytes += [64, protocolNumber, 0, 0] + be32(source) + be32(destination)
        return bytes + options + payload
    }

    static func ipv6(
        nextHeader: UInt8 = 6, extensions: [UInt8] = [], payload: [UInt8], payloadLength: UInt16? = nil
    ) -> [UInt8] {
        var bytes: [UInt8] =
            [0x60, 0, 0, 0] + be16(payloadLength ?? UInt16(extensions.count + payload.count)) + [nextHeader, 64]
        bytes += [0xfd, 0, 0x53, 0x50] + [UInt8](repeating: 0, count: 11) + [1]
        bytes += [0xfd, 0, 0x53, 0x50] + [UInt8](repeating: 0, count: 11) + [2]
        return bytes + extensions + payload
    }

    static func ethernet(etherType: UInt16 = 0x0800, tags: [(UInt16, UInt16)] = [], payload: [UInt8]) -> [UInt8] {
        var bytes = [UInt8](repeating: 0x02, count: 6) + [UInt8](repeating: 0x04, count: 6)
        for (tpid, tci) in tags { bytes += be16(tpid) + be16(tci) }
        return bytes + be16(etherType) + payload
    }

    static func decode(_ bytes: [UInt8], linkType: LinkType, originalLength: Int? = nil) -> PacketDecodeResult {
        bytes.withUnsafeBytes { buffer in
            PacketDecoder.decode(
                RawPacket(
                    bytes: buffer, originalLength: originalLength ?? bytes.count, linkType: linkType,
                    capture: CaptureInfo(packetNumber: 1, timestamp: .zero)))
        }
    }

    /// The decoded segment's fields that tests compare, with the payload copied.
    struct Summary: Equatable {
        var source: String
        var destination: String
        var seq: UInt32
        var flags: UInt16
        var payload: [UInt8]
        var payloadLength: Int
    }

    static func summary(_ bytes: [UInt8], linkType: LinkType, originalLength: Int? = nil) -> Summary? {
        bytes.withUnsafeBytes { buffer in
            let result = PacketDecoder.decode(
                RawPacket(
                    bytes: buffer, originalLength: originalLength ?? bytes.count,
                    linkType: linkType, capture: CaptureInfo(packetNumber: 1, timestamp: .zero)))
            guard case .tcp(let segment) = result else { return nil }
            return Summary(
                source: segment.source.description, destination: segment.destination.description,
                seq: segment.sequence, flags: segment.flags.rawValue, payload: Array(segment.payload),
                payloadLength: segment.payloadLength)
        }
    }
}
