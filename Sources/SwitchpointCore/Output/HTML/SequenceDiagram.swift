/// One connection's (or one proxied exchange's) sequence diagram as inline SVG: lifelines,
/// the handshake as arrows, the switch point as a band across the lifelines, then the new
/// protocol's messages, findings where they happened, gaps as broken lifelines, and time
/// down the page: proportional, with long idle stretches collapsed and labelled.
struct SequenceDiagram {
    /// One TCP connection drawn between two lifelines (`left` is its client's).
    struct Leg {
        var connection: ReportConnection
        var left: Int
        var right: Int
        /// Added to the leg's times (the audit's second capture, by the clock offset).
        var shiftNanoseconds: Int64 = 0
    }

    /// Lifeline titles, left to right (switchpoint's own words plus escaped endpoints).
    var lanes: [String]
    var legs: [Leg]
    /// Items on the first leg's clock that no connection recorded (the audit's findings).
    var extra: [ReportItem] = []

    /// Layout constants, in SVG user units (pixels).
    enum Layout {
        static let laneSpacing = 440.0
        static let firstLane = 150.0
        static let top = 64.0
        static let rowHeight = 24.0
        /// Proportional time gets this many pixels per row on average.
        static let proportionalPerRow = 10.0
        /// An interval that would be drawn taller than this is collapsed and labelled.
        static let collapseAbove = 120.0
        static let collapsedHeight = 30.0
        static let labelCharacters = 64
        /// A connection-level frame's label on its arrow (SETTINGS lists values up to it).
        static let controlLabelCharacters = 56
    }

    /// Writes the `<svg>` and, into `details`, one hidden `<pre>` per clickable item.
    /// `nextDetail` numbers the detail ids across the whole page.
    func write(into out: OutputBuffer, details: OutputBuffer, nextDetail: inout Int) {
        let items = timedItems()
        let origin = Self.origin(items, legs: legs)
        let positions = Self.verticalPositions(items.map(\.time)) { start, end in
            movedOnLegs(after: start, before: end)
        }
        let width = Layout.firstLane * 2 + Layout.laneSpacing * Double(max(1, lanes.count - 1))
        let height = (positions.last?.y ?? Layout.top) + Layout.rowHeight * 2
        out.append("<svg class=\"seq\" xmlns=\"http://www.w3.org/2000/svg\" width=\"")
        out.append(decimal: Int(width))
        out.append("\" height=\"")
        out.append(decimal: Int(height))
        out.append("\" viewBox=\"0 0 ")
        out.append(decimal: Int(width))
        out.append(" ")
        out.append(decimal: Int(height))
        out.append("\" role=\"img\">")
        // Lifelines and their titles.
        for (index, title) in lanes.enumerated() {
            let x = laneX(index)
            out.append("<g class=\"lane\"><rect class=\"lane-head\" x=\"")
            out.append(fixed: x - 130, decimals: 1)
            out.append("\" y=\"8\" width=\"260\" height=\"30\" rx=\"4\"/><text class=\"lane-title\" x=\"")
            out.append(fixed: x, decimals: 1)
            out.append("\" y=\"28\" text-anchor=\"middle\">")
            HTMLEscaper.append(title, to: out)
            out.append("</text><line class=\"lifeline\" x1=\"")
            out.append(fixed: x, decimals: 1)
            out.append("\" y1=\"38\" x2=\"")
            out.append(fixed: x, decimals: 1)
            out.append("\" y2=\"")
            out.append(fixed: height - 8, decimals: 1)
            out.append("\"/></g>")
        }
        for (index, entry) in items.enumerated() {
            let position = positions[index]
            if let collapsed = position.collapsed {
                drawCollapsed(
                    collapsed, y: position.y - Layout.rowHeight / 2 - Layout.collapsedHeight / 2, width: width,
                    into: out)
            }
            let leg = legs[entry.leg]
            drawTime(entry.time, origin: origin, y: position.y, into: out)
            draw(entry.item, leg: leg, y: position.y, into: out, details: details, nextDetail: &nextDetail)
        }
        out.append("</svg>")
    }

