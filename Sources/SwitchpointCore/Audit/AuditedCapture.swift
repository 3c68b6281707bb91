/// A capture the audit read and the leg it held (the report's `file N`).
package struct AuditedCapture: Sendable, Equatable {
    package var path: String
    package var role: CaptureRole
}
