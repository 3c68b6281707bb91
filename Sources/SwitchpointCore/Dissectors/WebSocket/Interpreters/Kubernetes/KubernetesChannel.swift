/// The channel byte that starts every message of Kubernetes' WebSocket stream protocols
/// (`k8s.io/apimachinery/pkg/util/remotecommand`, `k8s.io/client-go/tools/remotecommand`):
/// exec and attach use fixed channels; port-forward gives each port a data and an error
/// channel (`2i`, `2i+1`).
package struct KubernetesChannel: RawRepresentable, Hashable, Sendable {
    package var rawValue: UInt8

    package init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    package static let stdin = KubernetesChannel(rawValue: 0)
    package static let stdout = KubernetesChannel(rawValue: 1)
    package static let stderr = KubernetesChannel(rawValue: 2)
    /// The Status (v2 and later: JSON) or error text that ends the stream.
    package static let error = KubernetesChannel(rawValue: 3)
    /// Terminal size changes, `{"Width":…,"Height":…}` (v4 and later).
    package static let resize = KubernetesChannel(rawValue: 4)
    /// v5's close signal: the message's one byte names the channel the sender closes.
    package static let close = KubernetesChannel(rawValue: 255)

    /// The name of an exec/attach channel; nil for one those protocols do not define.
    package var execName: String? {
        switch self {
        case .stdin: "stdin"
        case .stdout: "stdout"
        case .stderr: "stderr"
        case .error: "error"
        case .resize: "resize"
        case .close: "close"
        default: nil
        }
    }

    /// Port-forward: which of the request's ports the channel belongs to.
    package var portIndex: Int { Int(rawValue / 2) }
    /// Port-forward: the odd channel of each pair carries the port's errors.
    package var isPortError: Bool { rawValue % 2 == 1 }
}
