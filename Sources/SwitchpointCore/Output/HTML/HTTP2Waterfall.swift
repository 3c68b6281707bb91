/// One HTTP/2 connection's streams as a waterfall, as browsers' developer tools draw a page
/// load: one table row per stream in start order, its labels in their own cells (clipped
/// with an ellipsis, whole in the tooltip, so no two ever overlap whatever the count), and
/// a bar on a time axis shared by the rows, from the request's HEADERS to the response's
/// end, lighter until the response head (the time to first byte).
struct HTTP2Waterfall {
    var connection: ReportConnection
    /// Time zero of the axis and the `+` labels (the sequence diagram's, on this
    /// connection's clock), in nanoseconds.
    var origin: Int64

    /// Layout constants, in CSS pixels.
    enum Layout {
        /// The bar column's drawing width (its SVG's user units are pixels).
        static let barWidth = 480.0
        static let rowHeight = 16.0
        static let barHeight = 10.0
        static let axisHeight = 18.0
        /// Tick labels on the axis at most (about a hundred pixels apart).
        static let maxTicks = 5
        /// Room a tick label needs to its right (`+100.0 ms` at 10 px).
        static let tickLabelWidth = 64.0
        /// A bar is drawn at least this wide, so a stream of a few microseconds shows.
        static let minimumBar = 2.0
        /// Characters of the request's method and path written into its cell (the cell
        /// clips them further; the tooltip has them all).
        static let requestCharacters = 160
    }

    /// Where the axis starts and how long it is, in nanoseconds.
    private struct Axis {
        var origin: Int64
        var span: Int64

        func x(_ time: Int64) -> Double {
            min(Layout.barWidth, max(0, Double(time &- origin) / Double(span) * Layout.barWidth))
        }
    }

    /// One row's facts, from the recorded exchange.
    private struct Row {
        var exchange: ReportExchange
        var start: Int64
        var head: Int64?
        var end: Int64
        var request: String

        var durationMilliseconds: Double { Double(end &- start) / 1e6 }
    }

    /// Writes the waterfall (nothing for a connection without HTTP/2 streams); the streams'
    /// header blocks go into `details`, shown when a row is clicked.
    func write(into out: OutputBuffer, details: OutputBuffer, nextDetail: inout Int) {
        let rows = self.rows()
        guard !rows.isEmpty else { return }
        // A stream that started before the diagram's first item (a connection joined
        // mid-stream) moves time zero back to it, so no bar starts left of the axis.
        let origin = min(self.origin, rows.map(\.start).min() ?? self.origin)
        let last = rows.map(\.end).max() ?? origin
        let axis = Axis(origin: origin, span: max(1000, last &- origin))
        out.append("<div class=\"waterfall\" data-conn=\"")
        out.append(trusted: connection.label)
        out.append("\" data-origin-ns=\"")
        out.append(decimal: origin)
        out.append("\"><h3>HTTP/2 streams <span class=\"muted\">")
        out.append(decimal: rows.count)
        out.append(
            " by start time; bar from the request's HEADERS to the response's end, lighter until the response head")
        if connection.exchanges.elided > 0 {
            out.append("; ")
            out.append(decimal: connection.exchanges.elided)
            out.append(" exchanges between the first ")
            out.append(decimal: ReportLimits.headExchanges)
            out.append(" and the last ")
            out.append(decimal: ReportLimits.tailExchanges)
            out.append(" not drawn")
        }
        out.append("</span></h3><table class=\"wf\"><colgroup><col class=\"wf-c-id\"><col class=\"wf-c-request\">")
        out.append(
            "<col class=\"wf-c-status\"><col class=\"wf-c-bytes\"><col class=\"wf-c-start\"><col class=\"wf-c-time\">")
        out.append("<col class=\"wf-c-bar\"></colgroup><thead><tr><th>stream</th><th>request</th><th>status</th>")
        out.append("<th>DATA</th><th>start</th><th>time</th><th class=\"wf-axis\">")
        writeAxis(axis, into: out)
        out.append("</th></tr></thead><tbody>")
        for row in rows {
            writeRow(row, axis: axis, into: out, details: details, nextDetail: &nextDetail)
        }
        out.append("</tbody></table></div>")
    }

    private func rows() -> [Row] {
        let closed = connection.end?.nanoseconds
        return connection.http2Streams.compactMap { exchange -> Row? in
            guard let start = exchange.requestTime?.nanoseconds else { return nil }
            let head = exchange.responseTime?.nanoseconds
            let end = max(start, exchange.responseEnd?.nanoseconds ?? closed ?? head ?? start)
            let method = exchange.requestMethod ?? Self.field(":method", in: exchange.requestFields) ?? "?"
            var target = exchange.requestTarget ?? Self.field(":path", in: exchange.requestFields) ?? ""
            if let protocolName = Self.field(":protocol", in: exchange.requestFields) {
                target += (target.isEmpty ? "" : " ") + "(" + protocolName + ")"
            }
            return Row(exchange: exchange, start: start, head: head, end: end, request: method + " " + target)
        }
    }

