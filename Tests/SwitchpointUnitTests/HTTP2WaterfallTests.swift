import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// The HTML report's HTTP/2 waterfall and its idle bands (issue 28): stream times taken at
/// the HEADERS frames, rows in start order, the sequence diagram left with the
/// connection-level frames, and no "idle" band where bytes moved. The layout itself is
/// measured in Chromium by ReportExportTests (check_reports.py waterfall).
@Suite("HTML report: HTTP/2 waterfall")
struct HTTP2WaterfallTests {
    /// A sample's events and, from the same events, the report's recorder.
    static func replay(_ sample: String) throws -> (events: [TimelineEvent], recorder: ReportRecorder) {
        let path = TestEnvironment.samplesDirectory.appendingPathComponent(sample).path
        try #require(FileManager.default.fileExists(atPath: path), "sample \(sample) missing")
        let collector = CollectingEventSink()
        let recorder = ReportRecorder()
        var analyzer = TimelineAnalyzer(
            output: TimelineEventFanOut(primary: collector, others: [recorder]),
            registry: .standard(webSocket: WebSocketOptions()))
        var runner = CaptureRunner()
        runner.drive(try TestEnvironment.fixtureSource(paths: [path]), into: &analyzer)
        recorder.finish(packets: 0, files: [sample])
        return (collector.events, recorder)
    }

    static func page(_ recorder: ReportRecorder) -> String {
        page(HTMLReportWriter(capture: recorder.capture, connections: recorder.connections))
    }

    static func page(_ writer: HTMLReportWriter) -> String {
        // `bytes` points into the buffer: it must outlive the decoding.
        let page = writer.render()
        return withExtendedLifetime(page) { String(decoding: page.bytes, as: UTF8.self) }
    }

    /// `name="value"` of every match of `element` in `html`, in document order.
    static func attribute(_ name: String, of element: String, in html: String) -> [String] {
        let pattern = try? NSRegularExpression(pattern: "<\(element)[^>]* \(name)=\"([^\"]*)\"")
        let range = NSRange(html.startIndex..., in: html)
        return (pattern?.matches(in: html, range: range) ?? []).compactMap { match in
            Range(match.range(at: 1), in: html).map { String(html[$0]) }
        }
    }

    @Test("100 streams (h2load -m 10): each timed at its own HEADERS, drawn in start order, not in the diagram")
    func hundredStreams() throws {
        let (events, recorder) = try Self.replay("http2/h2-100-streams-h2load.pcap")
        let connection = try #require(recorder.connections.first)
        var requestHeaders: [UInt32: Timestamp] = [:]
        for event in events where event.direction == .clientToServer {
            if case .h2Headers(let block) = event.kind, requestHeaders[block.stream] == nil {
                requestHeaders[block.stream] = event.timestamp
            }
        }
        let streams = connection.http2Streams
        #expect(streams.count == 100)
        #expect(requestHeaders.count == 100)
        for exchange in streams {
            let stream = try #require(exchange.stream)
            #expect(exchange.requestTime == requestHeaders[stream], "stream \(stream)")
            #expect(exchange.responseTime != nil && exchange.responseEnd != nil, "stream \(stream)")
            if let request = exchange.requestTime, let head = exchange.responseTime, let end = exchange.responseEnd {
                #expect(request <= head && head <= end, "stream \(stream)")
            }
        }
        // Ten at a time: later streams start before earlier ones end (so the old diagram
        // drew them at their ends, out of order).
        let ends = streams.compactMap(\.responseEnd)
        #expect(ends != ends.sorted(), "the sample's streams should end out of start order")
        let html = Self.page(recorder)
        let starts = Self.attribute("data-start-ns", of: "tr", in: html).compactMap { Int64($0) }
        #expect(starts.count == 100)
        #expect(starts == starts.sorted())
        let rowStreams = Self.attribute("data-stream", of: "tr", in: html).compactMap { UInt32($0) }
        #expect(rowStreams == streams.compactMap(\.stream))
        // The diagram keeps the connection's frames and no longer draws the streams.
        #expect(html.contains(">SETTINGS "))
        #expect(html.contains(">SETTINGS ack<"))
        #expect(html.contains(">GOAWAY last stream "))
        #expect(!html.contains("class=\"h2-stream\""))
        #expect(!html.contains(">stream 1 GET"))
    }

