import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Issue 16's audit rows at small sizes: memory bounded by exchanges, pairing by lookup.
@Suite("Proxy audit under attack: bounded records, pairing by evidence")
struct AdversarialAuditTests {
    static let client = Endpoint(address: IPAddress("10.0.0.1")!, port: 40000)
    static let proxy = Endpoint(address: IPAddress("10.0.0.2")!, port: 8080)
    static let upstream = Endpoint(address: IPAddress("10.0.0.3")!, port: 9001)

    static func time(_ milliseconds: Int) -> Timestamp {
        Timestamp(nanoseconds: 1_700_000_000_000_000_000 + Int64(milliseconds) * 1_000_000)
    }

    static func request(_ target: String, key: String? = nil) -> HTTPRequestHead {
        var fields = [HTTPField(name: "Host", value: "a")]
        if let key {
            fields += [
                HTTPField(name: "Upgrade", value: "websocket"), HTTPField(name: "Connection", value: "Upgrade"),
                HTTPField(name: "Sec-WebSocket-Key", value: key),
            ]
        }
        return HTTPRequestHead(method: "GET", target: target, version: "HTTP/1.1", headers: HTTPHeaders(fields))
    }

    static func message(_ text: String) -> WebSocketMessage {
        WebSocketMessage(
            opcode: 1, length: UInt64(text.utf8.count), wireLength: UInt64(text.utf8.count), frames: 1,
            compressed: false, kept: Array(text.utf8), keptAll: true, complete: true, problem: nil)
    }

    /// Feeds one exchange's events, with `messages` WebSocket messages client→server.
    static func feed(
        _ builder: ExchangeRecordBuilder, connection: ConnectionID, server: Endpoint, messages: Int,
        text: (Int) -> String
    ) {
        let opening = ConnectionOpening(
            connection: connection, client: client, server: server, roleEvidence: .syn,
            capture: CaptureInfo(packetNumber: 1, timestamp: time(0)))
        builder.receive(
            TimelineEvent(timestamp: time(0), connection: connection, packet: 1, kind: .connectionOpened(opening)))
        builder.receive(
            TimelineEvent(
                timestamp: time(1), connection: connection, packet: 2, direction: .clientToServer,
                kind: .httpRequest(request("/echo", key: "dGhlIHNhbXBsZSBub25jZQ=="))))
        for index in 0..<messages {
            builder.receive(
                TimelineEvent(
                    timestamp: time(2 + index), connection: connection, packet: UInt64(3 + index),
                    direction: .clientToServer, kind: .wsMessage(message(text(index)))))
        }
    }

    @Test("1 M-style flood of empty messages: the record keeps a bounded window and the true count")
    func emptyMessageFloodIsBounded() {
        let builder = ExchangeRecordBuilder(file: 1)
        let flood = 3 * AuditLimits.maxMessagesComparedPerDirection
        Self.feed(builder, connection: 1, server: Self.proxy, messages: flood) { _ in "" }
        let records = builder.finish()
        #expect(records.count == 1)
        #expect(records.first?.messages.count == AuditLimits.maxMessagesComparedPerDirection)
        #expect(records.first?.messageCount(.clientToServer) == flood)
    }

    @Test("a flood of pipelined requests on one connection: the first exchanges kept, the rest counted")
    func pipelinedFloodIsBounded() {
        let builder = ExchangeRecordBuilder(file: 1)
        let opening = ConnectionOpening(
            connection: 1, client: Self.client, server: Self.proxy, roleEvidence: .syn,
            capture: CaptureInfo(packetNumber: 1, timestamp: Self.time(0)))
        builder.receive(
            TimelineEvent(timestamp: Self.time(0), connection: 1, packet: 1, kind: .connectionOpened(opening)))
        let flood = 3 * AuditLimits.maxExchangesPerConnection
        for index in 0..<flood {
            builder.receive(
                TimelineEvent(
                    timestamp: Self.time(1 + index), connection: 1, packet: UInt64(2 + index),
                    direction: .clientToServer, kind: .httpRequest(Self.request("/r\(index)"))))
        }
        let capture = builder.finishCapture()
        #expect(capture.records.count == AuditLimits.maxExchangesPerConnection)
        #expect(capture.exchangesNotKept == flood - AuditLimits.maxExchangesPerConnection)
        let report = ProxyAuditor().audit(captures: [capture])
        #expect(report.exchangesNotKept == flood - AuditLimits.maxExchangesPerConnection)
    }

