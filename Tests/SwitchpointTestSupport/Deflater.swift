import CZlib

/// Raw DEFLATE compression for building test payloads (a permessage-deflate sender
/// strips the final 00 00 ff ff, RFC 7692 §7.2.1; so does this).
enum Deflater {
    struct Failure: Error {}

    static func compress(_ input: [UInt8]) throws -> [UInt8] {
        var stream = z_stream()
        guard
            deflateInit2_(
                &stream, Z_BEST_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY,
                ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK
        else { throw Failure() }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 16)
        var produced = 0
        try input.withUnsafeBytes { source in
            try output.withUnsafeMutableBytes { target in
                stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress?.assumingMemoryBound(to: Bytef.self))
                stream.avail_in = uInt(source.count)
                stream.next_out = target.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(target.count)
                guard deflate(&stream, Z_SYNC_FLUSH) == Z_OK else { throw Failure() }
                produced = target.count - Int(stream.avail_out)
            }
        }
        var result = Array(output.prefix(produced))
        if result.suffix(4) == [0x00, 0x00, 0xff, 0xff] { result.removeLast(4) }
        return result
    }
}