    /// Every item on the first leg's clock, by time (stable: one leg's events keep their order).
    private func timedItems() -> [(time: Int64, leg: Int, item: ReportItem)] {
        var items: [(time: Int64, leg: Int, item: ReportItem)] = []
        for (index, leg) in legs.enumerated() {
            for item in leg.connection.diagramItems {
                items.append((item.time.nanoseconds &+ leg.shiftNanoseconds, index, item))
            }
        }
        for item in extra { items.append((item.time.nanoseconds, 0, item)) }
        return items.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(
            \.element)
    }

    private static func origin(_ items: [(time: Int64, leg: Int, item: ReportItem)], legs: [Leg]) -> Int64 {
        items.first?.time ?? legs.first.map { $0.connection.start.nanoseconds } ?? 0
    }

    /// The time the `+` labels count from (the first item's), on the first leg's clock: the
    /// waterfalls above the diagram count from it too.
    var origin: Int64 { Self.origin(timedItems(), legs: legs) }

    private func laneX(_ lane: Int) -> Double { Layout.firstLane + Layout.laneSpacing * Double(lane) }

    /// What moved on any leg strictly between two diagram times (each leg on its own clock).
    private func movedOnLegs(after start: Int64, before end: Int64) -> ReportActivity.Moved? {
        var total: ReportActivity.Moved?
        for leg in legs {
            guard
                let moved = leg.connection.activity.moved(
                    after: start &- leg.shiftNanoseconds, before: end &- leg.shiftNanoseconds)
            else { continue }
            total = ReportActivity.Moved(
                bytes: (total?.bytes ?? 0) &+ moved.bytes, exact: (total?.exact ?? true) && moved.exact)
        }
        return total
    }

    /// A collapsed interval: `idle` only when no byte moved in it, else how much did.
    private func drawCollapsed(_ collapsed: Collapsed, y: Double, width: Double, into out: OutputBuffer) {
        // The interval's ends (the first leg's clock) let a checker compare it with the timeline.
        out.append(
            collapsed.moved == nil ? "<g class=\"idle\" data-after-ns=\"" : "<g class=\"idle busy\" data-after-ns=\"")
        out.append(decimal: collapsed.after)
        out.append("\" data-before-ns=\"")
        out.append(decimal: collapsed.before)
        out.append("\"><rect class=\"idle-band\" x=\"4\" y=\"")
        out.append(fixed: y - 8, decimals: 1)
        out.append("\" width=\"")
        out.append(fixed: width - 8, decimals: 1)
        out.append("\" height=\"16\"/><text class=\"idle-label\" x=\"")
        out.append(fixed: width / 2, decimals: 1)
        out.append("\" y=\"")
        out.append(fixed: y + 4, decimals: 1)
        out.append("\" text-anchor=\"middle\">⋯ ")
        out.append(duration: collapsed.milliseconds)
        if let moved = collapsed.moved {
            out.append(moved.exact ? " · " : " · about ")
            out.append(decimal: moved.bytes)
            out.append(" bytes moved (time compressed) ⋯</text></g>")
        } else {
            out.append(" idle ⋯</text></g>")
        }
    }

    /// An interval drawn shorter than its time.
    struct Collapsed: Equatable {
        /// The times of the items before and after it, in nanoseconds.
        var after: Int64
        var before: Int64
        var milliseconds: Double
        /// Bytes moved in it; nil when the connection was idle.
        var moved: ReportActivity.Moved?
    }

    struct Position: Equatable {
        var y: Double
        /// The interval before this item was collapsed: how long it was, what moved.
        var collapsed: Collapsed?
    }

