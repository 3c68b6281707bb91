#if canImport(Glibc)
    import Glibc
#endif

/// The live status line on standard error (only when it is a terminal): packets, bytes,
/// connections, upgrades, drops; redrawn at most four times a second and erased before
/// any event line is printed, so it never mixes with the timeline.
package final class StatusLine {
    private let enabled: Bool
    private var shown = false
    private var lastDraw = ContinuousClock.now - .seconds(1)
    package static let minimumInterval = Duration.milliseconds(250)

    package init() {
        enabled = isatty(2) != 0
    }

    package func update(_ text: @autoclosure () -> String) {
        guard enabled else { return }
        let now = ContinuousClock.now
        guard now - lastDraw >= Self.minimumInterval else { return }
        lastDraw = now
        write("\r\u{1b}[K" + text())
        shown = true
    }

    package func clear() {
        guard enabled, shown else { return }
        write("\r\u{1b}[K")
        shown = false
    }

    private func write(_ text: String) {
        var copy = text
        copy.withUTF8 { buffer in
            _ = Glibc.write(2, buffer.baseAddress, buffer.count)
        }
    }
}