    private static func field(_ name: String, in fields: [HTTPField]) -> String? {
        fields.first { $0.name == name }?.value
    }

    /// Round tick steps (1, 2, 5 × 10ⁿ ms) with at most `maxTicks` labels.
    private func writeAxis(_ axis: Axis, into out: OutputBuffer) {
        out.append("<svg class=\"wf-ticks\" width=\"")
        out.append(decimal: Int(Layout.barWidth))
        out.append("\" height=\"")
        out.append(decimal: Int(Layout.axisHeight))
        out.append("\" viewBox=\"0 0 ")
        out.append(decimal: Int(Layout.barWidth))
        out.append(" ")
        out.append(decimal: Int(Layout.axisHeight))
        out.append("\">")
        let step = Self.tickStep(spanNanoseconds: axis.span)
        // Labels run right from their tick; one too close to the right edge to fit is left
        // out (ticks are at least `barWidth / maxTicks` apart, wider than a label).
        for index in 0..<Int64(Layout.maxTicks) {
            let (tick, overflow) = step.multipliedReportingOverflow(by: index)
            guard !overflow, tick <= axis.span,
                axis.x(axis.origin &+ tick) <= Layout.barWidth - Layout.tickLabelWidth
            else { break }
            out.append("<line class=\"wf-grid\" x1=\"")
            out.append(fixed: axis.x(axis.origin &+ tick), decimals: 1)
            out.append("\" y1=\"14\" x2=\"")
            out.append(fixed: axis.x(axis.origin &+ tick), decimals: 1)
            out.append("\" y2=\"18\"/><text class=\"wf-tick\" x=\"")
            out.append(fixed: axis.x(axis.origin &+ tick), decimals: 1)
            out.append("\" y=\"11\">+")
            Self.tickLabel(tick, step: step, into: out)
            out.append("</text>")
        }
        out.append("</svg>")
    }

    /// `0`, `20 ms`, `0.5 ms`, `2 s`: in the step's unit, with the decimals the step needs.
    static func tickLabel(_ tick: Int64, step: Int64, into out: OutputBuffer) {
        let (unit, name): (Double, StaticString) =
            step >= 1_000_000_000 ? (1e9, " s") : step >= 100_000 ? (1e6, " ms") : (1e3, " µs")
        let steps = Double(step) / unit
        out.append(fixed: Double(tick) / unit, decimals: steps >= 1 ? 0 : steps >= 0.1 ? 1 : 2)
        out.append(name)
    }

    static func tickStep(spanNanoseconds span: Int64) -> Int64 {
        var unit: Int64 = 1000  // 1 µs
        while true {
            for factor: Int64 in [1, 2, 5] where span / (unit * factor) < Int64(Layout.maxTicks) {
                return unit * factor
            }
            guard unit < Int64.max / 100 else { return max(1, span) }
            unit *= 10
        }
    }

    private func writeRow(
        _ row: Row, axis: Axis, into out: OutputBuffer, details: OutputBuffer, nextDetail: inout Int
    ) {
        let exchange = row.exchange
        let stream = Int(exchange.stream ?? 0)
        nextDetail += 1
        out.append("<tr class=\"wf-row")
        if exchange.reset != nil { out.append(" wf-reset") }
        if exchange.unfinished { out.append(" wf-unfinished") }
        out.append("\" tabindex=\"0\" data-detail=\"d")
        out.append(decimal: nextDetail)
        out.append("\" data-stream=\"")
        out.append(decimal: stream)
        out.append("\" data-start-ns=\"")
        out.append(decimal: Int(row.start &- axis.origin))
        out.append("\" data-end-ns=\"")
        out.append(decimal: Int(row.end &- axis.origin))
        out.append("\" title=\"")
        summary(row, axis: axis, into: out)
        out.append("\"><td class=\"wf-id\"><span class=\"wf-label\">")
        out.append(decimal: stream)
        out.append("</span></td><td class=\"wf-request\"><span class=\"wf-label\">")
        SequenceDiagram.clipped(row.request, into: out, limit: Layout.requestCharacters)
        out.append("</span></td><td class=\"wf-status\"><span class=\"wf-label\">")
        status(exchange, into: out)
        out.append("</span></td><td class=\"wf-bytes\"><span class=\"wf-label\">")
        dataLabel(exchange, into: out)
        out.append("</span></td><td class=\"wf-start\"><span class=\"wf-label\">+")
        out.append(duration: Double(row.start &- axis.origin) / 1e6)
        out.append("</span></td><td class=\"wf-time\"><span class=\"wf-label\">")
        out.append(duration: row.durationMilliseconds)
        out.append("</span></td><td class=\"wf-bar\">")
        bar(row, axis: axis, into: out)
        out.append("</td></tr>")
        details.append("<pre class=\"detail\" id=\"d")
        details.append(decimal: nextDetail)
        details.append("\" hidden>")
        SequenceDiagram.streamDetail(
            UInt32(stream), "request", bodyBytes: exchange.requestBodyBytes, fields: exchange.requestFields,
            into: details)
        details.append("\n")
        SequenceDiagram.streamDetail(
            UInt32(stream), "response", bodyBytes: exchange.responseBodyBytes, fields: exchange.responseFields,
            into: details)
        details.append("</pre>")
    }

