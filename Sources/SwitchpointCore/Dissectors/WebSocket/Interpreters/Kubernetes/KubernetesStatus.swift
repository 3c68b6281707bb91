/// The `metav1.Status` a Kubernetes exec or attach stream ends with on its error channel:
/// `{"status":"Failure","message":"…","reason":"NonZeroExitCode",
/// "details":{"causes":[{"reason":"ExitCode","message":"3"}]}}`.
package struct KubernetesStatus: Sendable, Equatable {
    /// Characters of `message` kept.
    package static let maxMessageBytes = 512
    /// Causes looked at for the exit code.
    package static let maxCauses = 16

    /// `Success` or `Failure`.
    package var status: String?
    package var message: String?
    package var reason: String?
    /// The command's exit code, from the cause whose reason is `ExitCode`.
    package var exitCode: Int64?

    package var isFailure: Bool { status == "Failure" }

    /// Nil when the bytes are not a JSON object with a `status` or `kind` member.
    package init?(_ bytes: UnsafeRawBufferPointer) {
        let scanner = JSONScanner(bytes)
        guard let top = scanner.topLevel(), let members = scanner.members(of: top),
            members.contains(where: { $0.key == "status" || $0.key == "kind" })
        else { return nil }
        for member in members {
            switch member.key {
            case "status" where member.value.kind == .string: status = scanner.string(member.value, limit: 64)
            case "message" where member.value.kind == .string:
                message = scanner.string(member.value, limit: Self.maxMessageBytes)
            case "reason" where member.value.kind == .string: reason = scanner.string(member.value, limit: 128)
            case "details": exitCode = Self.exitCode(in: member.value, scanner)
            default: break
            }
        }
    }

    private static func exitCode(in details: JSONScanner.Value, _ scanner: JSONScanner) -> Int64? {
        guard let causes = scanner.members(of: details)?.first(where: { $0.key == "causes" })?.value,
            let elements = scanner.elements(of: causes)
        else { return nil }
        for cause in elements.prefix(maxCauses) {
            guard let fields = scanner.members(of: cause),
                let reason = fields.first(where: { $0.key == "reason" })?.value,
                scanner.stringEquals(reason, "ExitCode"),
                let message = fields.first(where: { $0.key == "message" })?.value
            else { continue }
            return Int64(scanner.string(message, limit: 20))
        }
        return nil
    }
}

/// A terminal size on the resize channel: `{"Width":100,"Height":30}`.
package struct KubernetesTerminalSize: Sendable, Equatable {
    package var width: Int64
    package var height: Int64

    package init(width: Int64, height: Int64) {
        self.width = width
        self.height = height
    }

    /// Nil when the bytes are not such an object (trailing white space allowed: kubectl
    /// ends it with a newline).
    package init?(_ bytes: UnsafeRawBufferPointer) {
        let scanner = JSONScanner(bytes)
        guard let top = scanner.topLevel(), let members = scanner.members(of: top),
            let width = members.first(where: { $0.key == "Width" }).flatMap({ scanner.integer($0.value) }),
            let height = members.first(where: { $0.key == "Height" }).flatMap({ scanner.integer($0.value) })
        else { return nil }
        self.init(width: width, height: height)
    }
}
