/// Why a packet could not be decoded down to TCP. Stable codes (`rawValue`) appear in
/// anomaly counts and JSON.
package enum DecodeProblem: String, Sendable, CaseIterable {
    case linkHeaderTruncated = "link.header_truncated"
    case tooManyVLANTags = "link.too_many_vlan_tags"
    case ipv4HeaderTruncated = "ipv4.header_truncated"
    case ipv4BadHeaderLength = "ipv4.bad_header_length"
    case ipv4BadTotalLength = "ipv4.bad_total_length"
    case ipv6HeaderTruncated = "ipv6.header_truncated"
    case ipv6BadPayloadLength = "ipv6.bad_payload_length"
    case ipv6ExtensionHeaderTruncated = "ipv6.extension_header_truncated"
    case ipv6TooManyExtensionHeaders = "ipv6.too_many_extension_headers"
    case ipv6Jumbogram = "ipv6.jumbogram_unsupported"
    case badIPVersion = "ip.bad_version"
    case tcpHeaderTruncated = "tcp.header_truncated"
    case tcpBadDataOffset = "tcp.bad_data_offset"
}

/// What a packet turned out to be.
package enum PacketDecodeResult {
    case tcp(TCPSegment)
    /// Not IPv4/IPv6, or IP carrying something other than TCP.
    case notTCP
    /// An IP fragment (IPv4 MF/offset, IPv6 Fragment header). Counted and reported, not
    /// reassembled: TCP stacks avoid fragmentation, so these are rare and suspicious.
    case fragment
    /// The snaplen cut the packet inside its headers.
    case truncated(DecodeProblem)
    /// Header fields contradict each other or the packet length.
    case malformed(DecodeProblem)
}
