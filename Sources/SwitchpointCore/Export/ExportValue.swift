/// One column value of an exported row, typed the way the database column is.
package enum ExportValue: Sendable, Equatable {
    case text(String)
    case integer(Int64)
    case real(Double)
    case boolean(Bool)
    case time(Timestamp)
    case null

    static func text(_ value: String?) -> ExportValue { value.map { .text($0) } ?? .null }
    static func integer<Value: BinaryInteger>(_ value: Value?) -> ExportValue {
        // Wire counters are unsigned: a value past Int64 (impossible in practice) is clamped, not trapped.
        value.map { .integer(Int64(clamping: $0)) } ?? .null
    }
    static func real(_ value: Double?) -> ExportValue {
        // NaN and infinities have no place in a latency column.
        guard let value, value.isFinite else { return .null }
        return .real(value)
    }
}