    /// The status cell: the status, and how the stream ended when it did not end well.
    private func status(_ exchange: ReportExchange, into out: OutputBuffer) {
        if let status = exchange.status { out.append(decimal: status) } else { out.append("—") }
        if let reset = exchange.reset {
            out.append(" RST ")
            out.append(trusted: HTTP2ErrorCode(rawValue: reset).name)
        } else if exchange.unfinished {
            out.append(" unfinished")
        }
    }

    /// `↓1.2 kB`, with `↑` first when the request had a body.
    private func dataLabel(_ exchange: ReportExchange, into out: OutputBuffer) {
        if exchange.requestBodyBytes > 0 {
            out.append("↑")
            Self.bytes(exchange.requestBodyBytes, into: out)
            out.append(" ")
        }
        out.append("↓")
        Self.bytes(exchange.responseBodyBytes, into: out)
    }

    /// The whole row in words: the tooltip (escaped, as it holds the wire's path).
    private func summary(_ row: Row, axis: Axis, into out: OutputBuffer) {
        out.append("stream ")
        out.append(decimal: Int(row.exchange.stream ?? 0))
        out.append(" ")
        HTMLEscaper.append(row.request, to: out)
        out.append(" · ")
        status(row.exchange, into: out)
        out.append(" · DATA ")
        dataLabel(row.exchange, into: out)
        out.append(" (")
        out.append(decimal: row.exchange.requestBodyBytes)
        out.append(" B sent, ")
        out.append(decimal: row.exchange.responseBodyBytes)
        out.append(" B received) · start +")
        out.append(duration: Double(row.start &- axis.origin) / 1e6)
        if let head = row.head {
            out.append(" · time to first byte ")
            out.append(duration: Double(head &- row.start) / 1e6)
        }
        out.append(" · total ")
        out.append(duration: row.durationMilliseconds)
    }

    /// The bar: waiting (request to response head) lighter, then receiving.
    private func bar(_ row: Row, axis: Axis, into out: OutputBuffer) {
        let width = Int(Layout.barWidth)
        let height = Int(Layout.rowHeight)
        out.append("<svg class=\"wf-timeline\" width=\"")
        out.append(decimal: width)
        out.append("\" height=\"")
        out.append(decimal: height)
        out.append("\" viewBox=\"0 0 ")
        out.append(decimal: width)
        out.append(" ")
        out.append(decimal: height)
        out.append("\">")
        let start = axis.x(row.start)
        let end = max(axis.x(row.end), min(Layout.barWidth, start + Layout.minimumBar))
        let head = row.head.map { min(max(axis.x($0), start), end) } ?? end
        rect("wf-wait", from: start, to: head, into: out)
        if row.head != nil { rect("wf-receive", from: head, to: end, into: out) }
        out.append("</svg>")
    }

    private func rect(_ cssClass: StaticString, from x1: Double, to x2: Double, into out: OutputBuffer) {
        guard x2 > x1 else { return }
        out.append("<rect class=\"")
        out.append(cssClass)
        out.append("\" x=\"")
        out.append(fixed: x1, decimals: 1)
        out.append("\" y=\"")
        out.append(fixed: (Layout.rowHeight - Layout.barHeight) / 2, decimals: 1)
        out.append("\" width=\"")
        out.append(fixed: max(0.5, x2 - x1), decimals: 1)
        out.append("\" height=\"")
        out.append(fixed: Layout.barHeight, decimals: 1)
        out.append("\"/>")
    }

    /// `512 B`, `1.5 kB`, `2.3 MB` (the tooltip has the exact count).
    static func bytes(_ count: UInt64, into out: OutputBuffer) {
        switch count {
        case ..<1000:
            out.append(decimal: count)
            out.append(" B")
        case ..<1_000_000:
            out.append(fixed: Double(count) / 1e3, decimals: 1)
            out.append(" kB")
        default:
            out.append(fixed: Double(count) / 1e6, decimals: 1)
            out.append(" MB")
        }
    }
}
