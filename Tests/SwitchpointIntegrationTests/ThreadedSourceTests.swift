import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// The sources that read on a thread of their own hand over exactly what the plain source
/// reads. In-process, so `make test-tsan` checks their hand-over for data races.
@Suite("Threaded packet sources")
struct ThreadedSourceTests {
    /// Every packet with its number, time, link type and bytes, and the problems in order.
    static func drain(_ source: PacketSource) -> [String] {
        var seen: [String] = []
        while true {
            switch source.next() {
            case .packet(let packet):
                seen.append(
                    "\(packet.capture.packetNumber) \(packet.capture.timestamp.nanoseconds) \(packet.linkType) "
                        + "\(packet.originalLength) \(Array(packet.bytes).hashValue) \(packet.bytes.count)")
            case .problem(let problem):
                seen.append("problem \(problem)")
            case .idle:
                continue
            case .end:
                return seen
            }
        }
    }

    @Test("reading ahead on a second thread yields the same packets and problems, in order")
    func prefetchingEqualsPlain() throws {
        let captures = TestEnvironment.allSampleCaptures
        #expect(captures.count >= 20)
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // A truncated copy: the problem must come after the packets before the cut.
        let whole = try Data(contentsOf: TestEnvironment.samplesDirectory.appendingPathComponent("ws-echo-veth.pcap"))
        let truncated = directory.appendingPathComponent("truncated.pcap")
        try whole.prefix(whole.count / 2 + 7).write(to: truncated)
        // Every sample four times over: many batches, by packet count and by bytes.
        let inputs =
            Array(repeating: captures.map(\.path), count: 4).flatMap { $0 } + [truncated.path, captures[0].path]
        let plain = Self.drain(try TestEnvironment.fixtureSource(paths: inputs))
        let prefetched = Self.drain(PrefetchingPacketSource(try TestEnvironment.fixtureSource(paths: inputs)))
        #expect(plain.count > 2 * PrefetchingPacketSource.PacketBatch.batchPackets, "several batches")
        #expect(plain.contains { $0.hasPrefix("problem") })
        #expect(prefetched == plain)
    }

    @Test(
        "live capture on its own thread hands over the packets of a loopback connection",
        .enabled(if: getuid() == 0, "live capture needs root (CI runs as root)"))
    func liveThreadedOnLoopback() throws {
        // A listener on an ephemeral loopback port; one client connection sends a few bytes.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(listener >= 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                try #require(bind(listener, raw, length) == 0)
                try #require(getsockname(listener, raw, &length) == 0)
            }
        }
        try #require(listen(listener, 1) == 0)
        let port = UInt16(bigEndian: address.sin_port)

        var options = LiveCaptureOptions()
        options.readTimeoutMilliseconds = 20
        let live = try LiveCaptureSource(interface: "lo", options: options, filter: "tcp port \(port)")
        let capture = try ThreadedCaptureSource(live: live, writeTo: nil)
        capture.start()

        let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(client >= 0)
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, length) }
        }
        try #require(connected == 0)
        let accepted = accept(listener, nil, nil)
        let message = Array("switchpoint threaded capture".utf8)
        _ = message.withUnsafeBytes { send(client, $0.baseAddress, $0.count, 0) }
        close(client)
        if accepted >= 0 { close(accepted) }

        // Bounded: until the payload and a FIN were seen, at most 5 s.
        var payloadSeen = false
        var finSeen = false
        let deadline = Date().addingTimeInterval(5)
        while !(payloadSeen && finSeen) && Date() < deadline {
            guard case .packet(let packet) = capture.next(),
                case .tcp(let segment) = PacketDecoder.decode(packet)
            else { continue }
            if Array(segment.payload) == message { payloadSeen = true }
            if segment.flags.contains(.fin) { finSeen = true }
        }
        capture.stopAndWait()
        #expect(payloadSeen)
        #expect(finSeen)
        #expect(capture.statistics().queueDrops == 0)
    }
}