    /// Each item's row: a fixed step plus time in proportion, with intervals that would be
    /// taller than `collapseAbove` drawn as a fixed, labelled break (`moved` tells an idle
    /// break from one while bytes flowed between the drawn items).
    static func verticalPositions(
        _ times: [Int64], moved: (Int64, Int64) -> ReportActivity.Moved? = { _, _ in nil }
    ) -> [Position] {
        guard !times.isEmpty else { return [] }
        var intervals: [Double] = []
        for index in times.indices.dropFirst() {
            intervals.append(max(0, Double(times[index] &- times[index - 1]) / 1e6))
        }
        // Scale so that the intervals below the collapse line fill their share of pixels:
        // pick the scale from the median interval, which ignores the idle outliers.
        let sorted = intervals.sorted()
        let median = sorted.isEmpty ? 0 : sorted[sorted.count / 2]
        let pixelsPerMillisecond = median > 0 ? Layout.proportionalPerRow / median : 0
        var positions = [Position(y: Layout.top + Layout.rowHeight, collapsed: nil)]
        var y = Layout.top + Layout.rowHeight
        for (index, interval) in intervals.enumerated() {
            let proportional = interval * pixelsPerMillisecond
            if proportional > Layout.collapseAbove || (pixelsPerMillisecond == 0 && interval > 1000) {
                y += Layout.rowHeight + Layout.collapsedHeight
                let collapsed = Collapsed(
                    after: times[index], before: times[index + 1], milliseconds: interval,
                    moved: moved(times[index], times[index + 1]))
                positions.append(Position(y: y, collapsed: collapsed))
            } else {
                y += Layout.rowHeight + proportional
                positions.append(Position(y: y, collapsed: nil))
            }
        }
        return positions
    }

    private func drawTime(_ time: Int64, origin: Int64, y: Double, into out: OutputBuffer) {
        out.append("<text class=\"t\" x=\"4\" y=\"")
        out.append(fixed: y - 2, decimals: 1)
        out.append("\">+")
        out.append(duration: Double(time &- origin) / 1e6)
        out.append("</text>")
    }

    /// An arrow from one lifeline to the other with a label above it; clickable when it has
    /// a detail.
    private func arrow(
        from: Int, to: Int, y: Double, cssClass: StaticString, label: (OutputBuffer) -> Void,
        detail: ((OutputBuffer) -> Void)?, into out: OutputBuffer, details: OutputBuffer, nextDetail: inout Int
    ) {
        let x1 = laneX(from)
        let x2 = laneX(to)
        out.append("<g class=\"msg ")
        out.append(cssClass)
        out.append("\"")
        if let detail {
            nextDetail += 1
            out.append(" tabindex=\"0\" data-detail=\"d")
            out.append(decimal: nextDetail)
            out.append("\"")
            details.append("<pre class=\"detail\" id=\"d")
            details.append(decimal: nextDetail)
            details.append("\" hidden>")
            detail(details)
            details.append("</pre>")
        }
        out.append("><line x1=\"")
        out.append(fixed: x1, decimals: 1)
        out.append("\" y1=\"")
        out.append(fixed: y, decimals: 1)
        out.append("\" x2=\"")
        out.append(fixed: x2 + (x2 > x1 ? -6 : 6), decimals: 1)
        out.append("\" y2=\"")
        out.append(fixed: y, decimals: 1)
        out.append("\"/><path class=\"head\" d=\"M")
        out.append(fixed: x2, decimals: 1)
        out.append(" ")
        out.append(fixed: y, decimals: 1)
        out.append(" l")
        out.append(x2 > x1 ? "-8 -4 v8 z" : "8 -4 v8 z")
        out.append("\"/><text x=\"")
        out.append(fixed: (x1 + x2) / 2, decimals: 1)
        out.append("\" y=\"")
        out.append(fixed: y - 4, decimals: 1)
        out.append("\" text-anchor=\"middle\">")
        label(out)
        out.append("</text></g>")
    }

