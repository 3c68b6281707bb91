/// The payload of an ORIGIN frame (RFC 8336 §2): the origins the server says it is
/// authoritative for, each as a 16-bit length and that many bytes of ASCII origin.
enum HTTP2OriginEntries {
    /// Origins kept from one frame; the rest are counted by the frame's length only.
    static let maxOrigins = 64

    /// The entries in order, up to the first whose length runs past the payload (a
    /// malformed rest is not read; §2.1 says to ignore what cannot be processed).
    static func parse(_ payload: [UInt8]) -> [String] {
        var origins: [String] = []
        var index = 0
        while index + 2 <= payload.count, origins.count < maxOrigins {
            let length = Int(payload[index]) << 8 | Int(payload[index + 1])
            index += 2
            guard index + length <= payload.count else { break }
            origins.append(String(decoding: payload[index..<(index + length)], as: UTF8.self))
            index += length
        }
        return origins
    }
}
