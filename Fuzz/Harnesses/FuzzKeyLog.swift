@testable import SwitchpointCore

/// Key log parsing on hostile bytes: `TLSKeyLogLineReader` fed whole and in chunks (the
/// first byte picks the chunk size) must cut the same lines, none past the line limit; the
/// key log read from the file, then the same bytes as a capture's embedded secrets, then
/// merged into another, must keep its counts consistent. Never a trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzKeyLog(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let body = UnsafeRawBufferPointer(rebasing: bytes[1...])
    // Small chunks on small inputs; a large input in at most `maxChunks` (speed, not coverage).
    let chunkSize = max(Int(bytes[0]) + 1, body.count / KeyLogFuzz.maxChunks + 1)
    let whole = KeyLogFuzz.lines(body, chunk: max(body.count, 1))
    let chunked = KeyLogFuzz.lines(body, chunk: chunkSize)
    precondition(whole.count == chunked.count, "\(whole.count) lines whole, \(chunked.count) in chunks of \(chunkSize)")
    for (one, other) in zip(whole, chunked) {
        precondition(one.number == other.number && one.bytes == other.bytes, "line \(one.number) differs in chunks")
        precondition(one.bytes.count <= TLSKeyLog.maxLineBytes, "line \(one.number) past the limit")
    }
    var keyLog = TLSKeyLog()
    keyLog.add(bytes: body, source: "fuzz", from: .file)
    precondition(keyLog.lineCount <= whole.count, "more key log lines than lines")
    precondition(keyLog.malformedLines + keyLog.otherLabelLines <= keyLog.lineCount, "counts past the lines")
    precondition((keyLog.malformedLines > 0) == (keyLog.malformedSummary != nil), "malformed lines unreported")
    let randoms = keyLog.clientRandomCount
    keyLog.add(bytes: body, source: "fuzz (embedded)", from: .embedded)
    // Embedded secrets never replace a file's nor add a client random the file has.
    precondition(keyLog.clientRandomCount == randoms, "embedded secrets added a connection")
    _ = keyLog.conflictSummary
    var other = TLSKeyLog(
        text: "CLIENT_RANDOM \(String(repeating: "ab", count: 32)) \(String(repeating: "cd", count: 48))")
    other.merge(keyLog)
    precondition(other.clientRandomCount <= randoms + 1, "a merge added connections")
    for (random, secrets) in keyLog.tls13Connections(limit: KeyLogFuzz.maxLookups) {
        precondition(keyLog.secrets(clientRandom: random) == secrets, "a listed connection is not found")
    }
    if body.count >= TLSKeyLog.clientRandomLength {
        _ = keyLog.secrets(clientRandom: Array(body.prefix(TLSKeyLog.clientRandomLength)))
    }
    return 0
}

enum KeyLogFuzz {
    /// Named bound: chunks one input is fed in.
    static let maxChunks = 256
    /// Named bound: TLS 1.3 connections looked up per input.
    static let maxLookups = 64

    /// The lines the reader cuts from `bytes` fed `chunk` bytes at a time.
    static func lines(_ bytes: UnsafeRawBufferPointer, chunk: Int) -> [(number: Int, bytes: [UInt8])] {
        var reader = TLSKeyLogLineReader()
        var lines: [(number: Int, bytes: [UInt8])] = []
        var start = 0
        while start < bytes.count {
            let end = min(start + chunk, bytes.count)
            reader.feed(UnsafeRawBufferPointer(rebasing: bytes[start..<end])) { line, number in
                lines.append((number, Array(line)))
            }
            start = end
        }
        reader.finish { line, number in lines.append((number, Array(line))) }
        return lines
    }
}
