import Testing

@testable import SwitchpointCore

/// Issue 27: a stopped live capture reads what the kernel captured before the stop, bounded
/// in time; the defaults hold many packets and hand them over within the print latency.
@Suite("Live capture drain and defaults")
struct CaptureDrainPolicyTests {
    let policy = CaptureDrainPolicy(blockTimeout: .milliseconds(20))

    @Test("reading goes on while packets come, waits for the open block, then finishes")
    func drainsUntilQuietAfterTheBlockTimeout() {
        #expect(policy.quietAfter == .milliseconds(70))
        #expect(policy.step(elapsed: .zero, lastReadFoundPacket: true) == .read)
        #expect(policy.step(elapsed: .milliseconds(5), lastReadFoundPacket: false) == .wait)
        #expect(policy.step(elapsed: .milliseconds(69), lastReadFoundPacket: false) == .wait)
        #expect(policy.step(elapsed: .milliseconds(70), lastReadFoundPacket: false) == .finish)
        #expect(policy.step(elapsed: .milliseconds(500), lastReadFoundPacket: true) == .read)
    }

    @Test("a drain never outlasts its bound, even if packets keep coming")
    func boundedWhateverArrives() {
        #expect(policy.step(elapsed: CaptureDrainPolicy.maxDuration, lastReadFoundPacket: true) == .finish)
        let slow = CaptureDrainPolicy(blockTimeout: .seconds(60))
        #expect(slow.quietAfter == CaptureDrainPolicy.maxDuration)
        #expect(slow.step(elapsed: .seconds(2), lastReadFoundPacket: false) == .finish)
    }

    @Test("a simulated drain reads the block handed over after the timeout, then stops")
    func simulatedDrain() {
        // The open block (3 packets) becomes readable 20 ms after the stop; reads every 2 ms.
        var elapsed = Duration.zero
        var readable = 0
        var read = 0
        var found = true
        var steps = 0
        loop: while steps < 10_000 {
            steps += 1
            switch policy.step(elapsed: elapsed, lastReadFoundPacket: found) {
            case .finish: break loop
            case .wait: elapsed += CaptureDrainPolicy.pollInterval
            case .read: break
            }
            if elapsed >= .milliseconds(20) && readable == 0 { readable = 3 }
            found = read < readable
            if found { read += 1 }
        }
        #expect(read == 3)
        #expect(elapsed < .milliseconds(80))
    }

    @Test("defaults: TPACKET_V3 blocks (no immediate mode), a ring larger than libpcap's, a short timeout")
    func defaults() {
        let options = LiveCaptureOptions()
        #expect(!options.immediate)
        #expect(options.bufferSize == LiveCaptureOptions.defaultBufferBytes)
        #expect(options.bufferSize >= 2 << 20)
        #expect(options.readTimeoutMilliseconds > 0 && options.readTimeoutMilliseconds <= 50)
    }
}
