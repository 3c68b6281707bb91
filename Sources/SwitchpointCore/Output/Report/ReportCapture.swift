/// The capture's facts for the report's header.
public struct ReportCapture: Sendable {
    public var files: [String] = []
    public var first: Timestamp?
    public var last: Timestamp?
    public var packets = 0
    public var connections = 0
    /// Upgrades by protocol, refusals by status.
    public var switched: [String: Int] = [:]
    public var refused: [String: Int] = [:]
    public var findings: [Severity: Int] = [:]
    /// Connections neither listed nor drawn (past the caps).
    public var connectionsNotListed = 0
    public var connectionsNotDetailed = 0
    public init() {}
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
        findings.merge(other.findings, uniquingKeysWith: +)
        connectionsNotListed += other.connectionsNotListed
        connectionsNotDetailed += other.connectionsNotDetailed
    }
}