    private func draw(
        _ item: ReportItem, leg: Leg, y: Double, into out: OutputBuffer, details: OutputBuffer, nextDetail: inout Int
    ) {
        let (from, to) = item.direction == .serverToClient ? (leg.right, leg.left) : (leg.left, leg.right)
        switch item.kind {
        case .request(let head):
            arrow(
                from: leg.left, to: leg.right, y: y, cssClass: "http",
                label: { out in
                    Self.clipped(head.method + " " + head.target + " " + head.version, into: out)
                },
                detail: { details in
                    HTMLEscaper.append(head.method + " " + head.target + " " + head.version + "\n", to: details)
                    Self.fields(head.headers.fields, into: details)
                }, into: out, details: details, nextDetail: &nextDetail)
        case .response(let head):
            arrow(
                from: leg.right, to: leg.left, y: y, cssClass: head.status == 101 ? "http switch" : "http",
                label: { out in
                    out.append(decimal: head.status)
                    out.append(" ")
                    Self.clipped(head.reason, into: out)
                },
                detail: { details in
                    HTMLEscaper.append(head.version + " ", to: details)
                    details.append(decimal: head.status)
                    HTMLEscaper.append(" " + head.reason + "\n", to: details)
                    Self.fields(head.headers.fields, into: details)
                }, into: out, details: details, nextDetail: &nextDetail)
        case .upgrade(let upgrade):
            drawSwitchBand(upgrade, leg: leg, y: y, stream: item.stream, into: out)
        case .message(let message):
            arrow(
                from: from, to: to, y: y, cssClass: Self.messageClass(message.opcode),
                label: { out in
                    Self.messageLabel(message, into: out)
                },
                detail: { details in
                    Self.messageDetail(message, into: details)
                }, into: out, details: details, nextDetail: &nextDetail)
        case .h2Control(let control):
            arrow(
                from: from, to: to, y: y, cssClass: "h2",
                label: { out in Self.controlLabel(control, into: out) }, detail: Self.controlDetail(control),
                into: out, details: details, nextDetail: &nextDetail)
        case .finding(let finding):
            // A finding of no direction sits on the leg's client lifeline, its label running right.
            let lane = item.direction == nil ? Double(leg.left) : Double(from)
            let x = Layout.firstLane + Layout.laneSpacing * lane
            out.append("<g class=\"finding sev-")
            out.append(trusted: finding.severity.rawValue)
            out.append("\" data-severity=\"")
            out.append(trusted: finding.severity.rawValue)
            // The whole message as the tooltip; the label is clipped to the diagram.
            out.append("\"><title>")
            HTMLEscaper.append(
                finding.severity.rawValue + " " + finding.code.rawValue + ": " + finding.message, to: out)
            out.append("</title><circle cx=\"")
            out.append(fixed: x, decimals: 1)
            out.append("\" cy=\"")
            out.append(fixed: y - 4, decimals: 1)
            // On the rightmost lifeline the label runs leftwards, inside the diagram.
            let leftwards = lane >= Double(lanes.count - 1)
            out.append("\" r=\"6\"/><text x=\"")
            out.append(fixed: leftwards ? x - 10 : x + 10, decimals: 1)
            out.append("\" y=\"")
            out.append(fixed: y, decimals: 1)
            out.append(leftwards ? "\" text-anchor=\"end\">" : "\">")
            HTMLEscaper.append(finding.severity.rawValue + " " + finding.code.rawValue + ": ", to: out)
            Self.clipped(finding.message, into: out, limit: max(20, 66 - finding.code.rawValue.count))
            out.append("</text></g>")
        case .auditFinding(let finding):
            // On the proxy's lifeline (the middle one), with the fix in the tooltip.
            let x = lanes.count == 3 ? laneX(1) : (laneX(leg.left) + laneX(leg.right)) / 2
            out.append("<g class=\"finding audit sev-")
            out.append(trusted: finding.severity.rawValue)
            out.append("\" data-severity=\"")
            out.append(trusted: finding.severity.rawValue)
            out.append("\"><title>")
            HTMLEscaper.append(
                finding.severity.rawValue + " " + finding.code.rawValue + ": " + finding.message, to: out)
            if let fix = finding.fix { HTMLEscaper.append("\nfix: " + fix, to: out) }
            out.append("</title><rect x=\"")
            out.append(fixed: x - 6, decimals: 1)
            out.append("\" y=\"")
            out.append(fixed: y - 10, decimals: 1)
            out.append("\" width=\"12\" height=\"12\" transform=\"rotate(45 ")
            out.append(fixed: x, decimals: 1)
            out.append(" ")
            out.append(fixed: y - 4, decimals: 1)
            out.append(")\"/><text x=\"")
            out.append(fixed: x + 12, decimals: 1)
            out.append("\" y=\"")
            out.append(fixed: y, decimals: 1)
            out.append("\">")
            HTMLEscaper.append(finding.code.rawValue + ": ", to: out)
            Self.clipped(finding.message, into: out, limit: max(20, 70 - finding.code.rawValue.count))
            out.append("</text></g>")
        case .gap(let length, let reason):
            let x = laneX(from)
            out.append("<g class=\"gap\"><rect class=\"gap-break\" x=\"")
            out.append(fixed: x - 6, decimals: 1)
            out.append("\" y=\"")
            out.append(fixed: y - 14, decimals: 1)
            out.append("\" width=\"12\" height=\"18\"/><path class=\"gap-zigzag\" d=\"M")
            out.append(fixed: x, decimals: 1)
            out.append(" ")
            out.append(fixed: y - 14, decimals: 1)
            out.append(" l-5 4 l10 5 l-10 5 l5 4\"/><text x=\"")
            out.append(fixed: x + 10, decimals: 1)
            out.append("\" y=\"")
            out.append(fixed: y, decimals: 1)
            out.append("\">gap: ")
            out.append(decimal: length)
            out.append(" bytes never captured (")
            out.append(trusted: reason.rawValue)
            out.append(")</text></g>")
        case .raw(let protocolName, let length, let preview, let hex):
            arrow(
                from: from, to: to, y: y, cssClass: "raw",
                label: { out in
                    Self.clipped(protocolName, into: out)
                    out.append(" ")
                    out.append(decimal: length)
                    out.append(" bytes")
                },
                detail: { details in
                    HTMLEscaper.append(protocolName, to: details)
                    details.append(" data, ")
                    details.append(decimal: length)
                    details.append(" bytes; the first ones:\n")
                    if hex { Self.hexDump(preview, into: details) } else { HTMLEscaper.append(preview, to: details) }
                }, into: out, details: details, nextDetail: &nextDetail)
        case .tlsClientHello(let serverName, let alpn):
            arrow(
                from: leg.left, to: leg.right, y: y, cssClass: "tls",
                label: { out in
                    out.append("TLS ClientHello")
                    if let serverName {
                        out.append(" SNI ")
                        Self.clipped(serverName, into: out)
                    }
                    if !alpn.isEmpty {
                        out.append(" ALPN ")
                        Self.clipped(alpn.joined(separator: ","), into: out)
                    }
                }, detail: nil, into: out, details: details, nextDetail: &nextDetail)
        case .tlsServerHello(let version, let alpn):
            arrow(
                from: leg.right, to: leg.left, y: y, cssClass: "tls",
                label: { out in
                    out.append("TLS ServerHello ")
                    Self.clipped(version, into: out)
                    if let alpn {
                        out.append(" ALPN ")
                        Self.clipped(alpn, into: out)
                    }
                }, detail: nil, into: out, details: details, nextDetail: &nextDetail)
        case .closing(let closing):
            out.append("<text class=\"note\" x=\"")
            out.append(fixed: (laneX(leg.left) + laneX(leg.right)) / 2, decimals: 1)
            out.append("\" y=\"")
            out.append(fixed: y, decimals: 1)
            out.append("\" text-anchor=\"middle\">close handshake: ")
            out.append(closing.firstDirection == .clientToServer ? "client" : "server")
            out.append(" closed first")
            if let code = closing.firstCode {
                out.append(" (")
                out.append(decimal: Int(code))
                out.append(")")
            }
            if closing.answered {
                out.append(", answered")
                if let answer = closing.answerMilliseconds {
                    out.append(" in ")
                    out.append(duration: answer)
                }
            } else {
                out.append(", not answered")
            }
            out.append("</text>")
        case .elided(let count):
            out.append("<g class=\"elided\"><rect x=\"")
            out.append(fixed: laneX(leg.left) - 20, decimals: 1)
            out.append("\" y=\"")
            out.append(fixed: y - 14, decimals: 1)
            out.append("\" width=\"")
            out.append(fixed: laneX(leg.right) - laneX(leg.left) + 40, decimals: 1)
            out.append("\" height=\"18\"/><text x=\"")
            out.append(fixed: (laneX(leg.left) + laneX(leg.right)) / 2, decimals: 1)
            out.append("\" y=\"")
            out.append(fixed: y - 1, decimals: 1)
            out.append("\" text-anchor=\"middle\">⋯ ")
            out.append(decimal: count)
            out.append(" messages not drawn (first and last ")
            out.append(decimal: ReportLimits.headMessages)
            out.append(" kept) ⋯</text></g>")
        }
    }

