import Foundation

/// One run of switchpoint as switchpoint_runs records it.
package struct ExportRun: Sendable {
    package var id: UUID
    package var sensor: String
    /// `timeline` or `audit`.
    package var command: String
    package var started: Date

    package init(sensor: String, command: String) {
        id = UUID()
        self.sensor = sensor
        self.command = command
        started = Date()
    }

    /// The `--sensor` default: the host name.
    package static var defaultSensor: String {
        // gethostname, not ProcessInfo.hostName: that one may wait for name resolution.
        var name = [CChar](repeating: 0, count: Self.hostNameCapacity)
        guard gethostname(&name, name.count - 1) == 0 else { return "unknown" }
        return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// HOST_NAME_MAX is 64 on Linux; room to spare.
    static let hostNameCapacity = 256
}