    @Test("no idle band over an interval in which frames moved (the h2c sample's 300 KB download)")
    func noIdleWhileDataFlows() throws {
        for sample in [
            "http2/h2c-upgrade-curl.pcap", "http2/h2-100-streams-h2load.pcap", "http2/h2-sequential-h2load.pcap",
            "http2/rfc8441-websocket-over-h2.pcap", "websocket/ws-session-plain.pcap",
        ] {
            let (events, recorder) = try Self.replay(sample)
            let html = Self.page(recorder)
            let after = Self.attribute("data-after-ns", of: "g class=\"idle\"", in: html).compactMap { Int64($0) }
            let before = Self.attribute("data-before-ns", of: "g class=\"idle\"", in: html).compactMap { Int64($0) }
            #expect(after.count == before.count)
            let moving = events.filter { event in
                switch event.tag {
                case .h2Frame, .wsFrame, .wsMessage, .rawData, .httpBody: true
                case .connectionOpened, .connectionClosed, .gap, .httpRequest, .httpResponse, .upgrade, .finding,
                    .tlsClientHello, .tlsServerHello, .tlsHelloRetry, .tlsSession, .tlsEncrypted, .wsControl, .wsClose,
                    .wsClosing, .h2Settings, .h2Headers, .h2Reset, .h2GoAway, .h2Ping, .h2Stream, .app:
                    false
                }
            }.map(\.timestamp.nanoseconds)
            for (low, high) in zip(after, before) {
                let inside = moving.filter { low < $0 && $0 < high }
                #expect(inside.isEmpty, "\(sample): an idle band over \(inside.count) frames")
            }
        }
        // The download itself: a band that says bytes moved, never "idle".
        let (_, recorder) = try Self.replay("http2/h2c-upgrade-curl.pcap")
        let html = Self.page(recorder)
        #expect(!html.contains(" idle ⋯"), "the h2c sample has no idle stretch of note")
    }

    @Test("the wire's path, method and :protocol reach the waterfall as text, in cells and tooltips")
    func escaped() {
        let client = Endpoint(address: IPAddress(ipv4: 0x0a00_0001), port: 40000)
        let server = Endpoint(address: IPAddress(ipv4: 0x0a00_0002), port: 80)
        let start = Timestamp(nanoseconds: 1_700_000_000_000_000_000)
        var connection = ReportConnection(file: 1, id: 1, client: client, server: server, start: start, detailed: true)
        let hostile = "/<script>window.__pwned=1</script>\" onerror=\"x"
        var exchange = ReportExchange(connection: 1, stream: 1)
        exchange.requestTime = start.adding(nanoseconds: 1_700_000)
        exchange.requestMethod = "G<b>ET"
        exchange.requestTarget = hostile
        exchange.requestFields = [HTTPField(name: ":protocol", value: "</svg><img src=x>")]
        exchange.responseTime = start.adding(nanoseconds: 2_000_000)
        exchange.responseEnd = start.adding(nanoseconds: 56_000_000)
        exchange.status = 200
        connection.exchanges.append(exchange)
        connection.end = start.adding(nanoseconds: 60_000_000)
        let html = Self.page(HTMLReportWriter(capture: ReportCapture(), connections: [connection]))
        #expect(!html.contains("<script>window"))
        #expect(!html.contains("<img"))
        #expect(!html.contains("\" onerror"))
        #expect(!html.contains("<b>"))
        #expect(html.contains("G&lt;b&gt;ET /&lt;script&gt;window.__pwned=1&lt;/script&gt;&quot; onerror=&quot;x"))
        #expect(html.contains("(&lt;/svg&gt;&lt;img src=x&gt;)"))
        // Drawn at its HEADERS (+1.7 ms), not where the stream ended (+56 ms).
        #expect(Self.attribute("data-start-ns", of: "tr", in: html) == ["1700000"])
        #expect(html.contains("<span class=\"wf-label\">+1.70 ms</span>"))
    }