    /// The switch point: a band across both lifelines with both offsets and the latency.
    private func drawSwitchBand(_ upgrade: UpgradeSwitch, leg: Leg, y: Double, stream: UInt32?, into out: OutputBuffer)
    {
        let x1 = laneX(leg.left) - 40
        let x2 = laneX(leg.right) + 40
        out.append("<g class=\"switch-band\" data-conn=\"")
        out.append(trusted: leg.connection.label)
        out.append("\" data-c2s-offset=\"")
        out.append(decimal: upgrade.clientToServerOffset)
        out.append("\" data-s2c-offset=\"")
        out.append(decimal: upgrade.serverToClientOffset)
        out.append("\" data-latency-ms=\"")
        out.append(fixed: upgrade.latencyMilliseconds, decimals: 3)
        out.append("\" data-protocol=\"")
        HTMLEscaper.append(upgrade.protocolName, to: out)
        out.append("\"><rect x=\"")
        out.append(fixed: x1, decimals: 1)
        out.append("\" y=\"")
        out.append(fixed: y - 16, decimals: 1)
        out.append("\" width=\"")
        out.append(fixed: x2 - x1, decimals: 1)
        out.append("\" height=\"22\" rx=\"3\"/><text x=\"")
        out.append(fixed: (x1 + x2) / 2, decimals: 1)
        out.append("\" y=\"")
        out.append(fixed: y - 1, decimals: 1)
        out.append("\" text-anchor=\"middle\">switch → ")
        Self.clipped(upgrade.protocolName, into: out, limit: 24)
        if let stream {
            out.append(" (stream ")
            out.append(decimal: Int(stream))
            out.append(")")
        }
        out.append(" · c2s @")
        out.append(decimal: upgrade.clientToServerOffset)
        out.append(" · s2c @")
        out.append(decimal: upgrade.serverToClientOffset)
        out.append(" · ")
        out.append(duration: upgrade.latencyMilliseconds)
        out.append("</text></g>")
    }

