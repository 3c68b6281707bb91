import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Table-driven reassembly cases; each asserts the exact signal sequence.
@Suite("TCP reassembly")
struct ReassemblyTests {
    typealias S = RecordedSignal

    @Test("in order, with handshake and FIN close")
    func inOrder() {
        var s = SegmentScript()
        s.handshake()
        s.send(.client, seq: 1001, ack: 5001, flags: .psh, "GET")
        s.send(.server, seq: 5001, ack: 1004, flags: .psh, "HTTP")
        s.send(.client, seq: 1004, ack: 5005, flags: .fin)
        s.send(.server, seq: 5005, ack: 1005, flags: .fin)
        s.send(.client, seq: 1005, ack: 5006)
        s.finish()
        #expect(
            s.signals == [
                s.openedLine,
                .data(1, .clientToServer, offset: 0, bytes: "GET", packet: 4),
                .data(1, .serverToClient, offset: 0, bytes: "HTTP", packet: 5),
                .closed(1, .fin, handshake: .complete),
            ])
        let summary = s.sink.summaries[1]
        #expect(summary?.clientToServer.deliveredBytes == 3)
        #expect(summary?.serverToClient.deliveredBytes == 4)
        #expect(summary?.clientToServer.packets == 4)  // the late ACK after the close is not counted
    }

    @Test("reordered segments are released in order, each with its own packet")
    func reordered() {
        var s = SegmentScript()
        s.handshake()
        s.send(.client, seq: 1006, ack: 5001, "world")
        s.send(.client, seq: 1001, ack: 5001, "hello")
        s.finish()
        #expect(
            s.signals == [
                s.openedLine,
                .data(1, .clientToServer, offset: 0, bytes: "hello", packet: 5),
                .data(1, .clientToServer, offset: 5, bytes: "world", packet: 4),
                .closed(1, .captureEnded, handshake: .complete),
            ])
        #expect(s.sink.summaries[1]?.clientToServer.outOfOrderSegments == 1)
    }

    @Test("a duplicated segment is dropped as a retransmission")
    func duplicated() {
        var s = SegmentScript()
        s.handshake()
        s.send(.client, seq: 1001, ack: 5001, "hello")
        s.send(.client, seq: 1001, ack: 5001, "hello")
        s.finish()
        #expect(
            s.signals == [
                s.openedLine,
                .data(1, .clientToServer, offset: 0, bytes: "hello", packet: 4),
                .closed(1, .captureEnded, handshake: .complete),
            ])
        #expect(s.sink.summaries[1]?.clientToServer.retransmittedBytes == 5)
    }

    @Test("an overlap with the same bytes delivers only the new part")
    func overlapSameBytes() {
        var s = SegmentScript()
        s.handshake()
        s.send(.client, seq: 1001, ack: 5001, "hello")
        s.send(.client, seq: 1004, ack: 5001, "lo wo")
        s.finish()
        #expect(
            s.signals == [
                s.openedLine,
                .data(1, .clientToServer, offset: 0, bytes: "hello", packet: 4),
                .data(1, .clientToServer, offset: 5, bytes: " wo", packet: 5),
                .closed(1, .captureEnded, handshake: .complete),
            ])
    }

    @Test("an overlap with different bytes keeps the first copy and reports the conflict")
    func overlapConflictWithDelivered() {
        var s = SegmentScript()
        s.handshake()
        s.send(.client, seq: 1001, ack: 5001, "hello")
        s.send(.client, seq: 1004, ack: 5001, "XXabc")
        s.finish()
        #expect(
            s.signals == [
                s.openedLine,
                .data(1, .clientToServer, offset: 0, bytes: "hello", packet: 4),
                .anomaly(1, .overlapConflict),
                .data(1, .clientToServer, offset: 5, bytes: "abc", packet: 5),
                .closed(1, .captureEnded, handshake: .complete),
            ])
        #expect(s.sink.summaries[1]?.clientToServer.overlapConflicts == 1)
    }

    @Test("conflicting out-of-order copies: the first buffered copy wins")
    func overlapConflictWhileBuffered() {
        var s = SegmentScript()
        s.handshake()
        s.send(.client, seq: 1011, ack: 5001, "abc")
        s.send(.client, seq: 1011, ack: 5001, "ZZZ")
        s.send(.client, seq: 1001, ack: 5001, "0123456789")
        s.finish()
        #expect(
            s.signals == [
                s.openedLine,
                .anomaly(1, .overlapConflict),
                .data(1, .clientToServer, offset: 0, bytes: "0123456789", packet: 6),
                .data(1, .clientToServer, offset: 10, bytes: "abc", packet: 4),
                .closed(1, .captureEnded, handshake: .complete),
            ])
    }

    @Test("an in-order segment overlapping buffered data defers to the buffered copy")
    func inOrderOverlapsBuffered() {
        var s = SegmentScript()
        s.handshake()
        s.send(.client, seq: 1004, ack: 5001, "DEF")
        s.send(.client, seq: 1001, ack: 5001, "abcdefgh")
        s.finish()
        #expect(
            s.signals == [
                s.openedLine,
                .data(1, .clientToServer, offset: 0, bytes: "abc", packet: 5),
                .anomaly(1, .overlapConflict),
                .data(1, .clientToServer, offset: 3, bytes: "DEF", packet: 4),
                .data(1, .clientToServer, offset: 6, bytes: "gh", packet: 5),
                .closed(1, .captureEnded, handshake: .complete),
            ])
    }

    @Test("sequence numbers wrap around 2^32 without a visible seam")
    func wraparound() {
        var s = SegmentScript()
        s.handshake(clientISN: 0xFFFF_FFF0, serverISN: 0xFFFF_FFFE)
        // Second half first, so the wrap is crossed while reordering too.
        s.send(.client, seq: 0x0000_0001, ack: 0xFFFF_FFFF, "BBBBBBBBBBBBBBBB")
        s.send(.client, seq: 0xFFFF_FFF1, ack: 0xFFFF_FFFF, "AAAAAAAAAAAAAAAA")
        s.send(.server, seq: 0xFFFF_FFFF, ack: 0x0000_0011, "xy")
        s.send(.server, seq: 0x0000_0001, ack: 0x0000_0011, "z")
        s.finish()
        #expect(
            s.signals == [
                s.openedLine,
                .data(1, .clientToServer, offset: 0, bytes: "AAAAAAAAAAAAAAAA", packet: 5),
                .data(1, .clientToServer, offset: 16, bytes: "BBBBBBBBBBBBBBBB", packet: 4),
                .data(1, .serverToClient, offset: 0, bytes: "xy", packet: 6),
                .data(1, .serverToClient, offset: 2, bytes: "z", packet: 7),
                .closed(1, .captureEnded, handshake: .complete),
            ])
    }

    @Test("a hole the receiver acknowledged becomes a gap at once")
    func gapInTheMiddleAcknowledged() {
        var s = SegmentScript()
        s.handshake()
        s.send(.client, seq: 1001, ack: 5001, "aaa")
        s.send(.client, seq: 1007, ack: 5001, "ccc")
        s.send(.server, seq: 5001, ack: 1010)
        s.finish()
        #expect(
            s.signals == [
                s.openedLine,
                .data(1, .clientToServer, offset: 0, bytes: "aaa", packet: 4),
                .gap(1, .clientToServer, offset: 3, length: 3, reason: .acknowledgedUnseen),
                .data(1, .clientToServer, offset: 6, bytes: "ccc", packet: 5),
                .closed(1, .captureEnded, handshake: .complete),
            ])
        #expect(s.sink.summaries[1]?.clientToServer.gapBytes == 3)
    }

    @Test("a hole before the FIN is skipped at the FIN")
    func gapInTheMiddleAtFIN() {
        var s = SegmentScript()
        s.handshake()
        s.send(.client, seq: 1001, ack: 5001, "aaa")
        s.send(.client, seq: 1007, ack: 5001, "ccc")
        s.send(.client, seq: 1010, ack: 5001, flags: .fin)
        s.send(.server, seq: 5001, ack: 1011, flags: .fin)
        #expect(
            s.signals == [
                s.openedLine,
                .data(1, .clientToServer, offset: 0, bytes: "aaa", packet: 4),
                .gap(1, .clientToServer, offset: 3, length: 3, reason: .closing),
                .data(1, .clientToServer, offset: 6, bytes: "ccc", packet: 5),
                .closed(1, .fin, handshake: .complete),
            ])
    }

    @Test("bytes acknowledged but never captured at the end become a final gap")
    func gapAtTheEnd() {
        var s = SegmentScript()
        s.handshake()
        s.send(.client, seq: 1001, ack: 5001, "aaa")
        s.send(.server, seq: 5001, ack: 1011)
        s.finish()
        #expect(
            s.signals == [
                s.openedLine,
                .data(1, .clientToServer, offset: 0, bytes: "aaa", packet: 4),
                .gap(1, .clientToServer, offset: 3, length: 7, reason: .closing),
                .closed(1, .captureEnded, handshake: .complete),
            ])
    }

    @Test("missing SYN: the well-known port is the server, offsets start at the first byte seen")
    func missingSYN() {
        var s = SegmentScript()
        s.send(.server, seq: 999, ack: 777, "hi")
        s.send(.client, seq: 777, ack: 1001, "hello")
        s.finish()
        #expect(
            s.signals == [
                .opened(1, client: "10.0.0.1:40000", server: "10.0.0.2:80", evidence: .portHeuristic),
                .data(1, .serverToClient, offset: 0, bytes: "hi", packet: 1),
                .data(1, .clientToServer, offset: 0, bytes: "hello", packet: 2),
                .closed(1, .captureEnded, handshake: .none),
            ])
    }

    @Test("missing SYN and no telling port: the first sender is the client")
    func missingSYNFirstPacket() {
        var s = SegmentScript()
        s.client = Endpoint(address: IPAddress("10.0.0.1")!, port: 5000)
        s.server = Endpoint(address: IPAddress("10.0.0.2")!, port: 6000)
        s.send(.server, seq: 1, ack: 1, "x")
        s.finish()
        #expect(
            s.signals == [
                .opened(1, client: "10.0.0.2:6000", server: "10.0.0.1:5000", evidence: .firstPacket),
                .data(1, .clientToServer, offset: 0, bytes: "x", packet: 1),
                .closed(1, .captureEnded, handshake: .none),
            ])
    }

    @Test("data before the first byte seen mid-stream is reported, not delivered")
    func dataBeforeStreamStart() {
        var s = SegmentScript()
        s.send(.client, seq: 1000, ack: 1, "abc")
        s.send(.client, seq: 995, ack: 1, "12345")
        s.finish()
        #expect(
            s.signals == [
                .opened(1, client: "10.0.0.1:40000", server: "10.0.0.2:80", evidence: .portHeuristic),
                .data(1, .clientToServer, offset: 0, bytes: "abc", packet: 1),
                .anomaly(1, .dataBeforeStreamStart),
                .closed(1, .captureEnded, handshake: .none),
            ])
    }

    @Test("RST closes at once and flushes what waited behind a hole")
    func reset() {
        var s = SegmentScript()
        s.handshake()
        s.send(.client, seq: 1001, ack: 5001, "aaa")
        s.send(.client, seq: 1007, ack: 5001, "ccc")
        s.send(.server, seq: 5001, flags: .rst)
        s.send(.client, seq: 1010, ack: 5001, "after")
        s.finish()
        #expect(
            s.signals == [
                s.openedLine,
                .data(1, .clientToServer, offset: 0, bytes: "aaa", packet: 4),
                .gap(1, .clientToServer, offset: 3, length: 3, reason: .closing),
                .data(1, .clientToServer, offset: 6, bytes: "ccc", packet: 5),
                .closed(1, .rst, handshake: .complete),
                .anomaly(1, .dataAfterClose),
            ])
    }

    @Test("a new SYN on a closed 4-tuple starts a new connection")
    func portReuseAfterClose() {
        var s = SegmentScript()
        s.handshake()
        s.send(.client, seq: 1001, ack: 5001, flags: .fin)
        s.send(.server, seq: 5001, ack: 1002, flags: .fin)
        s.send(.client, seq: 1002, ack: 5002)
        s.send(.client, seq: 9000, flags: .syn)
        s.send(.server, seq: 7000, ack: 9001, flags: .syn)
        s.send(.client, seq: 9001, ack: 7001, "again")
        s.finish()
        #expect(
            s.signals == [
                s.openedLine,
                .closed(1, .fin, handshake: .complete),
                .opened(2, client: "10.0.0.1:40000", server: "10.0.0.2:80", evidence: .syn),
                .data(2, .clientToServer, offset: 0, bytes: "again", packet: 9),
                .closed(2, .captureEnded, handshake: .complete),
            ])
    }

    @Test("a SYN with a new ISN on an open 4-tuple ends the old connection; a SYN retransmission does not")
    func portReuseWhileOpen() {
        var s = SegmentScript()
        s.send(.client, seq: 1000, flags: .syn)
        s.send(.client, seq: 1000, flags: .syn)
        s.send(.server, seq: 5000, ack: 1001, flags: .syn)
        s.send(.client, seq: 1001, ack: 5001, "old")
        s.send(.client, seq: 3000, flags: .syn)
        s.finish()
        #expect(
            s.signals == [
                s.openedLine,
                .data(1, .clientToServer, offset: 0, bytes: "old", packet: 4),
                .anomaly(1, .portReuseWhileOpen),
                .closed(1, .reused, handshake: .complete),
                .opened(2, client: "10.0.0.1:40000", server: "10.0.0.2:80", evidence: .syn),
                .closed(2, .captureEnded, handshake: .synOnly),
            ])
    }

    @Test("a payload cut by the snaplen is delivered as far as captured, the rest is a gap")
    func snaplenCut() {
        var s = SegmentScript()
        s.handshake()
        s.send(.client, seq: 1001, ack: 5001, "abcd", length: 10)
        s.send(.client, seq: 1011, ack: 5001, "zz")
        s.finish()
        #expect(
            s.signals == [
                s.openedLine,
                .data(1, .clientToServer, offset: 0, bytes: "abcd", packet: 4),
                .anomaly(1, .snaplenTruncated),
                .gap(1, .clientToServer, offset: 4, length: 6, reason: .snaplen),
                .data(1, .clientToServer, offset: 10, bytes: "zz", packet: 5),
                .closed(1, .captureEnded, handshake: .complete),
            ])
    }

    @Test("data on a SYN (TCP Fast Open) starts at offset 0")
    func synData() {
        var s = SegmentScript()
        s.send(.client, seq: 1000, flags: .syn, "hi")
        s.finish()
        #expect(
            s.signals == [
                s.openedLine,
                .data(1, .clientToServer, offset: 0, bytes: "hi", packet: 1),
                .closed(1, .captureEnded, handshake: .synOnly),
            ])
    }

    @Test("data after the FIN is reported and dropped")
    func dataAfterFIN() {
        var s = SegmentScript()
        s.handshake()
        s.send(.client, seq: 1001, ack: 5001, flags: .fin)
        s.send(.client, seq: 1001, ack: 5001, "late")
        s.finish()
        #expect(
            s.signals == [
                s.openedLine,
                .anomaly(1, .dataAfterFIN),
                .closed(1, .captureEnded, handshake: .complete),
            ])
    }

    @Test("a keep-alive's junk byte is not a conflict")
    func keepAlive() {
        var s = SegmentScript()
        s.handshake()
        s.send(.client, seq: 1001, ack: 5001, "hello")
        s.send(.client, seq: 1005, ack: 5001, "\u{0}")
        s.finish()
        #expect(!s.signals.contains(.anomaly(1, .overlapConflict)))
        #expect(s.sink.bytes(1, .clientToServer) == Array("hello".utf8))
    }

    // MARK: Limits

    @Test("the per-connection buffer limit skips the oldest hole")
    func bufferLimit() {
        var limits = ReassemblyLimits()
        limits.maxBufferedBytesPerConnection = 8
        var s = SegmentScript(limits: limits)
        s.handshake()
        s.send(.client, seq: 1001, ack: 5001, "aaa")
        s.send(.client, seq: 1011, ack: 5001, "eeeee")
        s.send(.client, seq: 1016, ack: 5001, "fffff")
        s.finish()
        #expect(
            s.signals == [
                s.openedLine,
                .data(1, .clientToServer, offset: 0, bytes: "aaa", packet: 4),
                .anomaly(1, .bufferLimit),
                .gap(1, .clientToServer, offset: 3, length: 7, reason: .bufferLimit),
                .data(1, .clientToServer, offset: 10, bytes: "eeeee", packet: 5),
                .data(1, .clientToServer, offset: 15, bytes: "fffff", packet: 6),
                .closed(1, .captureEnded, handshake: .complete),
            ])
    }

    @Test("the out-of-order segment limit skips holes one at a time")
    func segmentLimit() {
        var limits = ReassemblyLimits()
        limits.maxPendingSegmentsPerDirection = 2
        var s = SegmentScript(limits: limits)
        s.handshake()
        s.send(.client, seq: 1001, ack: 5001, "a")
        s.send(.client, seq: 1003, ack: 5001, "c")
        s.send(.client, seq: 1005, ack: 5001, "e")
        s.send(.client, seq: 1007, ack: 5001, "g")
        s.finish()
        #expect(
            s.signals == [
                s.openedLine,
                .data(1, .clientToServer, offset: 0, bytes: "a", packet: 4),
                .anomaly(1, .segmentLimit),
                .gap(1, .clientToServer, offset: 1, length: 1, reason: .segmentLimit),
                .data(1, .clientToServer, offset: 2, bytes: "c", packet: 5),
                .gap(1, .clientToServer, offset: 3, length: 1, reason: .closing),
                .data(1, .clientToServer, offset: 4, bytes: "e", packet: 6),
                .gap(1, .clientToServer, offset: 5, length: 1, reason: .closing),
                .data(1, .clientToServer, offset: 6, bytes: "g", packet: 7),
                .closed(1, .captureEnded, handshake: .complete),
            ])
    }

    @Test("the connection limit evicts the least recently active connection")
    func connectionLimit() {
        var limits = ReassemblyLimits()
        limits.maxConnections = 2
        var s = SegmentScript(limits: limits)
        for port: UInt16 in [40001, 40002, 40003] {
            s.send(.client, seq: 100, flags: .syn, from: Endpoint(address: IPAddress("10.0.0.1")!, port: port))
        }
        s.finish()
        #expect(
            s.signals == [
                .opened(1, client: "10.0.0.1:40001", server: "10.0.0.2:80", evidence: .syn),
                .opened(2, client: "10.0.0.1:40002", server: "10.0.0.2:80", evidence: .syn),
                .anomaly(1, .connectionLimit),
                .closed(1, .evicted, handshake: .synOnly),
                .opened(3, client: "10.0.0.1:40003", server: "10.0.0.2:80", evidence: .syn),
                .closed(2, .captureEnded, handshake: .synOnly),
                .closed(3, .captureEnded, handshake: .synOnly),
            ])
    }

    @Test("the total memory limit flushes the connection holding the most")
    func memoryLimit() {
        var limits = ReassemblyLimits()
        limits.maxBufferedBytesTotal = 8
        var s = SegmentScript(limits: limits)
        let other = Endpoint(address: IPAddress("10.0.0.1")!, port: 40001)
        s.handshake()
        s.send(.client, seq: 1011, ack: 5001, "aaaaa")
        s.send(.client, seq: 100, flags: .syn, from: other)
        s.send(.client, seq: 111, "bbbbbb", from: other)
        s.finish()
        #expect(
            s.signals == [
                s.openedLine,
                .opened(2, client: "10.0.0.1:40001", server: "10.0.0.2:80", evidence: .syn),
                .anomaly(2, .memoryLimit),
                .gap(2, .clientToServer, offset: 0, length: 10, reason: .memoryLimit),
                .data(2, .clientToServer, offset: 10, bytes: "bbbbbb", packet: 6),
                .gap(1, .clientToServer, offset: 0, length: 10, reason: .closing),
                .data(1, .clientToServer, offset: 10, bytes: "aaaaa", packet: 4),
                .closed(1, .captureEnded, handshake: .complete),
                .closed(2, .captureEnded, handshake: .synOnly),
            ])
        #expect(s.reassembler.bufferedBytes == 0)
    }

    @Test("idle connections expire by capture time")
    func idleExpiry() {
        var limits = ReassemblyLimits()
        limits.idleTimeoutNanoseconds = 10_000_000_000
        var s = SegmentScript(limits: limits)
        s.handshake()
        s.send(
            .client, seq: 100, flags: .syn, at: s.now + 11_000_000_000,
            from: Endpoint(address: IPAddress("10.0.0.1")!, port: 40001))
        s.finish()
        #expect(
            s.signals == [
                s.openedLine,
                .closed(1, .idle, handshake: .complete),
                .opened(2, client: "10.0.0.1:40001", server: "10.0.0.2:80", evidence: .syn),
                .closed(2, .captureEnded, handshake: .synOnly),
            ])
    }
}
