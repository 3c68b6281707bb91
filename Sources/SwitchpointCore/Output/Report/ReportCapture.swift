/// The capture's facts for the report's header.
package struct ReportCapture: Sendable {
    package var files: [String] = []
    package var first: Timestamp?
    package var last: Timestamp?
    package var packets = 0
    package var connections = 0
    /// Upgrades by protocol, refusals by status.
    package var switched: [String: Int] = [:]
    package var refused: [String: Int] = [:]
    /// Optional upgrades (h2c) the server did not take.
    package var declined = 0
    package var findings: [Severity: Int] = [:]
    /// Connections neither listed nor drawn (past the caps).
    package var connectionsNotListed = 0
    package var connectionsNotDetailed = 0
    package init() {}
}

extension ReportCapture {
    /// Adds another capture file's facts (the audit's second leg).
    mutating func merge(_ other: ReportCapture) {
        files += other.files
        if let first = other.first, first < (self.first ?? first.adding(nanoseconds: 1)) { self.first = first }
        if let last = other.last, (self.last ?? last.adding(nanoseconds: -1)) < last { self.last = last }
        packets += other.packets
        connections += other.connections
        switched.merge(other.switched, uniquingKeysWith: +)
        refused.merge(other.refused, uniquingKeysWith: +)
        declined += other.declined
        findings.merge(other.findings, uniquingKeysWith: +)
        connectionsNotListed += other.connectionsNotListed
        connectionsNotDetailed += other.connectionsNotDetailed
    }
}