    // MARK: Labels and details

    static func clipped(_ text: String, into out: OutputBuffer, limit: Int = Layout.labelCharacters) {
        if text.count <= limit {
            HTMLEscaper.append(text, to: out)
        } else {
            HTMLEscaper.append(String(text.prefix(limit)), to: out)
            out.append("…")
        }
    }

    /// A SETTINGS frame's values, one a line, shown when its arrow is clicked.
    static func controlDetail(_ control: ReportHTTP2Control) -> ((OutputBuffer) -> Void)? {
        switch control {
        case .settings(let ack, let values) where !values.isEmpty:
            return { details in
                details.append(ack ? "SETTINGS ack\n" : "SETTINGS\n")
                for (identifier, value) in values {
                    details.append(trusted: HTTP2SettingID(rawValue: identifier).name)
                    details.append(" = ")
                    details.append(decimal: Int(value))
                    details.append("\n")
                }
            }
        case .settings, .ping, .goAway, .frame:
            return nil
        }
    }

    /// A connection-level frame's arrow label: its type and what it says.
    static func controlLabel(_ control: ReportHTTP2Control, into out: OutputBuffer) {
        switch control {
        case .settings(let ack, let values):
            // As many values as fit the arrow; all of them in the detail.
            let listed = values.map { HTTP2SettingID(rawValue: $0.identifier).name + "=" + String($0.value) }
            var text = ack ? "SETTINGS ack" : "SETTINGS"
            if !listed.isEmpty { text += " " + listed.joined(separator: ", ") }
            clipped(text, into: out, limit: Layout.controlLabelCharacters)
        case .ping(let ack, let roundTrip):
            out.append(ack ? "PING ack" : "PING")
            if let roundTrip {
                out.append(" rtt ")
                out.append(duration: roundTrip)
            }
        case .goAway(let lastStream, let error, let debug):
            out.append("GOAWAY last stream ")
            out.append(decimal: Int(lastStream))
            out.append(" ")
            out.append(trusted: HTTP2ErrorCode(rawValue: error).name)
            if !debug.isEmpty {
                out.append(" ")
                clipped(debug, into: out, limit: 32)
            }
        case .frame(let type, let length, let increment):
            out.append(trusted: HTTP2FrameType(rawValue: type).name)
            if let increment {
                out.append(" +")
                out.append(decimal: Int(increment))
            } else {
                out.append(" ")
                out.append(decimal: length)
                out.append(" B")
            }
        }
    }

