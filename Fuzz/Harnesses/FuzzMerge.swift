@testable import SwitchpointCore

#if canImport(Glibc)
    import Glibc
#endif

/// `switchpoint merge` on hostile shard outputs: the input is one or several inputs
/// (separated by a 0x1e byte), each merged as a file would be. Merge must never trap, must
/// write nothing when it refuses, and what it writes must be whole JSON lines: one per
/// event it counted, then the summary.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMerge(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0, MergeFuzz.output >= 0 else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    var inputs: [ShardMerge.Input] = []
    var start = 0
    for index in 0..<size where bytes[index] == MergeFuzz.separator && inputs.count < MergeFuzz.maxInputs - 1 {
        inputs.append(
            ShardMerge.Input(
                name: "input \(inputs.count)", bytes: UnsafeRawBufferPointer(rebasing: bytes[start..<index])))
        start = index + 1
    }
    inputs.append(
        ShardMerge.Input(name: "input \(inputs.count)", bytes: UnsafeRawBufferPointer(rebasing: bytes[start...])))
    ftruncate(MergeFuzz.output, 0)
    lseek(MergeFuzz.output, 0, SEEK_SET)
    let writer = LineWriter(descriptor: MergeFuzz.output, flushEachLine: false)
    var merge = ShardMerge()
    var refusal: String?
    do {
        try merge.merge(inputs, into: writer)
    } catch {
        refusal = error.description
    }
    writer.flush()
    let written = MergeFuzz.readBack()
    if let refusal {
        precondition(written.isEmpty, "merge wrote \(written.count) bytes, then refused: \(refusal)")
        precondition(!refusal.isEmpty, "a refusal without a reason")
        return 0
    }
    MergeFuzz.checkLines(written, events: merge.eventsWritten)
    return 0
}

enum MergeFuzz {
    /// Separates one input from the next in the fuzzer's bytes.
    static let separator: UInt8 = 0x1e
    /// Named bound: inputs per run.
    static let maxInputs = 8
    /// Where merge writes: an unlinked temporary file, read back after each run.
    static let output: Int32 = {
        guard let file = tmpfile() else { return -1 }
        return fileno(file)
    }()

    static func readBack() -> [UInt8] {
        let count = Int(lseek(output, 0, SEEK_CUR))
        guard count > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: count)
        let read = bytes.withUnsafeMutableBytes { pread(output, $0.baseAddress, count, 0) }
        precondition(read == count, "read back \(read) of \(count) bytes")
        return bytes
    }

    /// Every line a whole JSON object; the events merge counted, then one summary.
    static func checkLines(_ written: [UInt8], events: Int) {
        precondition(written.last == 0x0a, "the output does not end with a line end")
        let lines = written.dropLast().split(separator: 0x0a, omittingEmptySubsequences: false)
        precondition(lines.count == events + 1, "\(lines.count) lines for \(events) events and a summary")
        for (number, line) in lines.enumerated() {
            Array(line).withUnsafeBytes { bytes in
                precondition(JSONSyntax.isWholeObject(bytes), "line \(number + 1) is not one whole JSON object")
            }
        }
        precondition(lines.last?.starts(with: ShardMerge.summaryPrefix) == true, "the last line is not the summary")
    }
}
