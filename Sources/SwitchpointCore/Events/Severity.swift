/// How much a finding matters: `info` is worth knowing, `warn` means something is off,
/// `error` means the protocol was violated or the analysis is unreliable there.
package enum Severity: String, Sendable, Comparable {
    case info
    case warn
    case error

    private var rank: Int {
        switch self {
        case .info: 0
        case .warn: 1
        case .error: 2
        }
    }

    package static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

extension ReassemblyAnomalyCode {
    /// The finding's severity: one table (`FindingCode.severity`) for both.
    package var severity: Severity { FindingCode(self).severity }
}