    /// An HTTP/2 stream's detail box: `stream N, request body B bytes` and its header block.
    static func streamDetail(
        _ stream: UInt32, _ side: StaticString, bodyBytes: UInt64, fields: [HTTPField], into details: OutputBuffer
    ) {
        details.append("stream ")
        details.append(decimal: Int(stream))
        details.append(", ")
        details.append(side)
        details.append(" body ")
        details.append(decimal: bodyBytes)
        details.append(" bytes\n")
        Self.fields(fields, into: details)
    }

    static func fields(_ fields: [HTTPField], into out: OutputBuffer) {
        for field in fields {
            HTMLEscaper.append(field.name + ": " + field.value + "\n", to: out)
        }
    }

    static func messageClass(_ opcode: UInt8) -> StaticString {
        switch WebSocketOpcode(rawValue: opcode) {
        case .text: "ws text"
        case .binary: "ws binary"
        case .close: "ws close"
        case .ping, .pong: "ws control"
        default: "ws"
        }
    }

    static func opcodeName(_ opcode: UInt8) -> StaticString {
        let named = WebSocketOpcode(rawValue: opcode)
        guard named != .continuation, let name = named.name else { return "frame" }
        return name
    }

    static func messageLabel(_ message: ReportMessage, into out: OutputBuffer) {
        if let first = message.applicationLabels.first {
            clipped(first, into: out, limit: 60)
            if message.applicationLabels.count > 1 {
                out.append(" (+")
                out.append(decimal: message.applicationLabels.count - 1)
                out.append(")")
            }
            return
        }
        out.append(opcodeName(message.opcode))
        if WebSocketOpcode(rawValue: message.opcode) == .close {
            if let code = message.closeCode {
                out.append(" ")
                out.append(decimal: Int(code))
            }
            if !message.data.isEmpty {
                out.append(" ")
                clipped(String(decoding: message.data, as: UTF8.self), into: out, limit: 40)
            }
            return
        }
        out.append(" ")
        out.append(decimal: message.length)
        out.append(" B")
        if let roundTrip = message.roundTripMilliseconds {
            out.append(" rtt ")
            out.append(duration: roundTrip)
        }
        if WebSocketOpcode(rawValue: message.opcode) == .text && message.problem == nil {
            out.append(": ")
            let preview = message.data.prefix(160)
            clipped(String(decoding: preview, as: UTF8.self), into: out, limit: 40)
        }
    }

    static func messageDetail(_ message: ReportMessage, into out: OutputBuffer) {
        out.append(opcodeName(message.opcode))
        out.append(", ")
        out.append(decimal: message.length)
        out.append(" bytes")
        if message.compressed { out.append(", compressed") }
        if !message.complete { out.append(", incomplete") }
        if let offset = message.offset {
            out.append(", at stream offset ")
            out.append(decimal: offset)
        }
        if let code = message.closeCode {
            out.append(", code ")
            out.append(decimal: Int(code))
        }
        out.append("\n")
        for label in message.applicationLabels {
            HTMLEscaper.append(label, to: out)
            out.append("\n")
        }
        if let problem = message.problem {
            HTMLEscaper.append(problem, to: out)
            return
        }
        let preview = Array(message.data.prefix(ReportLimits.htmlPreviewBytes))
        if message.isText || WebSocketOpcode(rawValue: message.opcode) == .ping
            || WebSocketOpcode(rawValue: message.opcode) == .pong
        {
            HTMLEscaper.append(preview, to: out)
        } else {
            hexDump(preview, into: out)
        }
        if preview.count < message.length {
            out.append("\n… (first ")
            out.append(decimal: preview.count)
            out.append(" bytes shown)")
        }
    }

    /// 16 bytes a line: offset, hex, printable ASCII (the ASCII column escaped).
    static func hexDump(_ bytes: [UInt8], into out: OutputBuffer) {
        var start = 0
        while start < bytes.count {
            let line = bytes[start..<min(bytes.count, start + 16)]
            out.append(zeroPadded: start, width: 6)
            out.append("  ")
            for byte in line {
                out.append(hexByte: byte)
                out.append(UInt8(ascii: " "))
            }
            out.append(repeating: UInt8(ascii: " "), count: (16 - line.count) * 3 + 1)
            let printable = line.map { (0x20..<0x7f).contains($0) ? $0 : UInt8(ascii: ".") }
            HTMLEscaper.append(printable, to: out)
            out.append("\n")
            start += 16
        }
    }
}
