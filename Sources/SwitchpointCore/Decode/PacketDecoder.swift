/// Decodes link, IP and TCP headers in place: no copies, no allocation; every length is
/// checked before the read it guards.
package enum PacketDecoder {
    /// Named limits of the decoder.
    package static let maxVLANTags = 8
    package static let maxIPv6ExtensionHeaders = 16

    private static let etherTypeIPv4: UInt16 = 0x0800
    private static let etherTypeIPv6: UInt16 = 0x86DD

    package static func decode(_ packet: RawPacket) -> PacketDecodeResult {
        let bytes = packet.bytes
        let snaplenCut = packet.isTruncatedBySnaplen
        switch packet.linkType {
        case .ethernet:
            guard bytes.count >= 14 else { return .truncated(.linkHeaderTruncated) }
            return decodeEtherType(bytes.readBigEndianUInt16(at: 12), bytes: bytes, offset: 14, snaplenCut: snaplenCut)
        case .linuxCooked:
            guard bytes.count >= 16 else { return .truncated(.linkHeaderTruncated) }
            return decodeEtherType(bytes.readBigEndianUInt16(at: 14), bytes: bytes, offset: 16, snaplenCut: snaplenCut)
        case .linuxCooked2:
            guard bytes.count >= 20 else { return .truncated(.linkHeaderTruncated) }
            return decodeEtherType(bytes.readBigEndianUInt16(at: 0), bytes: bytes, offset: 20, snaplenCut: snaplenCut)
        case .bsdNull, .bsdLoop:
            guard bytes.count >= 4 else { return .truncated(.linkHeaderTruncated) }
            // DLT_NULL stores the address family in the capturing host's byte order, so
            // accept either; DLT_LOOP is always network order.
            let bigEndian = bytes.readBigEndianUInt32(at: 0)
            let family =
                packet.linkType == .bsdLoop ? bigEndian : (bigEndian > 0xffff ? bigEndian.byteSwapped : bigEndian)
            switch family {
            case 2: return decodeIPv4(bytes, offset: 4, snaplenCut: snaplenCut)
            case 10, 24, 28, 30: return decodeIPv6(bytes, offset: 4, snaplenCut: snaplenCut)
            default: return .notTCP
            }
        case .rawIP:
            guard bytes.count >= 1 else { return .truncated(.linkHeaderTruncated) }
            switch bytes[0] >> 4 {
            case 4: return decodeIPv4(bytes, offset: 0, snaplenCut: snaplenCut)
            case 6: return decodeIPv6(bytes, offset: 0, snaplenCut: snaplenCut)
            default: return .malformed(.badIPVersion)
            }
        case .rawIPv4:
            return decodeIPv4(bytes, offset: 0, snaplenCut: snaplenCut)
        case .rawIPv6:
            return decodeIPv6(bytes, offset: 0, snaplenCut: snaplenCut)
        }
    }

    /// Follows 802.1Q / 802.1ad / legacy QinQ tags to the payload's EtherType.
    @inline(__always)
    private static func decodeEtherType(
        _ first: UInt16, bytes: UnsafeRawBufferPointer, offset start: Int, snaplenCut: Bool
    ) -> PacketDecodeResult {
        var etherType = first
        var offset = start
        var tags = 0
        while etherType == 0x8100 || etherType == 0x88A8 || etherType == 0x9100 {
            tags += 1
            guard tags <= maxVLANTags else { return .malformed(.tooManyVLANTags) }
            guard bytes.count >= offset + 4 else { return .truncated(.linkHeaderTruncated) }
            etherType = bytes.readBigEndianUInt16(at: offset + 2)
            offset += 4
        }
        switch etherType {
        case etherTypeIPv4: return decodeIPv4(bytes, offset: offset, snaplenCut: snaplenCut)
        case etherTypeIPv6: return decodeIPv6(bytes, offset: offset, snaplenCut: snaplenCut)
        default: return .notTCP
        }
    }

    static func decodeIPv4(_ bytes: UnsafeRawBufferPointer, offset: Int, snaplenCut: Bool) -> PacketDecodeResult {
        let available = bytes.count - offset
        guard available >= 20 else {
            return snaplenCut ? .truncated(.ipv4HeaderTruncated) : .malformed(.ipv4HeaderTruncated)
        }
        let versionAndLength = bytes[offset]
        guard versionAndLength >> 4 == 4 else { return .malformed(.badIPVersion) }
        let headerLength = Int(versionAndLength & 0x0f) * 4
        guard headerLength >= 20 else { return .malformed(.ipv4BadHeaderLength) }
        guard available >= headerLength else {
            return snaplenCut ? .truncated(.ipv4HeaderTruncated) : .malformed(.ipv4HeaderTruncated)
        }
        var totalLength = Int(bytes.readBigEndianUInt16(at: offset + 2))
        if totalLength == 0 && !snaplenCut {
            // TSO: the sending host captured the segment before the NIC filled in the length.
            totalLength = available
        }
        guard totalLength >= headerLength else { return .malformed(.ipv4BadTotalLength) }
        if totalLength > available && !snaplenCut { return .malformed(.ipv4BadTotalLength) }
        let flagsAndFragment = bytes.readBigEndianUInt16(at: offset + 6)
        if flagsAndFragment & 0x2000 != 0 || flagsAndFragment & 0x1fff != 0 {
            return .fragment
        }
        guard bytes[offset + 9] == 6 else { return .notTCP }
        let source = IPAddress(ipv4: bytes.readBigEndianUInt32(at: offset + 12))
        let destination = IPAddress(ipv4: bytes.readBigEndianUInt32(at: offset + 16))
        // The end of the IP datagram trims Ethernet padding; the captured end bounds reads.
        let capturedEnd = offset + min(totalLength, available)
        return decodeTCP(
            bytes, offset: offset + headerLength, capturedEnd: capturedEnd,
            claimedLength: totalLength - headerLength, source: source, destination: destination, snaplenCut: snaplenCut)
    }

    static func decodeIPv6(_ bytes: UnsafeRawBufferPointer, offset: Int, snaplenCut: Bool) -> PacketDecodeResult {
        let available = bytes.count - offset
        guard available >= 40 else {
            return snaplenCut ? .truncated(.ipv6HeaderTruncated) : .malformed(.ipv6HeaderTruncated)
        }
        guard bytes[offset] >> 4 == 6 else { return .malformed(.badIPVersion) }
        let payloadLength = Int(bytes.readBigEndianUInt16(at: offset + 4))
        if payloadLength == 0 && available > 40 {
            return .malformed(.ipv6Jumbogram)
        }
        if payloadLength > available - 40 && !snaplenCut { return .malformed(.ipv6BadPayloadLength) }
        let source = IPAddress(
            ipv6High: bytes.readBigEndianUInt64(at: offset + 8), low: bytes.readBigEndianUInt64(at: offset + 16))
        let destination = IPAddress(
            ipv6High: bytes.readBigEndianUInt64(at: offset + 24), low: bytes.readBigEndianUInt64(at: offset + 32))
        let datagramEnd = offset + 40 + payloadLength
        let capturedEnd = min(datagramEnd, bytes.count)
        var nextHeader = bytes[offset + 6]
        var cursor = offset + 40
        var walked = 0
        while true {
            switch nextHeader {
            case 6:
                guard cursor <= datagramEnd else { return .malformed(.ipv6BadPayloadLength) }
                return decodeTCP(
                    bytes, offset: cursor, capturedEnd: capturedEnd, claimedLength: datagramEnd - cursor,
                    source: source, destination: destination, snaplenCut: snaplenCut)
            case 0, 43, 60, 135, 139, 140, 44, 51:
                walked += 1
                guard walked <= maxIPv6ExtensionHeaders else { return .malformed(.ipv6TooManyExtensionHeaders) }
                guard capturedEnd >= cursor + 8 else {
                    return snaplenCut
                        ? .truncated(.ipv6ExtensionHeaderTruncated) : .malformed(.ipv6ExtensionHeaderTruncated)
                }
                let headerLength: Int
                switch nextHeader {
                case 44:
                    let fragmentField = bytes.readBigEndianUInt16(at: cursor + 2)
                    if fragmentField & 0xfff8 != 0 || fragmentField & 1 != 0 { return .fragment }
                    headerLength = 8  // an atomic fragment: the payload follows whole
                case 51:
                    headerLength = (Int(bytes[cursor + 1]) + 2) * 4
                default:
                    headerLength = (Int(bytes[cursor + 1]) + 1) * 8
                }
                nextHeader = bytes[cursor]
                cursor += headerLength
                guard cursor <= datagramEnd else { return .malformed(.ipv6ExtensionHeaderTruncated) }
            default:
                return .notTCP
            }
        }
    }

    @inline(__always)
    static func decodeTCP(
        _ bytes: UnsafeRawBufferPointer, offset: Int, capturedEnd: Int, claimedLength: Int,
        source: IPAddress, destination: IPAddress, snaplenCut: Bool
    ) -> PacketDecodeResult {
        guard claimedLength >= 20 else { return .malformed(.tcpHeaderTruncated) }
        guard capturedEnd - offset >= 20 else {
            return snaplenCut ? .truncated(.tcpHeaderTruncated) : .malformed(.tcpHeaderTruncated)
        }
        let headerLength = Int(bytes[offset + 12] >> 4) * 4
        guard headerLength >= 20, headerLength <= claimedLength else { return .malformed(.tcpBadDataOffset) }
        guard capturedEnd - offset >= headerLength else {
            return snaplenCut ? .truncated(.tcpHeaderTruncated) : .malformed(.tcpHeaderTruncated)
        }
        let flags = TCPFlags(rawValue: bytes.readBigEndianUInt16(at: offset + 12) & 0x01ff)
        let payloadStart = offset + headerLength
        return .tcp(
            TCPSegment(
                source: Endpoint(address: source, port: bytes.readBigEndianUInt16(at: offset)),
                destination: Endpoint(address: destination, port: bytes.readBigEndianUInt16(at: offset + 2)),
                sequence: bytes.readBigEndianUInt32(at: offset + 4),
                acknowledgment: bytes.readBigEndianUInt32(at: offset + 8),
                flags: flags,
                window: bytes.readBigEndianUInt16(at: offset + 14),
                payload: bytes.slice(payloadStart, capturedEnd),
                payloadLength: claimedLength - headerLength,
                optionBytes: bytes.slice(offset + 20, payloadStart)))
    }
}
