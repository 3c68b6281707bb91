import CPcap

#if canImport(Glibc)
    import Glibc
#endif

/// The captures a SIGINT/SIGTERM should stop (one, or every fanout worker's). Written once
/// before the handlers are installed, read only by the handler: a plain C array, so the
/// handler touches no reference counts.
nonisolated(unsafe) private var interruptibleCaptures: UnsafeMutablePointer<OpaquePointer?>?
nonisolated(unsafe) private var interruptibleCaptureCount = 0
nonisolated(unsafe) private var interruptRequested: sig_atomic_t = 0

extension LiveCaptureSource {
    /// Ctrl-C and SIGTERM stop the capture so the caller can flush and summarise; a second
    /// Ctrl-C exits at once.
    package func stopOnInterrupt() {
        Self.stopOnInterrupt([self])
    }

    /// Ctrl-C and SIGTERM stop every one of `captures` (call once).
    package static func stopOnInterrupt(_ captures: [LiveCaptureSource]) {
        let pointers = UnsafeMutablePointer<OpaquePointer?>.allocate(capacity: max(captures.count, 1))
        for (index, capture) in captures.enumerated() { (pointers + index).initialize(to: capture.pcapPointer) }
        interruptibleCaptures = pointers
        interruptibleCaptureCount = captures.count
        let handler: @convention(c) (Int32) -> Void = { _ in
            if interruptRequested != 0 { _exit(130) }
            interruptRequested = 1
            guard let captures = interruptibleCaptures else { return }
            for index in 0..<interruptibleCaptureCount {
                if let capture = captures[index] { pcap_breakloop(capture) }
            }
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
        // A parent may have started us with these blocked (some process launchers do).
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
    }
}
