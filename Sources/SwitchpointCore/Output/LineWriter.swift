#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes whole lines to a file descriptor through one reusable byte buffer. Printers
/// format a line into `out` and call `endLine()`. With `flushEachLine` every line leaves
/// the process as soon as it is complete, also into a pipe (`| jq`, `| grep` see events
/// live); otherwise output goes out in 64 KiB blocks.
package final class LineWriter {
    package let descriptor: Int32
    package let flushEachLine: Bool
    /// Runs before output leaves the process (the live status line erases itself here).
    package var beforeFlush: (() -> Void)?
    /// The line being written, and whatever is not flushed yet.
    package let out: OutputBuffer
    static let blockSize = 64 * 1024
    /// Runs of whole lines at least this long are written as they are, not copied into
    /// the buffer (`write(lines:)`).
    static let directWriteMinimum = 16 * 1024
    /// `--ascii`: everything past ASCII is spelled or escaped as it leaves (`ASCIITransliteration`).
    package var asciiOnly = false
    private lazy var transliterated = OutputBuffer(capacity: Self.blockSize + 4096)

    package init(descriptor: Int32, flushEachLine: Bool) {
        self.descriptor = descriptor
        self.flushEachLine = flushEachLine
        out = OutputBuffer(capacity: Self.blockSize + 4096)
    }

    deinit {
        flush()
    }

    package static func standardOutput(flushEachLine: Bool) -> LineWriter {
        LineWriter(descriptor: 1, flushEachLine: flushEachLine)
    }

    package static func standardError() -> LineWriter {
        LineWriter(descriptor: 2, flushEachLine: true)
    }

    /// A line of switchpoint's own text (escape wire text before, or use the escapers on
    /// `out`).
    package func write(line: String) {
        out.append(trusted: line)
        endLine()
    }

    /// Ends the line formatted into `out`.
    @inline(__always)
    package func endLine() {
        out.append(0x0a)
        if flushEachLine || out.count >= Self.blockSize { flush() }
    }

    /// Lines were appended to `out` directly (each ending in a newline).
    @inline(__always)
    package func wroteLines() {
        if flushEachLine || out.count >= Self.blockSize { flush() }
    }

    /// Whole lines formatted elsewhere (a connection's held block).
    package func write(lines: OutputBuffer) {
        write(lines: lines.bytes)
    }

    /// Whole lines formatted elsewhere (a worker's share of a sharded run): large runs go
    /// out as they are, without a copy.
    package func write(lines: UnsafeRawBufferPointer) {
        if lines.count >= Self.directWriteMinimum && !flushEachLine {
            // A held block: its own write, after what is buffered (copying it into the
            // buffer first cost more than the system call).
            flush()
            writeOut(lines)
            return
        }
        if out.count + lines.count > Self.blockSize {
            flush()
            if lines.count >= Self.blockSize {
                writeOut(lines)
                return
            }
        }
        out.append(lines)
        if flushEachLine { flush() }
    }

    package func flush() {
        guard !out.isEmpty else { return }
        writeOut(out.bytes)
        out.removeAll()
    }

    private func writeOut(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        beforeFlush?()
        if asciiOnly {
            transliterated.removeAll()
            ASCIITransliteration.append(bytes, to: transliterated)
            writeAll(transliterated.bytes)
        } else {
            writeAll(bytes)
        }
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        var written = 0
        while written < bytes.count {
            let result = Glibc.write(descriptor, base + written, bytes.count - written)
            if result > 0 {
                written += result
            } else if result < 0 && errno == EINTR {
                continue
            } else {
                break  // closed pipe or full disk: drop the output, keep analysing
            }
        }
    }

    /// Whether the descriptor is a terminal (colour and status lines only then).
    package var isTerminal: Bool { isatty(descriptor) != 0 }
}