    @Test("connections without an HTTP request are dropped when they close")
    func nonExchangesAreDropped() {
        let builder = ExchangeRecordBuilder(file: 1)
        for connection in 1...500 {
            let opening = ConnectionOpening(
                connection: connection, client: Self.client, server: Self.proxy, roleEvidence: .syn,
                capture: CaptureInfo(packetNumber: 1, timestamp: Self.time(0)))
            builder.receive(
                TimelineEvent(
                    timestamp: Self.time(0), connection: connection, packet: 1, kind: .connectionOpened(opening)))
            var summary = ConversationHarnessSummary.make()
            summary.connection = connection
            builder.receive(
                TimelineEvent(
                    timestamp: Self.time(1), connection: connection, packet: 2, kind: .connectionClosed(summary)))
        }
        #expect(builder.heldRecords == 0)
    }

    @Test("loss beyond the compared window is still counted; equal floods on both legs are clean")
    func lossBeyondWindow() {
        let window = AuditLimits.maxMessagesComparedPerDirection
        let front = ExchangeRecordBuilder(file: 1)
        let back = ExchangeRecordBuilder(file: 2)
        Self.feed(front, connection: 1, server: Self.proxy, messages: window + 10) { "m\($0)" }
        Self.feed(back, connection: 1, server: Self.upstream, messages: window + 7) { "m\($0)" }
        var report = ProxyAuditor().audit(records: [Self.switched(front), Self.switched(back)])
        #expect(report.pairs.count == 1)
        let lost = report.findings.filter { $0.code == .messageLost }
        #expect(lost.count == 1)
        #expect(lost.first?.message.hasPrefix("3 client messages") == true)

        let same1 = ExchangeRecordBuilder(file: 1)
        let same2 = ExchangeRecordBuilder(file: 2)
        Self.feed(same1, connection: 1, server: Self.proxy, messages: 2 * window) { _ in "" }
        Self.feed(same2, connection: 1, server: Self.upstream, messages: 2 * window) { _ in "" }
        report = ProxyAuditor().audit(records: [Self.switched(same1), Self.switched(same2)])
        #expect(
            !report.findings.contains {
                $0.code == .messageLost || $0.code == .messageAltered || $0.code == .messageReordered
            })
        #expect(report.pairs.first?.delays.count == window)
    }

    /// The builder's records, marked as switched to WebSocket (the feed has no 101).
    static func switched(_ builder: ExchangeRecordBuilder) -> [ExchangeRecord] {
        builder.finish().map { record in
            var record = record
            record.upgraded = "websocket"
            return record
        }
    }

    static func record(
        file: Int, connection: ConnectionID, server: Endpoint, target: String, key: String?, sent: Int
    ) -> ExchangeRecord {
        var record = ExchangeRecord(file: file, connection: connection, client: client, server: server)
        record.request = request(target, key: key)
        record.requestTime = time(sent)
        record.responseTime = time(sent + 1)
        return record
    }

    @Test("thousands of exchanges pair by key and by method+target+timing, each to its own counterpart")
    func pairingByEvidence() {
        let count = 3_000
        var fronts: [ExchangeRecord] = []
        var backs: [ExchangeRecord] = []
        for index in 0..<count {
            // Half carry a key, half only a target shared by all of them (timing decides).
            let key = index.isMultiple(of: 2) ? "key-\(index)" : nil
            let target = key == nil ? "/same" : "/ws"
            fronts.append(
                Self.record(
                    file: 1, connection: index + 1, server: Self.proxy, target: target, key: key, sent: 10 * index))
            backs.append(
                Self.record(
                    file: 2, connection: count - index, server: Self.upstream, target: target, key: key,
                    sent: 10 * index + 2))
        }
        let report = ProxyAuditor().audit(records: [fronts, backs.reversed()])
        #expect(report.pairs.count == count)
        #expect(report.pairs.allSatisfy { $0.front.connection + $0.back.connection == count + 1 })
        #expect(report.pairs.filter { $0.evidence == .secWebSocketKey }.count == count / 2)
        #expect(!report.findings.contains { $0.code == .unpairedFront || $0.code == .unpairedBack })
    }

    @Test("one capture of both legs without keys: the upstream copies are told apart by timing")
    func oneCaptureSplitByTiming() {
        var records: [ExchangeRecord] = []
        for index in 0..<1_000 {
            records.append(
                Self.record(
                    file: 1, connection: 2 * index + 1, server: Self.proxy, target: "/t\(index % 7)", key: nil,
                    sent: 10 * index))
            var back = Self.record(
                file: 1, connection: 2 * index + 2, server: Self.upstream, target: "/t\(index % 7)", key: nil,
                sent: 10 * index)
            back.requestTime = Timestamp(nanoseconds: Self.time(10 * index).nanoseconds + 100_000)
            back.responseTime = Timestamp(nanoseconds: Self.time(10 * index).nanoseconds + 200_000)
            records.append(back)
        }
        let report = ProxyAuditor().audit(records: [records])
        #expect(report.pairs.count == 1_000)
        #expect(
            report.pairs.allSatisfy { $0.front.server == Self.proxy && $0.back.connection == $0.front.connection + 1 })
    }
}
