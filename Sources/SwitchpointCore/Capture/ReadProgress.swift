import NIOConcurrencyHelpers

#if canImport(Glibc)
    import Glibc
#endif

/// The progress line of a long offline read, on standard error: bytes read of the total,
/// packets, rate and time left, redrawn at most four times a second and erased at the end.
/// Shown only when standard error is a terminal and the files total more than
/// `minimumTotalBytes` (`shouldShow`): a pipe or a log file never gets it.
///
/// The reading thread reports (`OfflineCaptureSource` every `reportInterval` packets); the
/// line is drawn from there. Timeline output on the same terminal erases it first
/// (`pause`, from the output's flush), and it stays away for one interval after, so the
/// two never share a line.
package final class ReadProgress: @unchecked Sendable {
    /// Files smaller than this finish before a progress line would help.
    package static let minimumTotalBytes: UInt64 = 50_000_000
    /// Packets between two reports from the reader (a power of two: a mask test).
    static let reportInterval: UInt64 = 1 << 8
    package static let minimumRedrawInterval = Duration.milliseconds(250)

    private let totalBytes: UInt64
    private let descriptor: Int32
    private let started = ContinuousClock.now
    private let lock = NIOLock()
    private var lastDraw: ContinuousClock.Instant
    private var shown = false
    private var finished = false

    package init(totalBytes: UInt64, descriptor: Int32 = 2) {
        self.totalBytes = totalBytes
        self.descriptor = descriptor
        // The first line after one interval: a read that quick needs none.
        lastDraw = started
    }

    /// The total size of `paths` when a progress line is wanted for them: not for standard
    /// input (no total), not below `minimumTotalBytes`, not when stderr is no terminal.
    package static func totalToShow(paths: [String], stderrIsTerminal: Bool = isatty(2) != 0) -> UInt64? {
        guard stderrIsTerminal, !paths.contains("-") else { return nil }
        var total: UInt64 = 0
        for path in paths {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            total += UInt64(max(0, info.st_size))
        }
        return total > minimumTotalBytes ? total : nil
    }

    /// From the reader: `bytesRead` of the total so far, `packets` read.
    func report(bytesRead: UInt64, packets: UInt64) {
        let now = ContinuousClock.now
        lock.withLock {
            guard !finished, now - lastDraw >= Self.minimumRedrawInterval else { return }
            lastDraw = now
            let line = Self.line(
                bytesRead: min(bytesRead, totalBytes), totalBytes: totalBytes, packets: packets,
                elapsed: now - started)
            write("\r\u{1b}[K" + line)
            shown = true
        }
    }

    /// Erases the line before other output reaches the terminal; it is redrawn no sooner
    /// than one interval later.
    package func pause() {
        lock.withLock {
            lastDraw = ContinuousClock.now
            eraseLocked()
        }
    }

    /// The read is over: the line is erased for good.
    package func finish() {
        lock.withLock {
            finished = true
            eraseLocked()
        }
    }

    private func eraseLocked() {
        guard shown else { return }
        write("\r\u{1b}[K")
        shown = false
    }

    /// `reading 61.2 MB of 243.9 MB (25%)  402113 packets  48.1 MB/s  ETA 4 s`.
    static func line(bytesRead: UInt64, totalBytes: UInt64, packets: UInt64, elapsed: Duration) -> String {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let percent = totalBytes == 0 ? 100 : Int(bytesRead * 100 / totalBytes)
        var line =
            "reading \(megabytes(bytesRead)) of \(megabytes(totalBytes)) (\(percent)%)  \(CountedNoun.text(packets, "packet"))"
        if seconds > 0, bytesRead > 0 {
            let rate = Double(bytesRead) / seconds
            line += "  \(megabytes(UInt64(rate)))/s"
            let left = Double(totalBytes - bytesRead) / rate
            line += "  ETA \(Int(left.rounded(.up))) s"
        }
        return line
    }

    /// `61.2 MB` (decimal megabytes, as the 50 MB threshold).
    static func megabytes(_ bytes: UInt64) -> String {
        let tenths = (bytes + 50_000) / 100_000
        return "\(tenths / 10).\(tenths % 10) MB"
    }

    private func write(_ text: String) {
        var copy = text
        copy.withUTF8 { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, base + offset, buffer.count - offset)
                if written > 0 { offset += written } else if written < 0 && errno == EINTR { continue } else { break }
            }
        }
    }
}
