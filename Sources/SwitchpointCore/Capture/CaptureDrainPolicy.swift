/// When a stopped live capture has read everything the kernel captured before the stop.
///
/// The kernel hands packets over in blocks, a partly filled one only when the block timeout
/// expires: after Ctrl-C or SIGTERM reading goes on, without waiting, until
/// the block that was open at the stop has been handed over and read, bounded in time
/// whatever keeps arriving.
package struct CaptureDrainPolicy: Sendable, Equatable {
    /// Beyond the block timeout: the kernel's timer runs in scheduler ticks (4 ms at 250 Hz)
    /// and the hand-over is not instant.
    package static let settleMargin: Duration = .milliseconds(50)
    /// The longest a drain lasts, even if packets keep coming.
    package static let maxDuration: Duration = .seconds(1)
    /// How long to sleep between reads that found nothing.
    package static let pollInterval: Duration = .milliseconds(2)

    /// From this long after the stop, a read that finds nothing ends the drain.
    package let quietAfter: Duration

    package init(blockTimeout: Duration) {
        quietAfter = min(blockTimeout + Self.settleMargin, Self.maxDuration)
    }

    package enum Step: Sendable, Equatable {
        /// Read again at once.
        case read
        /// Nothing readable yet, but the open block may still come: sleep, then read.
        case wait
        /// Everything captured before the stop has been read.
        case finish
    }

    /// What to do `elapsed` after the stop, given whether the last read found a packet.
    package func step(elapsed: Duration, lastReadFoundPacket: Bool) -> Step {
        if elapsed >= Self.maxDuration { return .finish }
        if lastReadFoundPacket { return .read }
        return elapsed >= quietAfter ? .finish : .wait
    }
}