    @Test("a stream known only from its summary, with absurd durations: placed by them, no trap")
    func summaryOnlyStream() {
        let recorder = ReportRecorder()
        let client = Endpoint(address: IPAddress(ipv4: 0x0a00_0001), port: 40000)
        let server = Endpoint(address: IPAddress(ipv4: 0x0a00_0002), port: 80)
        let start = Timestamp(nanoseconds: 1_700_000_000_000_000_000)
        let capture = CaptureInfo(packetNumber: 1, timestamp: start)
        recorder.receive(
            TimelineEvent(
                timestamp: start, connection: 1, packet: 1,
                kind: .connectionOpened(
                    ConnectionOpening(
                        connection: 1, client: client, server: server, roleEvidence: .syn, capture: capture))))
        for (stream, total, ttfb) in [(UInt32(1), 1e300, Double.infinity), (3, -1e300, Double.nan), (5, 4.0, 1.0)] {
            let summary = HTTP2StreamSummary(
                stream: stream, method: "GET", scheme: "http", authority: "a", path: "/\(stream)", connectProtocol: nil,
                status: 200, requestBodyBytes: 0, responseBodyBytes: 10, reset: nil,
                timeToFirstByteMilliseconds: ttfb, totalMilliseconds: total, unfinished: false)
            recorder.receive(
                TimelineEvent(
                    timestamp: start.adding(nanoseconds: 10_000_000), connection: 1, packet: 2,
                    kind: .h2Stream(summary)))
        }
        recorder.finish(packets: 2, files: ["synthetic"])
        let streams = recorder.connections.first?.http2Streams ?? []
        #expect(streams.count == 3)
        let five = streams.first { $0.stream == 5 }
        #expect(five?.requestTime == start.adding(nanoseconds: 6_000_000))
        #expect(five?.responseTime == start.adding(nanoseconds: 7_000_000))
        let html = Self.page(recorder)
        #expect(Self.attribute("data-stream", of: "tr", in: html).count == 3)
    }

    @Test("activity spans: exact counts, merged neighbours, long gaps kept when coarsened, bounded")
    func activity() {
        var activity = ReportActivity()
        activity.note(1000, bytes: 10)
        activity.note(1000, bytes: 5)
        activity.note(5000, bytes: 7)
        #expect(activity.moved(after: 0, before: 2000) == ReportActivity.Moved(bytes: 15, exact: true))
        #expect(activity.moved(after: 1000, before: 5000) == nil)
        #expect(activity.moved(after: 1001, before: 4999) == nil)
        #expect(activity.moved(after: 0, before: 10_000)?.bytes == 22)
        // A body noted from its head: folded into the span it reaches back into.
        activity.note(from: 900, to: 6000, bytes: 100)
        #expect(activity.spans.count == 1)
        #expect(activity.moved(after: 2000, before: 3000) == ReportActivity.Moved(bytes: 122, exact: false))

        var long = ReportActivity()
        for index in 0..<10_000 { long.note(Int64(index) * 1000, bytes: 1) }
        let idleFrom: Int64 = 10_000 * 1000
        let idleTo: Int64 = 60_000_000_000
        for index in 0..<10_000 { long.note(idleTo + Int64(index) * 1000, bytes: 1) }
        #expect(long.spans.count <= ReportActivity.maxSpans)
        #expect(long.moved(after: idleFrom, before: idleTo) == nil, "the minute without bytes stays idle")
        #expect(long.moved(after: 0, before: .max)?.bytes == 20_000)
    }

    @Test("axis ticks: round steps, at most five labels")
    func ticks() {
        for span: Int64 in [1, 999, 1000, 37_000, 1_000_000, 72_080_000, 999_999_999, 3_600_000_000_000] {
            let step = HTTP2Waterfall.tickStep(spanNanoseconds: span)
            #expect(step > 0)
            #expect(span / step < Int64(HTTP2Waterfall.Layout.maxTicks), "span \(span) step \(step)")
        }
    }
}
