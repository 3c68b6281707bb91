#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes whole lines to a file descriptor through its own buffer. With `flushEachLine`
/// every line leaves the process as soon as it is complete, also into a pipe (`| jq`,
/// `| grep` see events live); otherwise output goes out in 64 KiB blocks.
public final class LineWriter {
    public let descriptor: Int32
    public let flushEachLine: Bool
    /// Runs before output leaves the process (the live status line erases itself here).
    public var beforeFlush: (() -> Void)?
    private var buffer: [UInt8] = []
    private static let blockSize = 64 * 1024

    public init(descriptor: Int32, flushEachLine: Bool) {
        self.descriptor = descriptor
        self.flushEachLine = flushEachLine
        buffer.reserveCapacity(Self.blockSize)
    }

    deinit {
        flush()
    }

    public static func standardOutput(flushEachLine: Bool) -> LineWriter {
        LineWriter(descriptor: 1, flushEachLine: flushEachLine)
    }

    public static func standardError() -> LineWriter {
        LineWriter(descriptor: 2, flushEachLine: true)
    }

    public func write(line: String) {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0a)
        if flushEachLine || buffer.count >= Self.blockSize { flush() }
    }

    public func flush() {
        guard !buffer.isEmpty else { return }
        beforeFlush?()
        var written = 0
        buffer.withUnsafeBytes { bytes in
            guard let base = bytes.baseAddress else { return }
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
        buffer.removeAll(keepingCapacity: true)
    }

    /// Whether the descriptor is a terminal (colour and status lines only then).
    public var isTerminal: Bool { isatty(descriptor) != 0 }
}
