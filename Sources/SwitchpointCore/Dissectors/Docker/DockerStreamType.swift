/// The stream a frame of Docker's multiplexed attach stream belongs to: the first byte of
/// its 8-byte header (Docker Engine API, "Attach to a container", stream format).
package struct DockerStreamType: RawRepresentable, Hashable, Sendable {
    package var rawValue: UInt8

    @inline(__always)
    package init(rawValue: UInt8) { self.rawValue = rawValue }

    package static let stdin = DockerStreamType(rawValue: 0)
    package static let stdout = DockerStreamType(rawValue: 1)
    package static let stderr = DockerStreamType(rawValue: 2)

    /// The name a frame's chunk carries; nil for a byte that is no stream type.
    package var name: String? {
        switch self {
        case .stdin: "stdin"
        case .stdout: "stdout"
        case .stderr: "stderr"
        default: nil
        }
    }
}
