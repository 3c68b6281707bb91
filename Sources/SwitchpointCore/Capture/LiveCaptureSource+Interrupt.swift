import CPcap

#if canImport(Glibc)
import Glibc
#endif

/// The capture a SIGINT/SIGTERM should stop. Written once before the handlers are
/// installed, read only by the handler.
nonisolated(unsafe) private var interruptibleCapture: OpaquePointer?
nonisolated(unsafe) private var interruptRequested: sig_atomic_t = 0

extension LiveCaptureSource {
    /// Ctrl-C and SIGTERM stop the capture so the caller can flush and summarise; a second
    /// Ctrl-C exits at once.
    public func stopOnInterrupt() {
        interruptibleCapture = pcapPointer
        let handler: @convention(c) (Int32) -> Void = { _ in
            if interruptRequested != 0 { _exit(130) }
            interruptRequested = 1
            if let capture = interruptibleCapture { pcap_breakloop(capture) }
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
