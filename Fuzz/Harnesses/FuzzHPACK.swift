import NIOCore
import NIOHPACK

@testable import SwitchpointCore

/// Differential: `PartialHPACKDecoder` started at a connection's start must decode every
/// header block exactly as NIOHPACK does, and fail where it fails.
/// Input: one byte choosing the table size (its value × 32) and whether the list size is
/// small, then blocks: a length byte (0-255) and that many bytes (fewer at the end).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHPACK(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let tableSize = Int(bytes[0] & 0x7f) * 32
    let listSize = bytes[0] & 0x80 != 0 ? 512 : HTTP2Dissector.maxHeaderListSize
    var reference = HPACKDecoder(
        allocator: ByteBufferAllocator(), maxDynamicTableSize: tableSize, maxHeaderListSize: listSize)
    var decoder = PartialHPACKDecoder(maxTableSize: tableSize, maxHeaderListSize: listSize, historyKnown: true)
    var index = 1
    var blocks = 0
    while index < bytes.count, blocks < FuzzInput.maxChunks {
        let length = min(Int(bytes[index]), bytes.count - index - 1)
        let block = Array(bytes[(index + 1)..<(index + 1 + length)])
        index += 1 + length
        blocks += 1
        var buffer = ByteBufferAllocator().buffer(bytes: block)
        let expected = try? reference.decodeHeaders(from: &buffer).map { [$0.name, $0.value] }
        let got = try? decoder.decode(block).map { [$0.name ?? "?", $0.value ?? "?"] }
        precondition(
            expected == got, "NIOHPACK \(String(describing: expected)) vs \(String(describing: got)) on \(block)")
        // After a failure the two tables may differ (NIOHPACK keeps what it inserted).
        if expected == nil { break }
    }
    return 0
}
