import Foundation
import Prometheus

/// `--metrics`: the live run's counters in a Prometheus registry. Events are counted on the
/// analysis thread (an atomic add on a counter found in a dictionary); the capture's own
/// counters (packets, bytes, drops) are read when a scrape asks for them. Label values from
/// the wire (upgrade protocols) are capped in number, so a hostile peer cannot grow the
/// registry without bound.
package final class PrometheusMetricsSink: TimelineEventSink, @unchecked Sendable {
    /// Distinct protocol label values kept; further ones are counted under `other`.
    package static let maxProtocolLabels = 32
    /// Switch latency buckets in seconds: 100 µs to 10 s.
    package static let latencyBuckets: [Double] = [
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
        0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]
    static let otherLabel = "other"

    package let registry = PrometheusCollectorRegistry()
    private let connectionsTotal: Counter
    private let openConnections: Gauge
    private var upgrades: [UpgradeKey: Counter] = [:]
    private var findings: [FindingCode: Counter] = [:]
    private var latency: [String: ValueHistogram] = [:]
    private var protocolLabels: Set<String> = []
    /// The protocol each connection's latest upgrade request offered (for refusals).
    private var offered: [ConnectionID: String] = [:]

    private struct UpgradeKey: Hashable {
        var protocolName: String
        var outcome: String
    }

    // Capture counters, advanced to the capture's statistics on each scrape.
    private let captureLock = NSLock()
    private let capturedPackets: Counter
    private let capturedBytes: Counter
    private let drops: [DropStage: Counter]
    private var reported = CaptureTotals()
    private let captureStatistics: @Sendable () -> ThreadedCaptureSource.Statistics

    enum DropStage: String, CaseIterable {
        case kernel, interface, queue
    }

    struct CaptureTotals {
        var packets = 0
        var bytes = 0
        var drops: [DropStage: Int] = [:]
    }

    package init(captureStatistics: @escaping @Sendable () -> ThreadedCaptureSource.Statistics) {
        self.captureStatistics = captureStatistics
        connectionsTotal = registry.makeCounter(name: "switchpoint_connections_total", help: "TCP connections seen")
        openConnections = registry.makeGauge(name: "switchpoint_open_connections", help: "TCP connections open now")
        capturedPackets = registry.makeCounter(
            name: "switchpoint_packets_total", help: "Packets captured (the summary's captured)")
        capturedBytes = registry.makeCounter(
            name: "switchpoint_bytes_total", help: "Bytes captured (as kept by the snapshot length)")
        var drops: [DropStage: Counter] = [:]
        for stage in DropStage.allCases {
            drops[stage] = registry.makeCounter(
                name: "switchpoint_dropped_packets_total", labels: [("stage", stage.rawValue)],
                help: "Packets lost: by the kernel, by the interface, by switchpoint's queue")
        }
        self.drops = drops
    }

    /// Counters of a live capture (its `statistics()` takes the capture's own lock, so a
    /// scrape may read it from the server's thread).
    package convenience init(capture: ThreadedCaptureSource) {
        let reader = StatisticsReader(capture: capture)
        self.init(captureStatistics: { reader.capture.statistics() })
    }

    private struct StatisticsReader: @unchecked Sendable {
        let capture: ThreadedCaptureSource
    }

    package var wantsFrameEvents: Bool { false }

    package func receive(_ event: TimelineEvent) {
        switch event.tag {
        case .connectionOpened, .connectionClosed, .httpRequest, .upgrade, .finding: break
        // Not counted: the metrics are per connection, upgrade and finding.
        case .gap, .httpResponse, .httpBody, .rawData, .tlsClientHello, .tlsServerHello, .tlsHelloRetry, .tlsSession,
            .tlsEncrypted, .wsFrame, .wsMessage, .wsControl, .wsClose, .wsClosing, .h2Frame, .h2Settings, .h2Headers,
            .h2Reset, .h2GoAway, .h2Ping, .h2Stream, .app:
            return
        }
        switch event.kind {
        case .connectionOpened:
            connectionsTotal.increment()
            openConnections.increment()
        case .connectionClosed:
            openConnections.decrement()
            offered[event.connection] = nil
        case .httpRequest(let head):
            if let first = head.offeredProtocols.first { offered[event.connection] = first }
        case .upgrade(let upgrade):
            let name = protocolLabel(upgrade.protocolName)
            upgradeCounter(name, "switched").increment()
            histogram(name).record(upgrade.latencyMilliseconds / 1000)
        case .finding(let finding):
            findingCounter(finding).increment()
            if let outcome = ExportRowMapper.upgradeOutcome(finding.code) {
                upgradeCounter(protocolLabel(offered[event.connection] ?? ""), outcome).increment()
            }
        case .gap, .httpResponse, .httpBody, .rawData, .tlsClientHello, .tlsServerHello, .tlsHelloRetry, .tlsSession,
            .tlsEncrypted, .wsFrame, .wsMessage, .wsControl, .wsClose, .wsClosing, .h2Frame, .h2Settings, .h2Headers,
            .h2Reset, .h2GoAway, .h2Ping, .h2Stream, .app:
            break
        }
    }

    private func protocolLabel(_ wire: String) -> String {
        let name = wire.lowercasedASCII
        if protocolLabels.contains(name) { return name }
        guard protocolLabels.count < Self.maxProtocolLabels else { return Self.otherLabel }
        protocolLabels.insert(name)
        return name
    }

    private func upgradeCounter(_ protocolName: String, _ outcome: String) -> Counter {
        let key = UpgradeKey(protocolName: protocolName, outcome: outcome)
        if let counter = upgrades[key] { return counter }
        let counter = registry.makeCounter(
            name: "switchpoint_upgrades_total",
            labels: [("protocol", protocolName), ("outcome", outcome)],
            help: "Upgrade attempts by protocol and outcome (switched, refused, no_verdict)")
        upgrades[key] = counter
        return counter
    }

    private func findingCounter(_ finding: Finding) -> Counter {
        if let counter = findings[finding.code] { return counter }
        let counter = registry.makeCounter(
            name: "switchpoint_findings_total",
            labels: [("code", finding.code.rawValue), ("severity", finding.severity.rawValue)],
            help: "Findings by code (docs/json.md)")
        findings[finding.code] = counter
        return counter
    }

    private func histogram(_ protocolName: String) -> ValueHistogram {
        if let histogram = latency[protocolName] { return histogram }
        let histogram = registry.makeValueHistogram(
            name: "switchpoint_switch_latency_seconds", labels: [("protocol", protocolName)],
            buckets: Self.latencyBuckets,
            help: "Upgrade request to 101 (switch latency)")
        latency[protocolName] = histogram
        return histogram
    }

    /// The exposition text, with the capture counters brought up to date first.
    package func scrape() -> [UInt8] {
        captureLock.lock()
        let now = captureStatistics()
        capturedPackets.increment(by: Int64(max(0, now.captured - reported.packets)))
        capturedBytes.increment(by: Int64(max(0, now.capturedBytes - reported.bytes)))
        let current: [DropStage: Int] = [
            .kernel: Int(now.kernelDrops ?? 0), .interface: Int(now.interfaceDrops ?? 0),
            .queue: now.queueDrops,
        ]
        for (stage, value) in current {
            drops[stage]?.increment(by: Int64(max(0, value - (reported.drops[stage] ?? 0))))
            reported.drops[stage] = max(value, reported.drops[stage] ?? 0)
        }
        reported.packets = max(reported.packets, now.captured)
        reported.bytes = max(reported.bytes, now.capturedBytes)
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        captureLock.unlock()
        return buffer
    }
}
